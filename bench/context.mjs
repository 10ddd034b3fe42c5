// Prints what lean-sales-mcp costs an agent's context (see context-measure.mjs) and writes
// bench/context-results.json. Usage: npm run build && npm run bench:context [-- --json]
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { measureContext } from "./context-measure.mjs";

const ROOT = new URL("..", import.meta.url).pathname;
const report = await measureContext({ cli: join(ROOT, "dist", "cli.js") });
if (process.argv.includes("--json")) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
else {
  const n = (x) => x.toLocaleString("en-US");
  const rows = [
    `tool definitions (${report.tools} tools): ${n(report.definitions_chars)} characters (~${n(Math.round(report.definitions_chars / 4))} tokens)`,
    "",
    "| tool | definition | largest default answer | call |",
    "|---|---:|---:|---|",
  ];
  for (const d of report.per_tool) {
    const a = report.largest_default_answer.find((x) => x.tool === d.name);
    rows.push(`| ${d.name} | ${n(d.chars)} | ${n(a.chars)} | \`${JSON.stringify(a.args)}\` |`);
  }
  process.stdout.write(rows.join("\n") + "\n");
}
writeFileSync(join(ROOT, "bench", "context-results.json"), JSON.stringify(report, null, 2) + "\n");
