// Invariants over every tool, and one schema snapshot per tool (a changed or missing snapshot
// fails CI, which runs vitest with --update=none).
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_TOOLS } from "../src/mcp/tools/index.js";
import { annotationsFor } from "../src/mcp/define.js";
import { connect, type Harness } from "./helpers/connect.js";

describe("the tool registry", () => {
  let h: Harness;
  let listed: any[];
  beforeAll(async () => {
    h = await connect();
    listed = (await h.client.listTools()).tools;
  });
  afterAll(() => h.close());

  it("every tool file is in ALL_TOOLS and every tool has its own test file", () => {
    const files = readdirSync("src/mcp/tools").filter((f) => f !== "index.ts");
    const names = ALL_TOOLS.map((t) => t.name).sort();
    const toolFiles = files.map((f) => f.replace(/\.ts$/, "")).filter((n) => !["deal_view"].includes(n));
    expect(toolFiles.sort()).toEqual(names);
    const tests = readdirSync("test/tools").map((f) => f.replace(/\.test\.ts$/, ""));
    for (const n of names) expect(tests, `test/tools/${n}.test.ts`).toContain(n);
  });

  it("lists every tool with a unique snake_case name", () => {
    expect(listed.map((t) => t.name).sort()).toEqual(ALL_TOOLS.map((t) => t.name).sort());
    for (const t of listed) expect(t.name).toMatch(/^[a-z][a-z0-9_]{2,39}$/);
  });

  // A parameter explains itself by its name and type, an enum, a date format, or a one-line hint;
  // every word a model reads here is paid for in every conversation (see bench/context.mjs).
  const SELF_EXPLAINING = new Set([
    "name",
    "quota",
    "account",
    "owner",
    "amount",
    "industry",
    "employees",
    "annual_revenue",
    "actively_evaluating",
    "dry_run",
    "request_id",
    "summary",
    "label",
    "confirm_name",
    "reason",
    "override_reason",
    "close_reason",
    "cursor",
    "csv",
    "path",
    "mapping",
    "deal_id",
  ]);
  it("every tool has a title, a short agent-facing description with an example, and parameters that explain themselves", () => {
    for (const t of listed) {
      expect(t.title, t.name).toBeTruthy();
      expect(t.description.length, t.name).toBeLessThanOrEqual(600);
      expect(t.description, t.name).toMatch(/Example: \{/);
      for (const [key, prop] of Object.entries<any>(t.inputSchema.properties ?? {})) {
        const explained =
          prop.description ||
          prop.enum ||
          prop.format ||
          ["object", "array", "boolean"].includes(prop.type) ||
          SELF_EXPLAINING.has(key);
        expect(explained, `${t.name}.${key}`).toBeTruthy();
      }
      expect(t.inputSchema.additionalProperties, t.name).toBe(false);
      expect(t.inputSchema.anyOf ?? t.inputSchema.oneOf, t.name).toBeUndefined();
      expect(t.outputSchema?.type, t.name).toBe("object");
    }
  });

  it("annotations are derived from the tool's kind, all four always present", () => {
    for (const def of ALL_TOOLS) {
      const t = listed.find((x) => x.name === def.name);
      expect(t.annotations).toMatchObject(annotationsFor(def.kind));
      expect(t.annotations.openWorldHint).toBe(false);
      if (def.kind !== "read") expect(Object.keys(t.inputSchema.properties)).toContain("request_id");
    }
  });

  it.each(ALL_TOOLS.map((t) => t.name))("%s matches its schema snapshot", async (name) => {
    const t = listed.find((x) => x.name === name);
    await expect(JSON.stringify(t, null, 2) + "\n").toMatchFileSnapshot(`./__snapshots__/tools/${name}.json`);
  });
});
