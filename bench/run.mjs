// npm run bench: the numbers in bench/README.md.
// Builds demo stores of 100,000 and 1,000,000 deals with the deterministic demo generator (once;
// they are kept in bench/.data), then times, through the built server over stdio as a client
// sees it: pipeline_metrics, find_waste, a list_deals page, score_lead (training and one score)
// and a 100,000-row CSV import; medians over several runs and the server's peak memory (VmHWM).
// Then the transport benchmark against the yardstick (bench/transport.mjs).
//   BENCH_SIZES=100000 RUNS=5 node bench/run.mjs
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { lineClient, median, transportBench } from "./transport.mjs";

const ROOT = new URL("..", import.meta.url).pathname;
const DATA = join(ROOT, "bench", ".data");
const AS_OF = "2026-11-28";
/** A day months before AS_OF, when the demo's deals were still being worked. */
const DEEP = "2026-06-30";
const SIZES = (process.env.BENCH_SIZES ?? "100000,1000000").split(",").map(Number);
const RUNS = Number(process.env.RUNS ?? 5);
mkdirSync(DATA, { recursive: true });
process.chdir(ROOT);
if (!existsSync("dist/cli.js")) execFileSync("node", ["scripts/build.mjs"], { stdio: "inherit" });

const log = (...a) => process.stderr.write(`${a.join(" ")}\n`);

function server(args) {
  const child = spawn(process.execPath, ["dist/cli.js", ...args], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, LEAN_SALES_LOG_LEVEL: "warn" },
  });
  const { call, notify } = lineClient(child);
  return {
    child,
    async init() {
      await call("initialize", {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "bench", version: "0" },
      });
      notify("notifications/initialized");
    },
    async tool(name, args) {
      const t0 = performance.now();
      const r = await call("tools/call", { name, arguments: args });
      const ms = performance.now() - t0;
      if (r.error || r.result?.isError) throw new Error(`${name}: ${JSON.stringify(r.error ?? r.result.content)}`);
      return { ms, result: r.result.structuredContent };
    },
    peakMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024;
    },
    async stop() {
      child.stdin.end();
      await new Promise((r) => child.once("exit", r));
    },
  };
}

const round = (v, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

async function store(size) {
  const db = join(DATA, `deals-${size}.db`);
  if (!existsSync(db)) {
    log(`building the ${size.toLocaleString("en-US")}-deal demo store (once)...`);
    const t0 = performance.now();
    execFileSync(
      process.execPath,
      ["dist/cli.js", "demo", "--deals", String(size), "--seed", "42", "--as-of", AS_OF, "--db", db],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    log(`  built in ${round((performance.now() - t0) / 1000)} s`);
  }
  // Brings an older store up to the current schema before timing anything.
  execFileSync(process.execPath, ["dist/cli.js", "status", "--db", db], { stdio: "ignore" });
  return db;
}

async function analyses(size) {
  const db = await store(size);
  const s = server(["--db", db]);
  await s.init();
  const out = {};
  // vary(i) gives each run its own arguments, so an answer cached from the run before cannot be reused.
  const time = async (label, name, args, runs = RUNS, vary = () => args) => {
    const first = (await s.tool(name, args)).ms;
    const ms = [];
    for (let i = 0; i < runs; i++) ms.push((await s.tool(name, vary(i))).ms);
    out[label] = { first_ms: round(first), median_ms: round(median(ms)) };
    log(`  ${label}: first ${round(first)} ms, median ${round(median(ms))} ms`);
  };
  await time("pipeline_metrics", "pipeline_metrics", { as_of: AS_OF });
  // find_waste keeps its last answers until the store changes: each run asks as of another second.
  await time("find_waste", "find_waste", { as_of: AS_OF }, RUNS, (i) => ({
    as_of: `${AS_OF}T12:00:${String(i).padStart(2, "0")}Z`,
  }));
  await time("find_waste (repeated, cached)", "find_waste", { as_of: AS_OF });
  // AS_OF is the demo's last day: most deals are settled by their own row then. Today (no as_of)
  // reads the maintained counters; a day long before the store was written (DEEP) rebuilds every
  // open deal from its stage history, activities and qualifications.
  await time("pipeline_metrics (today)", "pipeline_metrics", {});
  await time(`pipeline_metrics (as of ${DEEP})`, "pipeline_metrics", { as_of: DEEP });
  await time(`find_waste (as of ${DEEP})`, "find_waste", { as_of: DEEP }, RUNS, (i) => ({
    as_of: `${DEEP}T12:00:${String(i).padStart(2, "0")}Z`,
  }));
  await time("list_deals page", "list_deals", { filters: { status: "open", stage: "discovery" }, limit: 25 }, 20);
  const page = (await s.tool("list_deals", { filters: { status: "open" }, limit: 25 })).result;
  await time(
    "list_deals next page",
    "list_deals",
    { filters: { status: "open" }, limit: 25, cursor: page.next_cursor },
    20,
  );
  await time("win_loss_analysis", "win_loss_analysis", {});
  out.peak_mb = round(s.peakMb());
  await s.stop();

  // score_lead: the first call in a fresh process trains the model; later calls reuse it.
  const training = [];
  const scores = [];
  let quality;
  for (let i = 0; i < Math.max(3, Math.ceil(RUNS / 2)); i++) {
    const t = server(["--db", db]);
    await t.init();
    const args = {
      segment: "mid_market_ready",
      source: "referral",
      budget: "identified",
      need: "confirmed",
      amount: 40000,
    };
    const first = await t.tool("score_lead", args);
    training.push(first.ms);
    quality = {
      auc: first.result.auc,
      brier: first.result.brier,
      bant_auc: first.result.bant_auc,
      trained_on: first.result.trained_on.total,
    };
    for (let k = 0; k < 20; k++) scores.push((await t.tool("score_lead", args)).ms);
    out.peak_mb = Math.max(out.peak_mb, round(t.peakMb()));
    await t.stop();
  }
  out["score_lead training"] = { median_ms: round(median(training)) };
  out["score_lead one score"] = { median_ms: round(median(scores), 2) };
  out.score_quality = quality;
  log(
    `  score_lead: training ${round(median(training))} ms, one score ${round(median(scores), 2)} ms, AUC ${quality.auc}`,
  );
  return out;
}

/** A HubSpot-shaped deal export, deterministic. */
function hubspotCsv(rows) {
  const stages = [
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
  ];
  const owners = ["Dana Lee", "Sam Ortiz", "Priya Shah", "Li Wei", "Alex Kim", "Maria Rossi"];
  const lines = ["Record ID,Deal Name,Associated Company,Deal owner,Amount,Deal Stage,Create Date,Close Date,Pipeline"];
  let x = 42;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 1; i <= rows; i++) {
    const month = String(1 + Math.floor(rnd() * 10)).padStart(2, "0");
    const day = String(1 + Math.floor(rnd() * 27)).padStart(2, "0");
    const stage = stages[Math.floor(rnd() * stages.length)];
    const closed = stage.startsWith("closed") ? `2026-11-${day}` : "";
    lines.push(
      `${900000 + i},"Deal ${i}, renewal",Company ${i % 5000},${owners[i % owners.length]},${Math.round(5000 + rnd() * 200000)},${stage},2026-${month}-${day} 10:00,${closed},default`,
    );
  }
  return lines.join("\r\n") + "\r\n";
}

async function importBench() {
  const csv = join(DATA, "import-100000.csv");
  if (!existsSync(csv)) writeFileSync(csv, hubspotCsv(100_000));
  const times = [];
  let peak = 0;
  for (let i = 0; i < Math.max(3, Math.ceil(RUNS / 2)); i++) {
    const db = join(DATA, `import-run.db`);
    for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
    const s = server(["--db", db, "--import-root", DATA]);
    await s.init();
    const r = await s.tool("import_deals", { path: csv, format: "hubspot" });
    if (r.result.created !== 100_000) throw new Error(`import created ${r.result.created}`);
    times.push(r.ms);
    peak = Math.max(peak, s.peakMb());
    await s.stop();
  }
  const ms = median(times);
  log(`  import 100,000 rows: ${round(ms)} ms (${Math.round(100_000 / (ms / 1000)).toLocaleString("en-US")} rows/s)`);
  return { median_ms: round(ms), rows_per_s: Math.round(100_000 / (ms / 1000)), peak_mb: round(peak) };
}

const results = {
  machine: { node: process.version, cpus: (await import("node:os")).cpus().length, date: new Date().toISOString() },
  sizes: {},
};
for (const size of SIZES) {
  log(`\n${size.toLocaleString("en-US")} deals`);
  results.sizes[size] = { ...(await analyses(size)), measured: results.machine.date };
}
// Sizes left out of this run (BENCH_SIZES) keep their figures from the last results, with their date.
const RESULTS = join(ROOT, "bench", "results.json");
if (existsSync(RESULTS)) {
  const before = JSON.parse(readFileSync(RESULTS, "utf8"));
  for (const [size, figures] of Object.entries(before.sizes ?? {}))
    results.sizes[size] ??= { ...figures, measured: figures.measured ?? before.machine?.date };
}
log("\nimport");
results.import = await importBench();
log("\ntransport (against the yardstick)");
results.transport = await transportBench({
  runs: Number(process.env.COLD_RUNS ?? 15),
  calls: Number(process.env.CALLS ?? 1000),
});
writeFileSync(RESULTS, JSON.stringify(results, null, 2) + "\n");

// The tables for bench/README.md.
const t = results.transport;
const ALL = Object.keys(results.sizes)
  .map(Number)
  .sort((a, b) => a - b);
const lines = [
  `| operation | ${ALL.map((s) => `${s.toLocaleString("en-US")} deals${SIZES.includes(s) ? "" : ` (${results.sizes[s].measured?.slice(0, 10)})`}`).join(" | ")} |`,
  `|---|${ALL.map(() => "---").join("|")}|`,
  ...[
    "pipeline_metrics",
    "find_waste",
    "find_waste (repeated, cached)",
    "pipeline_metrics (today)",
    `pipeline_metrics (as of ${DEEP})`,
    `find_waste (as of ${DEEP})`,
    "list_deals page",
    "list_deals next page",
    "win_loss_analysis",
    "score_lead training",
    "score_lead one score",
  ].map(
    (k) =>
      `| ${k} | ${ALL.map((s) => (results.sizes[s][k] ? `${results.sizes[s][k].median_ms} ms` : "-")).join(" | ")} |`,
  ),
  `| peak memory (server) | ${ALL.map((s) => `${results.sizes[s].peak_mb} MB`).join(" | ")} |`,
  "",
  `Import of 100,000 HubSpot rows: ${results.import.median_ms} ms, ${results.import.rows_per_s.toLocaleString("en-US")} rows/s, peak ${results.import.peak_mb} MB.`,
  "",
  `| transport | yardstick | lean-sales-mcp | ratio |`,
  `|---|---|---|---|`,
  `| cold start (spawn to initialize result) | ${round(t.cold.yardstick_ms)} ms | ${round(t.cold.ours_ms)} ms | ${round(t.cold.ratio, 2)} |`,
  ...Object.entries(t.stdio.ours).map(
    ([k, v]) =>
      `| stdio ${k} p50 / p99 | ${t.stdio.yardstick.p50_us} / ${t.stdio.yardstick.p99_us} µs | ${v.p50_us} / ${v.p99_us} µs | ${round(v.p50_us / t.stdio.yardstick.p50_us, 2)} |`,
  ),
  ...Object.entries(t.http.ours).map(
    ([k, v]) =>
      `| HTTP ${k} p50 / p99 | ${t.http.yardstick.p50_us} / ${t.http.yardstick.p99_us} µs | ${v.p50_us} / ${v.p99_us} µs | ${round(v.p50_us / t.http.yardstick.p50_us, 2)} |`,
  ),
];
console.log(lines.join("\n"));
