import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";
import { build } from "../helpers/build.js";

describe("record_baseline", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await connect({ now: "2026-11-28T12:00:00Z" });
    build(h, {
      owner: "Dana",
      amount: 10000,
      created: "2026-01-01",
      moves: ["2026-01-11"],
      close: { status: "won", at: "2026-03-02" },
    });
  });
  afterAll(() => h.close());

  it("snapshots the metrics under a label, and replaces it when recorded again", async () => {
    const r = await h.callOk("record_baseline", { label: "kickoff", as_of: "2026-06-30" });
    expect(r).toMatchObject({ label: "kickoff", as_of: "2026-06-30T23:59:59.999Z", replaced: false });
    expect(r.metrics.deals_closed.won).toBe(1);
    const again = await h.callOk("record_baseline", { label: "kickoff", as_of: "2026-07-31" });
    expect(again.replaced).toBe(true);
  });

  it("refuses a blank label", async () => {
    expect(await h.callError("record_baseline", { label: "  " })).toMatch(/label/);
  });
});
