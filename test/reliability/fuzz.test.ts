// F1: property fuzzing of every tool through the built bin over stdio (reliability findings §3.2,
// plan F1). Arguments come from each tool's advertised inputSchema plus hostile values. 200 runs
// per tool with a fixed seed, then 30 with a random seed that is logged (rerun it with
// LEAN_SALES_FUZZ_SEED=<seed>); the long variant runs 5,000 per tool.
import { afterAll, describe, expect, it } from "vitest";
import {
  connectRecording,
  judgeAnswer,
  rawExchange,
  randomSeed,
  recordFigures,
  runFuzzSuite,
  type ToolFuzzStats,
} from "../helpers/fuzz.js";
import { cleanupE2E, tempDb } from "../helpers/spawn.js";

afterAll(cleanupE2E);

const FIXED_SEED = 20261128;
const RANDOM_RUNS = 30;

describe("F1: every tool under property fuzzing over stdio", () => {
  it("the answer check itself rejects what it must (so a passing run means something)", () => {
    const fields = new Set(["name", "amount", "deal_id"]);
    const err = (text: string) => ({ isError: true, content: [{ type: "text", text }] });
    expect(judgeAnswer(err("Input validation error: must not be blank at name"), fields)).toBeUndefined();
    expect(judgeAnswer(err("No deal D-0042. Call list_deals to find deal ids."), fields)).toBeUndefined();
    expect(judgeAnswer({ content: [], structuredContent: { deal: {} } }, fields)).toBeUndefined();
    expect(judgeAnswer(err(""), fields)).toMatch(/without a message/);
    expect(judgeAnswer(err('[\n  {\n    "code": "invalid_type", "path": ["x"] }]'), fields)).toMatch(
      /raw validator dump/,
    );
    expect(judgeAnswer(err("TypeError: x is undefined\n    at handle (/app/dist/chunk.js:1:2)"), fields)).toMatch(
      /stack trace/,
    );
    expect(
      judgeAnswer(err("create_deal failed with an internal error (ref 1a2b3c4d); nothing was written."), fields),
    ).toMatch(/internal error/);
    expect(judgeAnswer(err("Output validation error: Invalid structured content for tool get_deal"), fields)).toMatch(
      /outputSchema/,
    );
    expect(judgeAnswer(err("Something went wrong."), fields)).toMatch(/names no field/);
    expect(judgeAnswer({ content: [{ type: "text", text: "ok" }] }, fields)).toMatch(/without structuredContent/);
  });

  it(
    `200 fixed-seed and ${RANDOM_RUNS} random-seed runs per tool: no crash, every answer a named refusal or schema-valid, refused writes change nothing, stdout all JSON-RPC`,
    { timeout: 300_000 },
    async () => {
      const seed = randomSeed("F1 fuzz");
      const suite = await runFuzzSuite([
        { seed: FIXED_SEED, runs: 200 },
        { seed, runs: RANDOM_RUNS },
      ]);
      const { c } = suite;
      try {
        const [fixed, random] = suite.runs.map((r) => r.stats) as [ToolFuzzStats, ToolFuzzStats];
        const tools = (await c.client.listTools()).tools.length;
        expect(fixed.tools).toBe(tools);
        expect(fixed.failures, fixed.failures.join("\n\n")).toEqual([]);
        expect(random.failures, random.failures.join("\n\n")).toEqual([]);
        for (const [name, t] of Object.entries(fixed.byTool)) expect(t.calls, name).toBeGreaterThanOrEqual(200);
        // Alive, and every line it wrote on stdout was JSON-RPC.
        await expect(c.client.ping()).resolves.toBeDefined();
        expect(c.transport.alive).toBe(true);
        expect(c.transport.report.bad).toEqual([]);
        expect(c.transport.stderr()).not.toMatch(/unhandled rejection|"msg":"tool failed"/);
        recordFigures("F1", {
          tools,
          calls: fixed.calls + random.calls,
          ok: fixed.ok + random.ok,
          is_error: fixed.isError + random.isError,
          min_calls_per_tool: Math.min(...Object.values(fixed.byTool).map((t) => t.calls)),
          fixed_seed: FIXED_SEED,
          random_seed: seed,
          crashes: c.transport.alive ? 0 : 1,
          non_jsonrpc_lines: c.transport.report.bad.length,
          stdout_lines: c.transport.report.lines,
          ms: fixed.ms + random.ms,
          by_tool: fixed.byTool,
        });
      } finally {
        await suite.cleanup();
      }
    },
  );

  it(
    "malformed params on any method (arguments not an object, a number as uri or name...) get -32602 naming the param, never -32603 with a raw validator dump",
    { timeout: 60_000 },
    async () => {
      const { db } = tempDb();
      const c = await connectRecording(db);
      try {
        const cases: Array<[string, unknown, RegExp]> = [
          ["tools/call", { name: "get_deal", arguments: "x" }, /arguments/],
          ["tools/call", { name: "create_deal", arguments: [1, 2] }, /arguments/],
          ["tools/call", { name: "get_deal", arguments: null }, /arguments/],
          ["tools/call", { name: 5 }, /name/],
          ["resources/read", { uri: 5 }, /uri/],
          ["prompts/get", { name: "stage_gate_review", arguments: { deal_id: 5 } }, /deal_id/],
          ["tools/list", { cursor: 5 }, /cursor/],
          ["completion/complete", {}, /ref|argument/],
          ["logging/setLevel", { level: "loud" }, /level/],
        ];
        for (const [i, [method, params, names]] of cases.entries()) {
          const id = 7000 + i;
          const a = await rawExchange(c, JSON.stringify({ jsonrpc: "2.0", id, method, params }), id);
          expect(a.error?.code, `${method} ${JSON.stringify(params)}: ${JSON.stringify(a)}`).toBe(-32602);
          expect(a.error.message).toMatch(names);
          expect(a.error.message).not.toMatch(/^\s*\[|"code"\s*:/);
        }
        await expect(c.client.ping()).resolves.toBeDefined();
        expect(c.transport.report.bad).toEqual([]);
      } finally {
        await c.close();
      }
    },
  );
});
