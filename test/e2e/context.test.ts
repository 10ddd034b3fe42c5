// What lean-sales-mcp costs an agent's context, through the built bin over stdio on the 300-deal
// demo store (the same measurement as `npm run bench:context`): the model-visible tool
// definitions fit 24,000 characters, and no tool's default answer ({} where valid, and each
// example in its description) passes 12,000.
import { beforeAll, describe, expect, it } from "vitest";
import { measureContext, measureDefinitions, type ContextReport } from "../../bench/context-measure.mjs";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dataDir } from "../../src/paths.js";
import { binPath, childEnv, connectStdio, tempDb } from "../helpers/spawn.js";

const DEFINITIONS_MAX = 24_000;
const ANSWER_MAX = 12_000;

describe("sized for an agent's context (built server, demo store)", () => {
  let report: ContextReport;
  beforeAll(async () => {
    report = await measureContext({ cli: binPath() });
  }, 120_000);

  it(`the tool definitions a model sees (name, title, description, input schema) fit ${DEFINITIONS_MAX.toLocaleString("en-US")} characters`, () => {
    process.stderr.write(`tool definitions: ${report.tools} tools, ${report.definitions_chars} characters\n`);
    expect(report.definitions_chars).toBeLessThanOrEqual(DEFINITIONS_MAX);
  });

  // tools/list shows the active framework's dimensions: every shipped framework must fit too.
  const shipped = JSON.parse(readFileSync(join(dataDir(), "qualification.json"), "utf8"));
  const frameworks: string[] = shipped.frameworks.map((f: { id: string }) => f.id);
  const definitionsWith = async (id: string) => {
    const team = mkdtempSync(join(tmpdir(), "lsm-framework-"));
    try {
      writeFileSync(join(team, "qualification.json"), JSON.stringify({ ...shipped, active: id }));
      const r = await measureDefinitions({ cli: binPath(), args: ["--methodology", team] });
      process.stderr.write(`tool definitions with ${id}: ${r.definitions_chars} characters\n`);
      return r.definitions_chars;
    } finally {
      rmSync(team, { recursive: true, force: true });
    }
  };
  it.each(frameworks)(
    `with %s active, the tool definitions fit ${DEFINITIONS_MAX.toLocaleString("en-US")} characters`,
    async (id) => expect(await definitionsWith(id)).toBeLessThanOrEqual(DEFINITIONS_MAX),
    60_000,
  );

  it(`every tool's default answer is measured, and none passes ${ANSWER_MAX.toLocaleString("en-US")} characters (text plus structuredContent)`, () => {
    const sizes = Object.fromEntries(report.largest_default_answer.map((a) => [a.tool, a.chars]));
    process.stderr.write(`largest default answers: ${JSON.stringify(sizes)}\n`);
    for (const a of report.largest_default_answer) {
      expect(a.chars, `${a.tool}: no default call or example succeeded`).toBeGreaterThan(0);
      expect(a.chars, a.tool).toBeLessThanOrEqual(ANSWER_MAX);
    }
  });

  it("defaults stay useful: 25 compact rows in list_deals, the deals to act on first in every pipeline finding", async () => {
    const { db, cleanup } = tempDb();
    execFileSync(process.execPath, [binPath(), "demo", "--db", db, "--as-of", "2026-11-28"], {
      env: childEnv(),
      stdio: "ignore",
    });
    const c = await connectStdio(db);
    try {
      const list = await c.callOk("list_deals", {});
      expect(list.deals).toHaveLength(25);
      const waste = await c.callOk("find_waste", {});
      for (const f of waste.findings) expect(f.deal_ids.length, f.rule).toBeGreaterThan(0);
      expect(waste.actions.length).toBeGreaterThan(0);
      expect(waste.actions[0].owners.length).toBeGreaterThan(0);
    } finally {
      await c.close();
      cleanup();
    }
  });
});
