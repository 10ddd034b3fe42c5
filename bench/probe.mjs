// Quick timing of the analysis tools on one store: node bench/probe.mjs <db> [as_of]
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
const db = process.argv[2];
const asOf = process.argv[3] ?? "2026-11-28";
const child = spawn(process.execPath, ["dist/cli.js", "--db", db], { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, LEAN_SALES_LOG_LEVEL: "warn" } });
let buf = "";
const waiting = new Map();
child.stdout.on("data", (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf("\n")) >= 0) {
    const msg = JSON.parse(buf.slice(0, i));
    buf = buf.slice(i + 1);
    waiting.get(msg.id)?.(msg);
  }
});
let id = 0;
const call = (method, params) => new Promise((r) => { waiting.set(++id, r); child.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n"); });
await call("initialize", { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "p", version: "0" } });
for (const [name, args] of [["pipeline_metrics", { as_of: asOf }], ["find_waste", { as_of: asOf }], ["list_deals", { filters: { status: "open" }, limit: 25 }], ["score_lead", { segment: "mid_market_ready", budget: "approved" }], ["score_lead", { segment: "smb_ready", budget: "identified" }], ["win_loss_analysis", {}]]) {
  const t0 = performance.now();
  const r = await call("tools/call", { name, arguments: args });
  const ms = performance.now() - t0;
  console.log(name, Math.round(ms), "ms", r.result?.isError ? r.result.content[0].text.slice(0, 200) : JSON.stringify(r.result?.structuredContent).length + " bytes");
}
child.stdin.end();
