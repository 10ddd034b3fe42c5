// The baseline comparison judges a known improvement as on track, and a decline as not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";
import { build } from "../helpers/build.js";

describe("compare_to_baseline", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await connect({ now: "2026-11-28T12:00:00Z" });
    // Before the baseline: 2 of 4 decided deals won, 60-day cycles.
    build(h, {
      owner: "Dana",
      amount: 10000,
      created: "2026-01-01",
      moves: [],
      close: { status: "won", at: "2026-03-02" },
    });
    build(h, {
      owner: "Dana",
      amount: 10000,
      created: "2026-02-01",
      moves: [],
      close: { status: "won", at: "2026-04-02" },
    });
    build(h, {
      owner: "Dana",
      amount: 10000,
      created: "2026-02-01",
      moves: [],
      close: { status: "lost", at: "2026-03-01" },
    });
    build(h, {
      owner: "Dana",
      amount: 10000,
      created: "2026-03-01",
      moves: [],
      close: { status: "lost", at: "2026-04-01" },
    });
    await h.callOk("record_baseline", { label: "kickoff", as_of: "2026-06-30" });
    // After: 4 of 5 won in 40-day cycles.
    for (const c of ["2026-07-01", "2026-07-10", "2026-07-20", "2026-08-01"]) {
      const closeAt = new Date(Date.parse(`${c}T00:00:00Z`) + 40 * 86_400_000).toISOString().slice(0, 10);
      build(h, { owner: "Dana", amount: 12000, created: c, moves: [], close: { status: "won", at: closeAt } });
    }
    build(h, {
      owner: "Dana",
      amount: 12000,
      created: "2026-07-05",
      moves: [],
      close: { status: "lost", at: "2026-08-20" },
    });
  });
  afterAll(() => h.close());

  it("judges a known improvement as on track, with percentage changes and reasons", async () => {
    const r = await h.callOk("compare_to_baseline", { label: "kickoff", as_of: "2026-09-30" });
    expect(r.months_elapsed).toBe(3);
    expect(r.changes.win_rate).toEqual({ baseline: 0.5, current: 0.8, change_pct: 60 });
    expect(r.changes.cycle_time_median_days).toMatchObject({ baseline: 60, current: 40 });
    const ind = Object.fromEntries(r.indicators.map((i: any) => [i.id, i]));
    expect(ind.cycle_time).toMatchObject({ improvement_pct: 33.3, status: "achieved" });
    expect(ind.win_rate).toMatchObject({ improvement_pct: 60, status: "achieved" });
    expect(r.on_track).toBe(true);
    expect(r.verdict).toBe("on_track");
    expect(r.__text).toMatch(/On track/);
  });

  it("judges a decline as not on track, and says why", async () => {
    // Later: five slow losses.
    for (const c of ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05"])
      build(h, { owner: "Dana", amount: 1, created: "2026-05-01", moves: [], close: { status: "lost", at: c } });
    const r = await h.callOk("compare_to_baseline", {
      label: "kickoff",
      as_of: "2026-10-31",
      filters: { from: "2026-10-01" },
    });
    expect(r.on_track).toBe(false);
    expect(r.verdict).toBe("behind");
    expect(r.indicators.find((i: any) => i.id === "win_rate")).toMatchObject({
      current: 0,
      improvement_pct: -100,
      status: "behind",
    });
    expect(r.reasons.join(" ")).toMatch(/win rate.*-100%.*needs/);
  });

  it("says it is too early when the period since the baseline holds too few deals", async () => {
    const r = await h.callOk("compare_to_baseline", {
      label: "kickoff",
      as_of: "2026-12-31",
      filters: { from: "2026-11-01" },
    });
    expect(r).toMatchObject({ verdict: "too_early", on_track: false });
    expect(r.indicators.find((i: any) => i.id === "win_rate")).toMatchObject({ status: "not_measurable" });
    expect(r.reasons.join(" ")).toMatch(
      /too early to judge, 0 deals won or lost since the baseline \(needs at least 5\)/,
    );
  });

  it("an unknown label lists the recorded ones", async () => {
    expect(await h.callError("compare_to_baseline", { label: "nope" })).toMatch(
      /No baseline "nope". Recorded: kickoff/,
    );
  });
});
