// What lean-sales-mcp costs an agent's context, over stdio against the built bin on the
// 300-deal demo store: the model-visible tool definitions fit 24,000 characters, and no default
// answer (each example in a tool's description, and {} where it is a valid call) passes 12,000.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/connect.js";
import { binPath, childEnv } from "../helpers/spawn.js";

const DEFINITIONS_MAX = 24_000;
const ANSWER_MAX = 12_000;

function examples(description: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
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

describe("sized for an agent's context (built server, demo store)", () => {
  const tmp = tempDir("lsm-context-");
  const db = join(tmp.dir, "deals.db");
  let child: ChildProcessWithoutNullStreams;
  let next = 1;
  const waiting = new Map<number, (m: any) => void>();
  const call = (method: string, params: unknown) =>
    new Promise<any>((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      child.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
    });
  let tools: any[];

  beforeAll(async () => {
    const env = { ...childEnv(), LEAN_SALES_USER: "Dana Lee" };
    execFileSync(process.execPath, [binPath(), "demo", "--db", db, "--as-of", "2026-11-28"], { env, stdio: "ignore" });
    child = spawn(process.execPath, [binPath(), "--db", db], { env, stdio: ["pipe", "pipe", "pipe"] });
    let buf = "";
    child.stdout.on("data", (d) => {
      buf += d;
      for (let i; (i = buf.indexOf("\n")) >= 0; buf = buf.slice(i + 1)) {
        const msg = JSON.parse(buf.slice(0, i));
        waiting.get(msg.id)?.(msg);
      }
    });
    await call("initialize", { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "context-test", version: "0" } });
    child.stdin.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n");
    tools = (await call("tools/list", {})).result.tools;
  });
  afterAll(() => {
    child?.kill();
    tmp.cleanup();
  });

  it(`the tool definitions a model sees (name, title, description, input schema) fit ${DEFINITIONS_MAX.toLocaleString("en-US")} characters`, () => {
    const size = tools.reduce((n, t) => n + JSON.stringify({ name: t.name, title: t.title, description: t.description, inputSchema: t.inputSchema }).length, 0);
    process.stderr.write(`tool definitions: ${tools.length} tools, ${size} characters\n`);
    expect(size).toBeLessThanOrEqual(DEFINITIONS_MAX);
  });

  it(`no default answer passes ${ANSWER_MAX.toLocaleString("en-US")} characters (text plus structuredContent)`, async () => {
    const sizes: Record<string, number> = {};
    for (const t of tools) {
      if (t.annotations?.destructiveHint) continue; // examples of destructive tools are run on their own stores
      for (const args of [{}, ...examples(t.description)]) {
        const r = await call("tools/call", { name: t.name, arguments: args });
        if (r.result?.isError) continue;
        const size = (r.result.content as any[]).reduce((n, c) => n + (c.text?.length ?? 0) + (c.type === "resource_link" ? JSON.stringify(c).length : 0), 0) + JSON.stringify(r.result.structuredContent ?? {}).length;
        sizes[t.name] = Math.max(sizes[t.name] ?? 0, size);
      }
    }
    process.stderr.write(`largest default answers: ${JSON.stringify(sizes)}\n`);
    for (const [tool, size] of Object.entries(sizes)) expect(size, tool).toBeLessThanOrEqual(ANSWER_MAX);
    expect(Object.keys(sizes)).toEqual(expect.arrayContaining(["find_waste", "list_deals", "pipeline_report", "export_deals", "pipeline_metrics"]));
  });

  it("defaults stay useful: 25 compact rows in list_deals, the deals to act on first in every pipeline finding", async () => {
    const list = (await call("tools/call", { name: "list_deals", arguments: {} })).result.structuredContent;
    expect(list.deals).toHaveLength(25);
    const waste = (await call("tools/call", { name: "find_waste", arguments: {} })).result.structuredContent;
    for (const f of waste.findings) expect(f.deal_ids.length, f.rule).toBeGreaterThan(0);
    expect(waste.actions.length).toBeGreaterThan(0);
    expect(waste.actions[0].owners.length).toBeGreaterThan(0);
  });
});
