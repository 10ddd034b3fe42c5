// End-to-end harness: the built bin (dist/cli.js) as a child process, over stdio or HTTP.
// The bin is copied once per test file into a temp folder (next to links to package.json, data/,
// prompts/ and node_modules/), so a colleague rebuilding dist/ mid-run cannot pull chunks away
// from a running server. Build first: `node scripts/build.mjs`.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as StreamableHTTPClientTransportV2,
} from "@modelcontextprotocol/client";
import { StdioClientTransport as StdioClientTransportV2 } from "@modelcontextprotocol/client/stdio";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Generous bound for anything a healthy server does in milliseconds. */
export const PATIENCE_MS = 15_000;

let snapshot: string | undefined;
const cleanups: Array<() => void> = [];

/**
 * Kills servers still running and removes the temp folders and bin copy; call it in each test
 * file's afterAll (vitest's workers do not reliably see process 'exit').
 */
export function cleanupE2E(): void {
  for (const c of live) c.kill("SIGKILL");
  live.clear();
  snapshot = undefined;
  for (const c of cleanups.splice(0)) {
    try {
      c();
    } catch {
      // best effort
    }
  }
}
process.on("exit", cleanupE2E);

/** Path of a private copy of dist/cli.js (or LEAN_SALES_E2E_BIN, used as is). */
export function binPath(): string {
  if (process.env.LEAN_SALES_E2E_BIN) return resolve(process.env.LEAN_SALES_E2E_BIN);
  if (snapshot) return snapshot;
  const dist = join(ROOT, "dist");
  if (!existsSync(join(dist, "cli.js")))
    throw new Error("dist/cli.js is missing: run `node scripts/build.mjs` before the e2e tests.");
  const newestSrc = newestMtime(join(ROOT, "src"));
  if (newestSrc > statSync(join(dist, "cli.js")).mtimeMs) {
    process.stderr.write(
      "e2e: warning: src/ is newer than dist/cli.js; run `node scripts/build.mjs` to test the current code.\n",
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "lsm-bin-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  // A rebuild empties dist/ for a moment: retry the copy until cli.js and its chunks are all there.
  for (let attempt = 0; ; attempt++) {
    try {
      rmSync(join(dir, "dist"), { recursive: true, force: true });
      cpSync(dist, join(dir, "dist"), { recursive: true });
      const cli = readFileSync(join(dir, "dist", "cli.js"), "utf8");
      const chunks = [...cli.matchAll(/["']\.\/([\w.-]+\.js)["']/g)].map((m) => m[1]!);
      if (chunks.every((c) => existsSync(join(dir, "dist", c)))) break;
      throw new Error(`chunks missing from the copy of dist/`);
    } catch (err) {
      if (attempt >= 20) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  for (const name of ["package.json", "data", "prompts", "node_modules"]) {
    if (existsSync(join(ROOT, name))) symlinkSync(join(ROOT, name), join(dir, name));
  }
  snapshot = join(dir, "dist", "cli.js");
  return snapshot;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** A temp folder with a db path in it; removed at the end of the test process. */
export function tempDb(name = "deals.db"): { dir: string; db: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "lsm-e2e-"));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  cleanups.push(cleanup);
  return { dir, db: join(dir, name), cleanup };
}

export const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Env for the child: ours, minus any LEAN_SALES_* that would leak into the server's config. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("LEAN_SALES_")) env[k] = v;
  return { ...env, LEAN_SALES_LOG_LEVEL: "info", ...extra };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** ms from the moment `markExitClock()` was called (or spawn) to exit. */
  ms: number;
}

export interface Proc {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
  /** Restarts the clock that `exited.ms` measures from (call right before the signal or EOF). */
  markExitClock(): void;
  /** Resolves with the first stderr match, rejects if the process exits first or after the timeout. */
  waitForStderr(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when stdout holds `n` complete lines. */
  waitForStdoutLines(n: number, timeoutMs?: number): Promise<string[]>;
  /** SIGKILL if still running (for cleanup). */
  kill(): void;
}

const live = new Set<ChildProcessWithoutNullStreams>();

/** Spawns `node <bin> ...args` with stdio pipes, collecting output. */
export function runBin(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Proc {
  const child = spawn(process.execPath, [binPath(), ...args], {
    env: childEnv(opts.env),
    cwd: opts.cwd ?? tmpdir(),
    stdio: ["pipe", "pipe", "pipe"],
  });
  live.add(child);
  let out = "";
  let err = "";
  let clock = Date.now();
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    out += s;
    notify();
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    err += s;
    notify();
  });
  child.stdin.on("error", () => undefined); // EPIPE after the server exits is not the test's business
  let done = false;
  const exited = new Promise<Exit>((resolveExit) => {
    child.on("close", (code, signal) => {
      done = true;
      live.delete(child);
      notify();
      resolveExit({ code, signal, ms: Date.now() - clock });
    });
  });
  const waitFor = <T>(probe: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((res, rej) => {
      const check = () => {
        const v = probe();
        if (v !== undefined) return finish(() => res(v));
        if (done)
          return finish(() => rej(new Error(`process exited before ${what}.\nstderr:\n${err}\nstdout:\n${out}`)));
      };
      const timer = setTimeout(
        () => finish(() => rej(new Error(`timed out after ${timeoutMs} ms waiting for ${what}.\nstderr:\n${err}`))),
        timeoutMs,
      );
      const finish = (f: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        f();
      };
      listeners.add(check);
      check();
    });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    markExitClock: () => {
      clock = Date.now();
    },
    waitForStderr: (re, timeoutMs = PATIENCE_MS) =>
      waitFor(() => err.match(re) ?? undefined, timeoutMs, `stderr matching ${re}`),
    waitForStdoutLines: (n, timeoutMs = PATIENCE_MS) =>
      waitFor(
        () => {
          const lines = out.split("\n");
          lines.pop(); // the part after the last newline is not a complete line yet
          return lines.length >= n ? lines : undefined;
        },
        timeoutMs,
        `${n} stdout lines`,
      ),
    kill: () => {
      if (!done) child.kill("SIGKILL");
    },
  };
}

/** Runs the bin to completion (for sub-commands). */
export async function runToExit(
  args: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Exit & { stdout: string; stderr: string }> {
  const p = runBin(args, opts);
  p.child.stdin.end();
  const timer = setTimeout(() => p.kill(), opts.timeoutMs ?? PATIENCE_MS);
  const exit = await p.exited;
  clearTimeout(timer);
  return { ...exit, stdout: p.stdout(), stderr: p.stderr() };
}

// ---------------------------------------------------------------------------------------------
// Raw JSON-RPC over stdio (no SDK): for framing and lifecycle checks.

export const initializeRequest = (id: number | string = 0) => ({
  jsonrpc: "2.0",
  id,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "lean-sales-e2e", version: "0.0.0" } },
});
/** The 2026-07-28 envelope every request of that revision carries in params._meta. */
export const ENVELOPE_2026 = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "lean-sales-e2e", version: "0.0.0" },
  "io.modelcontextprotocol/clientCapabilities": {},
};
/** A 2026-07-28 request over raw HTTP: the body with its envelope, and the headers it needs. */
export const request2026 = (id: number | string, method: string, params: Record<string, unknown> = {}) => ({
  body: { jsonrpc: "2.0", id, method, params: { ...params, _meta: { ...ENVELOPE_2026 } as Record<string, unknown> } },
  headers: {
    "mcp-protocol-version": "2026-07-28",
    "mcp-method": method,
    ...(typeof params.name === "string" ? { "mcp-name": params.name } : {}),
    ...(typeof params.uri === "string" ? { "mcp-name": params.uri } : {}),
  } as Record<string, string>,
});
/** The first request a client of each revision sends over HTTP. */
export const OPENING = {
  "2025-11-25": (id: number) => ({ body: initializeRequest(id), headers: {} as Record<string, string> }),
  "2026-07-28": (id: number) => request2026(id, "server/discover"),
} as const;
export type Revision = keyof typeof OPENING;
export const REVISIONS = Object.keys(OPENING) as Revision[];

export const initializedNotification = { jsonrpc: "2.0", method: "notifications/initialized" };
export const toolCall = (id: number | string, name: string, args: Record<string, unknown>) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name, arguments: args },
});
export const lines = (...messages: unknown[]) => messages.map((m) => `${JSON.stringify(m)}\n`).join("");

/** Every line parsed; throws (naming the line) if one is not a JSON-RPC 2.0 message. */
export function parseJsonRpcLines(stdout: string): Array<Record<string, any>> {
  const all = stdout.split("\n");
  if (all[all.length - 1] === "") all.pop();
  return all.map((line, i) => {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      throw new Error(`stdout line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
    }
    const m = msg as Record<string, unknown>;
    const ok =
      m &&
      typeof m === "object" &&
      !Array.isArray(m) &&
      m.jsonrpc === "2.0" &&
      ("method" in m || ("id" in m && ("result" in m || "error" in m)));
    if (!ok) throw new Error(`stdout line ${i + 1} is not a JSON-RPC 2.0 message: ${line.slice(0, 200)}`);
    return m as Record<string, any>;
  });
}

/** The responses among parsed messages (the server may also send notifications, e.g. logging). */
export const responsesOf = (msgs: Array<Record<string, any>>) => msgs.filter((m) => !("method" in m) && "id" in m);

/** Resolves when stdout holds `n` responses (notifications are not counted). */
export async function waitForResponses(
  p: Proc,
  n: number,
  timeoutMs = PATIENCE_MS,
): Promise<Array<Record<string, any>>> {
  const deadline = Date.now() + timeoutMs;
  for (let have = n; ;) {
    await p.waitForStdoutLines(have, Math.max(1, deadline - Date.now()));
    const got = responsesOf(parseJsonRpcLines(p.stdout().slice(0, p.stdout().lastIndexOf("\n") + 1)));
    if (got.length >= n) return got;
    have += n - got.length;
  }
}

/** Spawns the stdio server and completes the handshake by hand; returns the process. */
export async function rawStdio(db: string, extraArgs: string[] = []): Promise<Proc> {
  const p = runBin(["--db", db, ...extraArgs]);
  p.child.stdin.write(lines(initializeRequest(0), initializedNotification));
  await waitForResponses(p, 1);
  return p;
}

// ---------------------------------------------------------------------------------------------
// SDK clients.

export interface Connected {
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** Calls a tool; throws with its text unless it succeeded with structuredContent. */
  callOk<T = any>(name: string, args?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

function wrap(
  client: Client,
  close: () => Promise<void>,
  call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args }, undefined, { timeout: PATIENCE_MS })) as CallToolResult,
): Connected {
  return {
    client,
    call,
    async callOk(name, args = {}) {
      const r = await call(name, args);
      const text = (r.content as Array<{ text?: string }>).map((c) => c.text ?? "").join("\n");
      if (r.isError) throw new Error(`${name} failed: ${text}`);
      if (!r.structuredContent) throw new Error(`${name} returned no structuredContent: ${text}`);
      return r.structuredContent as never;
    },
    close,
  };
}

/** An SDK Client over StdioClientTransport, spawning the built bin. */
export async function connectStdio(
  db: string,
  extraArgs: string[] = [],
): Promise<Connected & { stderr(): string; pid: number | null }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [binPath(), "--db", db, ...extraArgs],
    env: childEnv(),
    cwd: tmpdir(),
    stderr: "pipe",
  });
  let err = "";
  transport.stderr?.on("data", (c: Buffer) => {
    err += c.toString("utf8");
  });
  const client = new Client({ name: "lean-sales-e2e", version: "0.0.0" });
  await client.connect(transport, { timeout: PATIENCE_MS });
  return { ...wrap(client, () => client.close()), stderr: () => err, pid: transport.pid };
}

export interface HttpServer extends Proc {
  port: number;
  url: string;
}

/** Starts `--http --port 0` on loopback and waits for the line that names the port. */
export async function startHttp(
  db: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<HttpServer> {
  const p = runBin(["--http", "--port", "0", "--db", db, ...extraArgs], { env });
  const m = await p.waitForStderr(/listening on (http:\/\/\S+:(\d+)\/mcp)/);
  return Object.assign(p, { url: m[1]!, port: Number(m[2]) });
}

/**
 * A v2 SDK Client pinned to 2026-07-28 (no initialize; an envelope on every request), over
 * stdio (spawning the built bin) or Streamable HTTP. `fetch` lets a test route each request.
 */
export async function connect2026(
  target:
    { db: string; extraArgs?: string[] } | { url: string; headers?: Record<string, string>; fetch?: typeof fetch },
): Promise<Connected & { version(): string | undefined }> {
  const client = new ClientV2(
    { name: "lean-sales-e2e-2026", version: "0.0.0" },
    { versionNegotiation: { mode: { pin: "2026-07-28" } } },
  );
  const transport =
    "db" in target
      ? new StdioClientTransportV2({
          command: process.execPath,
          args: [binPath(), "--db", target.db, ...(target.extraArgs ?? [])],
          env: childEnv(),
          cwd: tmpdir(),
          stderr: "pipe",
        })
      : new StreamableHTTPClientTransportV2(new URL(target.url), {
          requestInit: { headers: target.headers ?? {} },
          ...(target.fetch ? { fetch: target.fetch } : {}),
        });
  await client.connect(transport);
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args }, { timeout: PATIENCE_MS })) as CallToolResult;
  return {
    ...wrap(client as unknown as Client, () => client.close(), call),
    version: () => client.getNegotiatedProtocolVersion(),
  };
}

/** An SDK Client over StreamableHTTPClientTransport. */
export async function connectHttp(
  url: string,
  headers: Record<string, string> = {},
): Promise<Connected & { transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  const client = new Client({ name: "lean-sales-e2e", version: "0.0.0" });
  await client.connect(transport, { timeout: PATIENCE_MS });
  return Object.assign(
    wrap(client, () => client.close()),
    { transport },
  );
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP.

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  json(): any;
}

/**
 * One HTTP/1.1 request over a plain socket, written byte for byte, so any Host or Origin can be
 * sent. Uses `Connection: close` and reads to the end.
 */
export function rawRequest(
  port: number,
  opts: {
    method?: string;
    path?: string;
    host?: string | null;
    headers?: Record<string, string>;
    body?: string | Buffer;
  },
): Promise<RawResponse> {
  const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
  const head: string[] = [`${opts.method ?? "POST"} ${opts.path ?? "/mcp"} HTTP/1.1`];
  if (opts.host !== null) head.push(`Host: ${opts.host ?? `127.0.0.1:${port}`}`);
  const headers: Record<string, string> = { connection: "close", ...opts.headers };
  if (
    body &&
    !Object.keys(headers).some((k) => k.toLowerCase() === "content-length" || k.toLowerCase() === "transfer-encoding")
  ) {
    headers["content-length"] = String(body.length);
  }
  for (const [k, v] of Object.entries(headers)) head.push(`${k}: ${v}`);
  return new Promise((resolveRes, reject) => {
    const socket = netConnect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let settled = false;
    // Done once the response is complete: some responses (SSE with an explicit keep-alive) hold
    // the socket open despite `Connection: close`, so reading to EOF would wait for the timeout.
    const tryParse = (final: boolean) => {
      if (settled) return;
      const raw = Buffer.concat(chunks);
      const sep = raw.indexOf("\r\n\r\n");
      if (sep < 0) {
        if (final) {
          settled = true;
          reject(new Error(`no HTTP response: ${JSON.stringify(raw.toString("utf8").slice(0, 200))}`));
        }
        return;
      }
      const [statusLine, ...headerLines] = raw.subarray(0, sep).toString("utf8").split("\r\n");
      const resHeaders: Record<string, string> = {};
      for (const h of headerLines) {
        const i = h.indexOf(":");
        resHeaders[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
      }
      const rest = raw.subarray(sep + 4);
      let body: string | undefined;
      if (resHeaders["content-length"] !== undefined) {
        const n = Number(resHeaders["content-length"]);
        if (rest.length >= n) body = rest.subarray(0, n).toString("utf8");
      } else if (resHeaders["transfer-encoding"] === "chunked") {
        const text = rest.toString("utf8");
        if (/(^|\r\n)0\r\n\r\n$/.test(text)) body = dechunk(text);
      }
      if (body === undefined && final) body = rest.toString("utf8");
      if (body === undefined) return;
      settled = true;
      socket.destroy();
      const text = body;
      resolveRes({
        status: Number(statusLine!.split(" ")[1]),
        headers: resHeaders,
        body: text,
        json: () => JSON.parse(text),
      });
    };
    socket.setTimeout(PATIENCE_MS, () => socket.destroy(new Error("raw request timed out")));
    socket.on("data", (c) => {
      chunks.push(c);
      tryParse(false);
    });
    socket.on("error", (e) => {
      if (!chunks.length && !settled) {
        settled = true;
        reject(e);
      }
    });
    socket.on("close", () => tryParse(true));
    socket.write(`${head.join("\r\n")}\r\n\r\n`);
    if (body) socket.write(body);
  });
}

function dechunk(s: string): string {
  let out = "";
  for (let i = 0; ;) {
    const nl = s.indexOf("\r\n", i);
    if (nl < 0) return out;
    const size = parseInt(s.slice(i, nl), 16);
    if (!size) return out;
    out += s.slice(nl + 2, nl + 2 + size);
    i = nl + 2 + size + 2;
  }
}

/**
 * A POST through node:http, for bodies the server may refuse before reading (413): the
 * response is returned even if writing the rest of the body then fails.
 */
export function httpPost(
  port: number,
  opts: { headers?: Record<string, string>; body: Buffer | string; chunked?: boolean },
): Promise<RawResponse> {
  const body = Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
  return new Promise((resolveRes, reject) => {
    const req = httpRequest({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: "/mcp",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...(opts.chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(body.length) }),
        ...opts.headers,
      },
    });
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", () => undefined);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
        resolveRes({ status: res.statusCode ?? 0, headers, body: text, json: () => JSON.parse(text) });
      });
    });
    req.on("error", (e) => {
      if (!answered) reject(e);
    });
    if (opts.chunked) {
      // Several chunks, so the server sees a body with no declared length.
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      req.end();
    } else req.end(body);
  });
}

/** The JSON-RPC message inside an SSE or JSON response body. */
export function rpcBody(res: RawResponse): any {
  if ((res.headers["content-type"] ?? "").includes("text/event-stream")) {
    const data = res.body
      .split("\n")
      .filter((l) => l.startsWith("data:"))
      .map((l) => l.slice(5).trim())
      .join("");
    return JSON.parse(data);
  }
  return res.json();
}

/** initialize over raw HTTP; returns the session id. */
export async function rawInitialize(port: number, headers: Record<string, string> = {}): Promise<string> {
  const res = await rawRequest(port, {
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(initializeRequest(1)),
  });
  if (res.status !== 200) throw new Error(`initialize got ${res.status}: ${res.body}`);
  const sid = res.headers["mcp-session-id"];
  if (!sid) throw new Error("initialize returned no Mcp-Session-Id");
  return sid;
}
