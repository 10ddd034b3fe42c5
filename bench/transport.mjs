// The steady-state transport bench (part of `npm run bench`): our server against the yardstick
// (bench/yardstick-server.mjs, a bare one-tool server on the same SDK generation, v2), cold start
// (spawn -> initialize result) and per-call latency (p50/p99) of the five methodology tools over
// stdio and HTTP, each server warmed as a whole first. Raw JSON-RPC on both sides, so the numbers
// are the servers' own cost plus the transport. Unpinned: on a 2-vCPU machine a round trip may
// cross CPUs or not, so these figures move more than the pinned bench's (bench/pinned.mjs).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Agent, request } from "node:http";
import { CALLS_README } from "./calls.mjs";

const INIT = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "bench", version: "0" } },
};

export const OUR_CALLS = CALLS_README;

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
export const median = (xs) => pct(xs, 50);

/** A newline-delimited JSON-RPC client over a child's stdio (ids matched to answers). */
export function lineClient(child) {
  let buf = "";
  const waiting = new Map();
  child.stdout.on("data", (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      const msg = JSON.parse(line);
      if (msg.id !== undefined && waiting.has(msg.id)) {
        waiting.get(msg.id)(msg);
        waiting.delete(msg.id);
      }
    }
  });
  let next = 1;
  return {
    call(method, params) {
      const id = next++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        child.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
      });
    },
    notify(method) {
      child.stdin.write(JSON.stringify({ jsonrpc: "2.0", method }) + "\n");
    },
  };
}

/** Spawn -> initialize result, in ms; median of `runs`. */
export async function coldStart(cmd, args, runs, env = {}) {
  const times = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "ignore"], env: { ...process.env, ...env } });
    child.stdin.write(JSON.stringify(INIT) + "\n");
    await new Promise((resolve) => {
      child.stdout.once("data", () => resolve());
    });
    times.push(performance.now() - t0);
    child.stdin.end();
    await new Promise((r) => child.once("exit", r));
  }
  return { median_ms: median(times), runs };
}

/** Sequential tools/call round trips over stdio, in µs. */
export async function stdioCalls(cmd, args, calls, n, env = {}) {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "ignore"], env: { ...process.env, ...env } });
  const c = lineClient(child);
  await c.call("initialize", INIT.params);
  c.notify("notifications/initialized");
  const out = {};
  // Steady state: warm the whole server (V8 tiers up the shared request path) before timing.
  for (let i = 0; i < 1000; i++)
    for (const [name, args2] of Object.entries(calls))
      if (i * Object.keys(calls).length < 1000) await c.call("tools/call", { name, arguments: args2 });
  for (const [name, args2] of Object.entries(calls)) {
    for (let i = 0; i < 200; i++) await c.call("tools/call", { name, arguments: args2 }); // warm-up
    const us = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await c.call("tools/call", { name, arguments: args2 });
      us.push((performance.now() - t0) * 1000);
      if (r.error || r.result?.isError) throw new Error(`${name}: ${JSON.stringify(r.error ?? r.result)}`);
    }
    out[name] = { p50_us: Math.round(median(us)), p99_us: Math.round(pct(us, 99)) };
  }
  child.stdin.end();
  await new Promise((r) => child.once("exit", r));
  return out;
}

function post(port, sid, body, agent) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/mcp",
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "content-length": Buffer.byteLength(data),
          ...(sid ? { "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" } : {}),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode, sid: res.headers["mcp-session-id"], text }));
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

/** Sequential tools/call round trips over HTTP (one keep-alive connection, one session), in µs. */
export async function httpCalls(cmd, args, calls, n, env = {}) {
  const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...env } });
  const port = await new Promise((resolve) => {
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\/mcp/.exec(err);
      if (m) resolve(Number(m[1]));
    });
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const init = await post(port, undefined, INIT, agent);
  const sid = init.sid;
  await post(port, sid, { jsonrpc: "2.0", method: "notifications/initialized" }, agent);
  const out = {};
  let id = 1;
  for (let i = 0; i * Object.keys(calls).length < 500; i++) {
    for (const [name, args2] of Object.entries(calls))
      await post(
        port,
        sid,
        { jsonrpc: "2.0", id: id++, method: "tools/call", params: { name, arguments: args2 } },
        agent,
      );
  }
  for (const [name, args2] of Object.entries(calls)) {
    for (let i = 0; i < 100; i++)
      await post(
        port,
        sid,
        { jsonrpc: "2.0", id: id++, method: "tools/call", params: { name, arguments: args2 } },
        agent,
      );
    const us = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await post(
        port,
        sid,
        { jsonrpc: "2.0", id: id++, method: "tools/call", params: { name, arguments: args2 } },
        agent,
      );
      us.push((performance.now() - t0) * 1000);
      if (r.status !== 200 || r.text.includes('"isError":true'))
        throw new Error(`${name}: ${r.status} ${r.text.slice(0, 200)}`);
    }
    out[name] = { p50_us: Math.round(median(us)), p99_us: Math.round(pct(us, 99)) };
  }
  agent.destroy();
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  return out;
}

export async function transportBench({ runs = 15, calls = 1000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "lsm-bench-"));
  const env = { LEAN_SALES_LOG_LEVEL: "warn" };
  const ours = ["dist/cli.js", "--db", join(dir, "bench.db")];
  const yard = ["bench/yardstick-server.mjs"];
  const echo = { echo: { text: "hi" } };
  try {
    const coldYard = await coldStart(process.execPath, yard, runs);
    const coldOurs = await coldStart(process.execPath, ours, runs, env);
    const stdioYard = await stdioCalls(process.execPath, yard, echo, calls);
    const stdioOurs = await stdioCalls(process.execPath, ours, OUR_CALLS, calls, env);
    const httpYard = await httpCalls(process.execPath, [...yard, "--http"], echo, Math.round(calls / 2));
    const httpOurs = await httpCalls(
      process.execPath,
      [...ours, "--http", "--port", "0"],
      OUR_CALLS,
      Math.round(calls / 2),
      env,
    );
    return {
      cold: {
        yardstick_ms: coldYard.median_ms,
        ours_ms: coldOurs.median_ms,
        ratio: coldOurs.median_ms / coldYard.median_ms,
      },
      stdio: { yardstick: stdioYard.echo, ours: stdioOurs },
      http: { yardstick: httpYard.echo, ours: httpOurs },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await transportBench({ runs: Number(process.env.RUNS ?? 15), calls: Number(process.env.CALLS ?? 1000) });
  console.log(JSON.stringify(r, null, 2));
}
