// What lean-sales-mcp costs an agent's context, measured as a client sees it over stdio on the
// 300-deal demo store: the model-visible tool definitions (name, title, description, input
// schema, as JSON) and, per tool, the largest answer (text plus structuredContent) to a default
// call: {} where that is a valid call, and every example in the tool's description. Examples name
// D-0042; where the demo's D-0042 cannot take the call (it is closed, or in another stage) the
// example is retried on an open deal in the stage the example is about; an example's import file is
// the matching test fixture; a tool whose calls all failed is tried again after the others (a
// baseline must be recorded before it can be compared). So every tool is measured.
// Shared by `npm run bench:context` and test/e2e/context.test.ts.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { lineClient } from "./transport.mjs";

/** The JSON objects written after "Example" in a description. */
export function examples(description) {
  const out = [];
  const text = description.slice(Math.max(0, description.indexOf("Example")));
  for (let i = text.indexOf("{"); i >= 0; i = text.indexOf("{", i + 1)) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      if (text[j] === "{") depth++;
      if (text[j] === "}" && --depth === 0) {
        out.push(JSON.parse(text.slice(i, j + 1)));
        i = j;
        break;
      }
    }
  }
  return out;
}

/** Characters a model receives: every text block, resource links as JSON, and structuredContent. */
export const answerSize = (result) =>
  (result?.content ?? []).reduce(
    (n, c) =>
      n +
      (c.text?.length ?? 0) +
      (c.resource?.text?.length ?? 0) +
      (c.type === "resource_link" ? JSON.stringify(c).length : 0),
    0,
  ) + JSON.stringify(result?.structuredContent ?? {}).length;

export const definitionSize = (t) =>
  JSON.stringify({ name: t.name, title: t.title, description: t.description, inputSchema: t.inputSchema }).length;

/**
 * Builds the demo store in a temporary folder, serves it from `cli` over stdio, and measures.
 * Destructive tools are called last, so the other answers are measured on the demo as built.
 */
export async function measureContext({ cli, env = {} }) {
  const dir = mkdtempSync(join(tmpdir(), "lsm-context-"));
  const db = join(dir, "deals.db");
  const childEnv = { ...process.env, LEAN_SALES_LOG_LEVEL: "warn", LEAN_SALES_USER: "Dana Lee", ...env };
  execFileSync(process.execPath, [cli, "demo", "--db", db, "--as-of", "2026-11-28"], {
    env: childEnv,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const fixtures = new URL("../test/fixtures/", import.meta.url).pathname;
  const child = spawn(process.execPath, [cli, "--db", db, "--import-root", dir], {
    env: childEnv,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const client = lineClient(child);
  const { call } = client;
  try {
    const tools = await listAfterHandshake(client);
    const tool = async (name, args) => (await call("tools/call", { name, arguments: args })).result;
    const openDeal = async (stage) => {
      const r = await tool("list_deals", { filters: { status: "open", ...(stage ? { stage } : {}) }, limit: 1 });
      return r?.structuredContent?.deals?.[0];
    };
    const onOpenDeal = async (args) => {
      const stage = args.stage ?? (args.met || args.evidence ? "discovery" : undefined);
      const deal = (await openDeal(stage)) ?? (await openDeal());
      if (!deal) return undefined;
      const { stage: _stage, ...rest } = args;
      return { ...rest, deal_id: deal.id, ...(args.confirm_name ? { confirm_name: deal.name } : {}) };
    };
    const withFixture = (args) => {
      const file = join(fixtures, basename(args.path));
      if (!existsSync(file)) return undefined;
      copyFileSync(file, join(dir, basename(args.path)));
      return { ...args, path: join(dir, basename(args.path)) };
    };
    const ordered = [...tools].sort(
      (a, b) => Number(!!a.annotations?.destructiveHint) - Number(!!b.annotations?.destructiveHint),
    );
    const measure = async (t) => {
      let largest = { chars: 0, args: null };
      for (const given of [{}, ...examples(t.description)]) {
        let args = given;
        let r = await tool(t.name, args);
        if ((!r || r.isError) && typeof given.deal_id === "string") {
          args = await onOpenDeal(given);
          r = args ? await tool(t.name, args) : undefined;
        }
        if ((!r || r.isError) && typeof given.path === "string") {
          args = withFixture(given);
          r = args ? await tool(t.name, args) : undefined;
        }
        if (!r || r.isError) continue;
        const chars = answerSize(r);
        if (chars > largest.chars) largest = { chars, args };
      }
      return { tool: t.name, destructive: !!t.annotations?.destructiveHint, ...largest };
    };
    const answers = [];
    for (const t of ordered) answers.push(await measure(t));
    for (const [i, a] of answers.entries()) if (!a.chars) answers[i] = await measure(ordered[i]);
    const per_tool = tools.map((t) => ({ name: t.name, chars: definitionSize(t), description: t.description.length }));
    return {
      tools: tools.length,
      definitions_chars: per_tool.reduce((n, d) => n + d.chars, 0),
      per_tool,
      largest_default_answer: answers,
    };
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The 2025-11-25 handshake, then the tools a model is shown. */
async function listAfterHandshake({ call, notify }) {
  await call("initialize", {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "context-measure", version: "0" },
  });
  notify("notifications/initialized");
  return (await call("tools/list", {})).result.tools;
}

/**
 * The tool definitions alone (what tools/list costs), served from `cli` with `args` (e.g. a team's
 * --methodology folder) on an empty store: they do not depend on the deals.
 */
export async function measureDefinitions({ cli, args = [], env = {} }) {
  const dir = mkdtempSync(join(tmpdir(), "lsm-definitions-"));
  const child = spawn(process.execPath, [cli, "--db", join(dir, "deals.db"), ...args], {
    env: { ...process.env, LEAN_SALES_LOG_LEVEL: "warn", ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const client = lineClient(child);
  const { call } = client;
  try {
    const tools = await listAfterHandshake(client);
    const per_tool = tools.map((t) => ({ name: t.name, chars: definitionSize(t) }));
    return { tools: tools.length, definitions_chars: per_tool.reduce((n, d) => n + d.chars, 0), per_tool };
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
