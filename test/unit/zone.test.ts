// Day, month and quarter boundaries follow LEAN_SALES_TZ (default UTC).
import { afterEach, describe, expect, it } from "vitest";
import { dayBoundIso, localDate, setTimeZone } from "../../src/zone.js";
import { connect } from "../helpers/connect.js";

afterEach(() => setTimeZone("UTC"));

describe("time zone of period boundaries", () => {
  it("a local day's bounds, in UTC, winter and summer and across a DST change", () => {
    expect([dayBoundIso("2026-11-28", false), dayBoundIso("2026-11-28", true)]).toEqual([
      "2026-11-28T00:00:00.000Z",
      "2026-11-28T23:59:59.999Z",
    ]);
    setTimeZone("Europe/Berlin");
    expect(dayBoundIso("2026-01-15", false)).toBe("2026-01-14T23:00:00.000Z");
    expect(dayBoundIso("2026-07-15", false)).toBe("2026-07-14T22:00:00.000Z");
    // 29 March 2026 has 23 hours in Berlin.
    expect(dayBoundIso("2026-03-29", false)).toBe("2026-03-28T23:00:00.000Z");
    expect(dayBoundIso("2026-03-29", true)).toBe("2026-03-29T21:59:59.999Z");
    // Santiago: DST began at midnight on 8 September 2024 (00:00 did not exist; the day began at 01:00 -03).
    setTimeZone("America/Santiago");
    expect(dayBoundIso("2024-09-08", false)).toBe("2024-09-08T04:00:00.000Z");
    expect(dayBoundIso("2024-09-07", true)).toBe("2024-09-08T03:59:59.999Z");
    expect(localDate(Date.parse("2024-09-08T04:00:00.000Z"))).toBe("2024-09-08");
    setTimeZone("Pacific/Kiritimati"); // UTC+14
    expect(dayBoundIso("2026-11-28", false)).toBe("2026-11-27T10:00:00.000Z");
    expect(dayBoundIso("2026-11-28", true)).toBe("2026-11-28T09:59:59.999Z");
    expect(localDate(Date.parse("2026-11-27T10:30:00Z"))).toBe("2026-11-28");
    setTimeZone("America/Los_Angeles");
    expect(localDate(Date.parse("2026-11-28T05:00:00Z"))).toBe("2026-11-27");
  });

  it("an unknown zone is refused with a readable message", () => {
    expect(() => setTimeZone("Mars/Olympus_Mons")).toThrow(/not a time zone.*IANA/);
  });

  it("a deal closed at 23:30 UTC on 30 June is a July win in Berlin and a June win in UTC", async () => {
    const h = await connect({ now: "2026-11-28T12:00:00.000Z" });
    try {
      const d = h.store.createDeal(
        {
          name: "Midnight",
          account: "Acme",
          owner: "Dana Lee",
          amount: 1000,
          currency: "USD",
          stage: "closing",
          stage_index: 4,
          created_at: "2026-05-01T10:00:00.000Z",
          stage_entered_at: "2026-05-01T10:00:00.000Z",
        },
        "2026-05-01T10:00:00.000Z",
      );
      h.store.closeDeal(
        d.id,
        { status: "won", reason: "Fit", closed_at: "2026-06-30T23:30:00.000Z" },
        "2026-06-30T23:30:00.000Z",
      );
      const july = { filters: { from: "2026-07-01", to: "2026-07-31" } };
      expect((await h.callOk("pipeline_metrics", july)).deals_closed.won).toBe(0);
      setTimeZone("Europe/Berlin");
      expect((await h.callOk("pipeline_metrics", july)).deals_closed.won).toBe(1);
      expect(
        (await h.callOk("pipeline_metrics", { filters: { from: "2026-06-01", to: "2026-06-30" } })).deals_closed.won,
      ).toBe(0);
    } finally {
      await h.close();
    }
  });
});
