// The pinned bench: per-call latency and cold start of the five methodology tools against the
// yardstick (bench/yardstick-server.mjs), the way the issue measures them, with no tool outside
// this repo:
// - pinned: this process re-runs itself under `taskset -c 0`, and the servers it spawns inherit
//   CPU 0, so client and server share one CPU (on a 2-vCPU VM an unpinned round trip flips
//   between "one CPU" and "across CPUs", which moves a p50 by tens of percent);
// - raw: newline-delimited JSON-RPC on the server's stdin/stdout with the 2025-11-25 handshake
//   (initialize), and plain node:http POSTs with keep-alive for HTTP: no SDK client whose own
//   cost would hide the servers';
// - alternating: in every round each measurement runs the yardstick and then our server back
//   to back, so both see the same machine; the figure quoted is the median over rounds of the
//   per-round ratio (ours / yardstick), and the absolute medians are kept beside it.
//   node bench/pinned.mjs                         3 rounds, stdio and HTTP, prints a table
//   ROUNDS=5 CALLS=2000 node bench/pinned.mjs     more; COLD (spawns per round), LIST, WARMUP,
//   HTTP=0 node bench/pinned.mjs                  stdio only; PORT (default 18700: under 32768)
// Writes bench/pinned-results.json.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { CALLS_README, ECHO } from "./calls.mjs";

if (!process.env.LEAN_SALES_BENCH_PINNED) {
  const r = spawnSync("taskset", ["-c", "0", process.execPath, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, LEAN_SALES_BENCH_PINNED: "1" },
  });
  if (r.error) throw new Error(`the pinned bench needs taskset (util-linux): ${r.error.message}`);
  process.exit(r.status ?? 1);
}

const ROOT = new URL("..", import.meta.url).pathname;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CALLS = Number(process.env.CALLS ?? 1000);
const WARMUP = Number(process.env.WARMUP ?? 200);
const COLD = Number(process.env.COLD ?? 5);
// tools/list calls before the tool's warm-up, as the harness makes (20 + 200): they warm
// the SDK's request path the same way, which matters at 200 warm-up calls (see bench/README.md).
const LIST = Number(process.env.LIST ?? 220);
const HTTP = process.env.HTTP !== "0";
let port = Number(process.env.PORT ?? 18700);

const INIT = {
  protocolVersion: "2025-11-25",
  capabilities: {},
  clientInfo: { name: "lean-sales-bench", version: "0" },
};

const dir = mkdtempSync(join(tmpdir(), "lsm-pinned-"));
const db = join(dir, "bench.db");
const env = { ...process.env, LEAN_SALES_LOG_LEVEL: "warn" };
const yard = (http) => [join(ROOT, "bench/yardstick-server.mjs"), ...(http ? ["--http", String(http)] : [])];
const ours = (http) => [join(ROOT, "dist/cli.js"), "--db", db, ...(http ? ["--http", "--port", String(http)] : [])];

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const pct = (xs, p) => sorted(xs)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const median = (xs) => {
  const s = sorted(xs);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round1 = (v) => Math.round(v * 10) / 10;
const log = (s) => process.stderr.write(`${s}\n`);

/** A raw JSON-RPC client on a child's stdio: one line per message, answers matched by id. */
function stdioServer(args) {
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "ignore"], env });
  const waiting = new Map();
  let buf = "";
  let next = 1;
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d) => {
    buf += d;
    for (let i; (i = buf.indexOf("\n")) >= 0;) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const msg = JSON.parse(line);
      const w = waiting.get(msg.id);
      if (w) {
        waiting.delete(msg.id);
        w(msg);
      }
    }
  });
  const call = (method, params, id = next++) =>
    new Promise((resolve) => {
      waiting.set(id, resolve);
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    });
  return {
    child,
    call,
    notify: (method) => child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method })}\n`),
    async stop() {
      child.stdin.end();
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
    },
  };
}

/** Spawn to the initialize result, in ms. */
async function coldStart(args) {
  const t0 = performance.now();
  const s = stdioServer(args);
  await s.call("initialize", INIT);
  const ms = performance.now() - t0;
  await s.stop();
  return ms;
}

function failed(name, msg) {
  if (msg.error || msg.result?.isError) throw new Error(`${name}: ${JSON.stringify(msg.error ?? msg.result)}`);
}

/** p50 of sequential tools/call round trips over stdio, in µs, after a warm-up. */
async function stdioCalls(args, tool) {
  const s = stdioServer(args);
  await s.call("initialize", INIT);
  s.notify("notifications/initialized");
  for (let i = 0; i < LIST; i++) failed("tools/list", await s.call("tools/list", {}));
  const params = { name: tool.name, arguments: tool.arguments };
  for (let i = 0; i < WARMUP; i++) failed(tool.name, await s.call("tools/call", params));
  const us = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    const msg = await s.call("tools/call", params);
    us.push((performance.now() - t0) * 1000);
    failed(tool.name, msg);
  }
  await s.stop();
  return { p50: median(us), p99: pct(us, 99) };
}

function post(p, headers, body, agent) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      {
        host: "127.0.0.1",
        port: p,
        path: "/mcp",
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "content-length": Buffer.byteLength(data),
          ...headers,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode, sid: res.headers["mcp-session-id"], text }));
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

/** p50 of sequential tools/call round trips over HTTP (one keep-alive connection), in µs. */
async function httpCalls(args, p, tool) {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], env });
  await new Promise((resolve, reject) => {
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
      if (/listening on http:\/\//.test(err)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const init = await post(p, {}, { jsonrpc: "2.0", id: 0, method: "initialize", params: INIT }, agent);
  const headers = { "mcp-protocol-version": "2025-11-25", ...(init.sid ? { "mcp-session-id": init.sid } : {}) };
  await post(p, headers, { jsonrpc: "2.0", method: "notifications/initialized" }, agent);
  const params = { name: tool.name, arguments: tool.arguments };
  let id = 1;
  for (let i = 0; i < LIST; i++) {
    const r = await post(p, headers, { jsonrpc: "2.0", id: id++, method: "tools/list", params: {} }, agent);
    if (r.status !== 200) throw new Error(`tools/list over HTTP: ${r.status} ${r.text.slice(0, 200)}`);
  }
  const one = async () => {
    const r = await post(p, headers, { jsonrpc: "2.0", id: id++, method: "tools/call", params }, agent);
    if (r.status !== 200 || !r.text.includes('"result"') || r.text.includes('"isError":true'))
      throw new Error(`${tool.name} over HTTP: ${r.status} ${r.text.slice(0, 200)}`);
  };
  for (let i = 0; i < WARMUP; i++) await one();
  const us = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    await one();
    us.push((performance.now() - t0) * 1000);
  }
  agent.destroy();
  child.kill("SIGTERM");
  await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
  return { p50: median(us), p99: pct(us, 99) };
}

const rounds = [];
try {
  for (let r = 1; r <= ROUNDS; r++) {
    log(`round ${r}/${ROUNDS}`);
    const row = { cold: {}, stdio: {}, http: {} };
    const coldYard = [];
    const coldOurs = [];
    for (let i = 0; i < COLD; i++) {
      coldYard.push(await coldStart(yard()));
      coldOurs.push(await coldStart(ours()));
    }
    row.cold = { yardstick_ms: median(coldYard), ours_ms: median(coldOurs) };
    log(`  cold start: yardstick ${round1(row.cold.yardstick_ms)} ms, ours ${round1(row.cold.ours_ms)} ms`);
    for (const [name, args] of Object.entries(CALLS_README)) {
      const y = await stdioCalls(yard(), ECHO);
      const o = await stdioCalls(ours(), { name, arguments: args });
      row.stdio[name] = { yardstick: y, ours: o };
      log(`  stdio ${name}: yardstick ${round1(y.p50)} µs, ours ${round1(o.p50)} µs`);
    }
    if (HTTP)
      for (const [name, args] of Object.entries(CALLS_README)) {
        const y = await httpCalls(yard(port), port++, ECHO);
        const o = await httpCalls(ours(port), port++, { name, arguments: args });
        row.http[name] = { yardstick: y, ours: o };
        log(`  HTTP ${name}: yardstick ${round1(y.p50)} µs, ours ${round1(o.p50)} µs`);
      }
    rounds.push(row);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Per measurement: the median over rounds of the per-round ratio, and the absolute medians.
const summarise = (pick) => {
  const y = rounds.map((r) => pick(r).yardstick);
  const o = rounds.map((r) => pick(r).ours);
  return { yardstick: round1(median(y)), ours: round1(median(o)), ratio: median(o.map((v, i) => v / y[i])) };
};
const result = {
  method: "pinned (taskset -c 0, client and server on one CPU), raw JSON-RPC 2025-11-25 client, alternating rounds",
  machine: {
    node: process.version,
    cpus: (await import("node:os")).cpus().length,
    loadavg: (await import("node:os")).loadavg(),
    date: new Date().toISOString(),
  },
  settings: { rounds: ROUNDS, calls: CALLS, warmup: WARMUP, tools_list_first: LIST, cold_starts_per_round: COLD },
  cold_ms: summarise((r) => ({ yardstick: r.cold.yardstick_ms, ours: r.cold.ours_ms })),
  stdio_p50_us: Object.fromEntries(
    Object.keys(CALLS_README).map((k) => [
      k,
      summarise((r) => ({ yardstick: r.stdio[k].yardstick.p50, ours: r.stdio[k].ours.p50 })),
    ]),
  ),
  ...(HTTP
    ? {
        http_p50_us: Object.fromEntries(
          Object.keys(CALLS_README).map((k) => [
            k,
            summarise((r) => ({ yardstick: r.http[k].yardstick.p50, ours: r.http[k].ours.p50 })),
          ]),
        ),
      }
    : {}),
  rounds,
};
writeFileSync(join(ROOT, "bench", "pinned-results.json"), `${JSON.stringify(result, null, 2)}\n`);

const ratio = (v) => v.ratio.toFixed(2);
const lines = [
  `| pinned, raw client, median of ${ROUNDS} alternating rounds | yardstick | lean-sales-mcp | ratio |`,
  "|---|---|---|---|",
  `| cold start (spawn to initialize result) | ${result.cold_ms.yardstick} ms | ${result.cold_ms.ours} ms | ${ratio(result.cold_ms)} |`,
  ...Object.entries(result.stdio_p50_us).map(
    ([k, v]) => `| stdio \`${k}\` p50 | ${v.yardstick} µs | ${v.ours} µs | ${ratio(v)} |`,
  ),
  ...Object.entries(result.http_p50_us ?? {}).map(
    ([k, v]) => `| HTTP \`${k}\` p50 | ${v.yardstick} µs | ${v.ours} µs | ${ratio(v)} |`,
  ),
];
console.log(lines.join("\n"));
