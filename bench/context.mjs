// What lean-sales-mcp costs an agent's context, measured as a client sees it over stdio on the
// 300-deal demo store: the model-visible tool definitions (name, title, description, input
// schema, as JSON) and, per tool, the largest answer to a default call (every example in its
// description, and {} where that is a valid call), text plus structuredContent.
// Usage: npm run bench:context [-- --json]   (builds nothing: run `npm run build` first)
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lineClient } from "./transport.mjs";

const ROOT = new URL("..", import.meta.url).pathname;
const CLI = join(ROOT, "dist", "cli.js");
const dir = mkdtempSync(join(tmpdir(), "lsm-context-"));
const db = join(dir, "deals.db");
const env = { ...process.env, LEAN_SALES_LOG_LEVEL: "warn", LEAN_SALES_USER: "Dana Lee" };

execFileSync(process.execPath, [CLI, "demo", "--db", db, "--as-of", "2026-11-28"], { env, stdio: ["ignore", "ignore", "inherit"] });
const child = spawn(process.execPath, [CLI, "--db", db], { env, stdio: ["pipe", "pipe", "inherit"] });
const { call, notify } = lineClient(child);

function examples(description) {
  const out = [];
  const text = description.slice(Math.max(0, description.indexOf("Example")));
  for (let i = text.indexOf("{"); i >= 0; i = text.indexOf("{", i + 1)) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      if (text[j] === "{") depth++;
      if (text[j] === "}" && --depth === 0) {
        try {
          out.push(JSON.parse(text.slice(i, j + 1)));
        } catch {}
        i = j;
        break;
      }
    }
  }
  return out;
}

const size = (r) => (r.result?.content ?? []).reduce((n, c) => n + (c.text?.length ?? 0) + (c.resource?.text?.length ?? 0) + (c.type === "resource_link" ? JSON.stringify(c).length : 0), 0) + JSON.stringify(r.result?.structuredContent ?? {}).length;

try {
  await call("initialize", { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "context-bench", version: "0" } });
  notify("notifications/initialized");
  const { result } = await call("tools/list", {});
  const tools = result.tools;
  const defs = tools.map((t) => ({ name: t.name, chars: JSON.stringify({ name: t.name, title: t.title, description: t.description, inputSchema: t.inputSchema }).length, description: t.description.length }));
  const total = defs.reduce((n, d) => n + d.chars, 0);
  const answers = [];
  for (const t of tools) {
    let largest = { chars: 0, args: null, error: null };
    // Destructive examples run last on a copy would change the store; they are measured as given.
    for (const args of [{}, ...examples(t.description)]) {
      const r = await call("tools/call", { name: t.name, arguments: args });
      if (r.error || r.result?.isError) continue;
      const chars = size(r);
      if (chars > largest.chars) largest = { chars, args };
    }
    answers.push({ tool: t.name, ...largest });
  }
  const report = { tools: tools.length, definitions_chars: total, per_tool: defs, largest_default_answer: answers };
  if (process.argv.includes("--json")) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else {
    const rows = [`tool definitions (${tools.length} tools): ${total.toLocaleString("en-US")} characters (~${Math.round(total / 4).toLocaleString("en-US")} tokens)`, "", "| tool | definition | largest default answer | call |", "|---|---:|---:|---|"];
    for (const d of defs) {
      const a = answers.find((x) => x.tool === d.name);
      rows.push(`| ${d.name} | ${d.chars.toLocaleString("en-US")} | ${a.chars.toLocaleString("en-US")} | \`${JSON.stringify(a.args)}\` |`);
    }
    process.stdout.write(rows.join("\n") + "\n");
  }
  writeFileSync(join(ROOT, "bench", "context-results.json"), JSON.stringify(report, null, 2) + "\n");
} finally {
  child.kill();
  rmSync(dir, { recursive: true, force: true });
}
