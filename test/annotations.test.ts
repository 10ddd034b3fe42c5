// Annotations tell the truth: every example in every tool description is a valid call, and no
// read-only tool writes (the database is hashed before and after).
import { copyFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ALL_TOOLS } from "../src/mcp/tools/index.js";
import { textOf } from "../src/mcp/define.js";
import { connect, methodology, type Harness } from "./helpers/connect.js";
import { dbHash } from "./helpers/dbhash.js";

function examples(description: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const text = description.slice(description.indexOf("Example:"));
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

describe("tool annotations and examples", () => {
  // A fresh store per tool, so one tool's example cannot change what another's finds.
  let h: Harness;
  beforeEach(async () => {
    h = await connect({ now: "2026-11-28T12:00:00Z" });
    h.store.transaction(() => {
      for (let i = 1; i <= 45; i++) {
        const stage = i % 3 ? "discovery" : "prospecting";
        h.store.createDeal(
          {
            name: i === 42 ? "Acme - fleet rollout" : `Deal ${i}`,
            account: `Account ${i}`,
            owner: i % 2 ? "Dana Lee" : "Sam Ortiz",
            amount: 1000 * i,
            currency: "USD",
            stage: i === 42 ? "discovery" : stage,
            stage_index: i === 42 || i % 3 ? 1 : 0,
            created_at: "2026-06-01T00:00:00.000Z",
            stage_entered_at: "2026-06-01T00:00:00.000Z",
          },
          "2026-11-28T12:00:00.000Z",
        );
      }
    });
    await h.callOk("close_deal", { deal_id: "D-0045", outcome: "won", reason: "Fit", closed_at: "2026-09-01" });
    await h.callOk("record_baseline", { label: "lean-kickoff", as_of: "2026-09-30" });
  });
  afterEach(() => h.close());

  it.each(ALL_TOOLS.map((t) => [t.name, t.kind] as const))(
    "%s (%s): its examples are valid calls, and read-only means no write",
    async (name, kind) => {
      const def = ALL_TOOLS.find((t) => t.name === name)!;
      const list = examples(textOf(def.description, methodology()));
      expect(list.length).toBeGreaterThan(0);
      for (const args of list) {
        // An example file path (import_deals) stands for a real export: use a fixture of that shape.
        if (typeof args.path === "string" && !existsSync(args.path)) {
          const copy = join(tmpdir(), `lsm-example-${process.pid}.csv`);
          copyFileSync("test/fixtures/hubspot-deals.csv", copy);
          args.path = copy;
        }
        const before = dbHash(h.store);
        const r = await h.call(name, args);
        const text = (r.content as Array<{ text: string }>)[0]!.text;
        expect(r.isError, `${name} ${JSON.stringify(args)}: ${text}`).toBeFalsy();
        if (kind === "read") expect(dbHash(h.store), `${name} wrote to the store`).toBe(before);
      }
    },
  );
});
