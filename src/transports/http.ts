// Streamable HTTP at /mcp, for both protocol revisions. One guard of our own runs before any MCP
// code, for every method and both revisions: Host (DNS rebinding), then Origin (absent is fine;
// null or foreign is 403), then the bearer token (constant time, 401 + WWW-Authenticate), then
// the body limit (413), JSON (-32700) and the batch limit.
// - 2026-07-28 requests (each carries its protocol version in _meta) are served statelessly:
//   a fresh server per request from the SDK's createMcpHandler, so any process behind a load
//   balancer on the same database file can answer any request.
// - 2025-11-25 clients keep sessions (initialize, Mcp-Session-Id, GET stream, DELETE), so
//   logging/setLevel and elicitation keep working for them; each session gets its own server and
//   transport (a shared one once sent answers to the wrong client: CVE-2026-25536), idle
//   sessions expire, and a session lives in the process that opened it.
import { randomUUID, timingSafeEqual, createHash } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createMcpHandler, isInitializeRequest, isLegacyRequest } from "@modelcontextprotocol/server";
import { NodeStreamableHTTPServerTransport, toNodeHandler } from "@modelcontextprotocol/node";
import { isLoopback } from "../config.js";
import type { Logger } from "../log.js";
import { createServer } from "../mcp/server.js";
import type { Deps } from "../app/deps.js";
import { GuardedTransport, InFlight } from "./lifecycle.js";
import { tuneForServing } from "./jit.js";

export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_BATCH = 100;

export interface HttpOptions {
  host: string;
  port: number;
  token?: string;
  allowedOrigins: string[];
  sessionIdleMs: number;
  maxSessions: number;
}

export interface RunningHttp {
  url: string;
  port: number;
  sessions(): number;
  close(): Promise<void>;
}

interface Session {
  transport: NodeStreamableHTTPServerTransport;
  close(): Promise<void>;
  lastSeen: number;
}

function hostnameOf(hostHeader: string): string {
  // "[::1]:3000" -> "[::1]", "localhost:3000" -> "localhost"
  if (hostHeader.startsWith("[")) return hostHeader.slice(0, hostHeader.indexOf("]") + 1);
  return hostHeader.split(":")[0]!.toLowerCase();
}

function jsonError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const body = JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** The guard. Returns an error to send, or null when the request may reach MCP handling. */
export function checkRequest(
  req: IncomingMessage,
  opts: Pick<HttpOptions, "host" | "token" | "allowedOrigins">,
): { status: number; code: number; message: string; headers?: Record<string, string> } | null {
  const host = req.headers.host ?? "";
  if (isLoopback(opts.host) && !isLoopback(hostnameOf(host))) {
    return {
      status: 403,
      code: -32000,
      message: `Forbidden: Host "${host.slice(0, 100)}" is not this server (DNS rebinding protection).`,
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let ok = opts.allowedOrigins.includes(origin);
    if (!ok && origin !== "null") {
      try {
        const u = new URL(origin);
        ok = (u.protocol === "http:" || u.protocol === "https:") && isLoopback(u.hostname);
      } catch {
        ok = false;
      }
    }
    if (!ok)
      return {
        status: 403,
        code: -32000,
        message: `Forbidden: Origin "${String(origin).slice(0, 100)}" is not allowed.`,
      };
  }
  const url = new URL(req.url ?? "/", "http://x");
  if (url.searchParams.has("token") || url.searchParams.has("access_token")) {
    return {
      status: 401,
      code: -32001,
      message: "Unauthorized: send the token in the Authorization header, never in the URL.",
      headers: { "www-authenticate": 'Bearer realm="lean-sales-mcp"' },
    };
  }
  if (opts.token) {
    const auth = req.headers.authorization ?? "";
    const given = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim() ?? "";
    // Compare digests so neither the length nor the content leaks through timing.
    if (!given || !timingSafeEqual(digest(given), digest(opts.token))) {
      return {
        status: 401,
        code: -32001,
        message: given
          ? "Unauthorized: wrong bearer token."
          : "Unauthorized: missing bearer token (Authorization: Bearer <token>).",
        headers: { "www-authenticate": `Bearer realm="lean-sales-mcp"${given ? ', error="invalid_token"' : ""}` },
      };
    }
  }
  return null;
}

/** The request's method and headers as a web Request (the body is classified from the parsed value). */
function headersOnly(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  return new Request("http://localhost/mcp", { method: req.method ?? "POST", headers });
}

/**
 * After a 413 the rest of an over-large body is read and dropped, up to this many bytes, and the
 * connection stays open: closing a socket with unread data makes the kernel send a reset, and a
 * client still writing its body then sees EPIPE instead of our 413 (measured: 6 to 10 of 20
 * plain node:http POSTs of 2 to 8 MB). Beyond the cap, or past requestTimeout, the socket is cut.
 */
export const MAX_DISCARD_BYTES = 16 * 1024 * 1024;

/** Reads at most `limit` bytes; undefined (as soon as it is known) when the body is larger. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (settled) {
        if (size > MAX_DISCARD_BYTES) req.destroy();
        return;
      }
      if (size > limit) {
        settled = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (!settled) resolve(Buffer.concat(chunks));
      settled = true;
    });
    req.on("error", (err) => {
      if (!settled) reject(err);
      settled = true;
    });
  });
}

export async function serveHttp(deps: Deps, opts: HttpOptions, log: Logger): Promise<RunningHttp> {
  const sessions = new Map<string, Session>();
  const inFlight = new InFlight();
  let accepting = true;

  // 2026-07-28: stateless, one server per request (its answer may stream progress as SSE).
  const modernHandler = createMcpHandler((rc) => createServer(deps, rc), {
    legacy: "reject",
    onerror: (err) => log.debug({ err: err.message }, "mcp request refused or failed"),
  });
  const modern = toNodeHandler(modernHandler);

  const newSession = async (): Promise<Session> => {
    const server = createServer(deps, { era: "legacy" });
    let session!: Session;
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, session);
        log.info({ sessions: sessions.size }, "http session opened");
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    session = {
      transport,
      lastSeen: Date.now(),
      close: async () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
        await server.close().catch(() => undefined);
      },
    };
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(new GuardedTransport(transport, inFlight, { accepting: () => accepting }));
    return session;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path !== "/mcp") return jsonError(res, 404, -32000, "Not found: the MCP endpoint is /mcp.");
    const refused = checkRequest(req, opts);
    if (refused) return jsonError(res, refused.status, refused.code, refused.message, refused.headers);
    if (!accepting) return jsonError(res, 503, -32000, "Server is shutting down.", { connection: "close" });

    const sid = req.headers["mcp-session-id"];
    const sessionId = Array.isArray(sid) ? sid[0] : sid;

    if (req.method === "POST") {
      const tooLarge = `Request body too large: at most ${MAX_BODY_BYTES} bytes. Import large CSV files with import_deals path.`;
      const declared = Number(req.headers["content-length"] ?? 0);
      if (declared > MAX_DISCARD_BYTES) {
        // Not worth reading: answer and cut the connection.
        res.setHeader("connection", "close");
        return jsonError(res, 413, -32000, tooLarge);
      }
      // A declared size over the limit is refused after the first chunk; the rest is dropped.
      const raw = await readBody(req, declared > MAX_BODY_BYTES ? 0 : MAX_BODY_BYTES);
      if (raw === undefined) return jsonError(res, 413, -32000, tooLarge);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        return jsonError(res, 400, -32700, "Parse error: the body is not valid JSON.");
      }
      if (Array.isArray(body) && body.length > MAX_BATCH)
        return jsonError(res, 400, -32600, `Invalid request: a batch may hold at most ${MAX_BATCH} messages.`);

      if (!sessionId && !(await isLegacyRequest(headersOnly(req), body))) {
        inFlight.start();
        try {
          return await modern(req, res, body);
        } finally {
          inFlight.done();
        }
      }

      let session = sessionId ? sessions.get(sessionId) : undefined;
      if (sessionId && !session)
        return jsonError(res, 404, -32001, "Session not found: it expired or was closed; initialize a new one.");
      if (!session) {
        const init = Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body);
        if (!init) return jsonError(res, 400, -32000, "Bad request: no Mcp-Session-Id header; send initialize first.");
        if (sessions.size >= opts.maxSessions)
          return jsonError(res, 503, -32000, "Too many open sessions; retry later.", { "retry-after": "5" });
        session = await newSession();
      }
      session.lastSeen = Date.now();
      return session.transport.handleRequest(req, res, body);
    }

    if (req.method === "GET" || req.method === "DELETE") {
      if (!sessionId) return jsonError(res, 400, -32000, "Bad request: Mcp-Session-Id header required.");
      const session = sessions.get(sessionId);
      if (!session)
        return jsonError(res, 404, -32001, "Session not found: it expired or was closed; initialize a new one.");
      session.lastSeen = Date.now();
      await session.transport.handleRequest(req, res);
      if (req.method === "DELETE") await session.close();
      return;
    }
    res.setHeader("allow", "GET, POST, DELETE");
    return jsonError(res, 405, -32000, "Method not allowed.");
  };

  // Short header and request timeouts, checked every second, so slow clients cannot hold
  // sockets and lock others out (docs/reliability.md, H4 slowloris).
  const http: Server = createHttpServer(
    { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000, keepAliveTimeout: 5_000 },
    (req, res) => {
      handle(req, res).catch((err) => {
        log.error({ err }, "http request failed");
        jsonError(res, 500, -32603, "Internal error.");
      });
    },
  );

  const sweep = setInterval(
    () => {
      const cutoff = Date.now() - opts.sessionIdleMs;
      for (const s of [...sessions.values()]) if (s.lastSeen < cutoff) void s.close();
    },
    Math.min(60_000, Math.max(1_000, opts.sessionIdleMs / 2)),
  );
  sweep.unref();

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(opts.port, opts.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const shownHost = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  const url = `http://${shownHost}:${port}/mcp`;
  log.info({ url, auth: opts.token ? "bearer" : "none (loopback only)" }, "listening");
  // Start-up is over once listening: V8 tuned for answering requests (see jit.ts).
  tuneForServing();

  return {
    url,
    port,
    sessions: () => sessions.size,
    async close() {
      accepting = false;
      clearInterval(sweep);
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      await inFlight.drain(5_000);
      await modernHandler.close().catch(() => undefined);
      for (const s of [...sessions.values()]) await s.close();
      http.closeAllConnections();
      await closed;
    },
  };
}
