// The pipeline dashboard: its numbers agree with the tools it summarises; clients with MCP Apps
// draw it from its ui:// resource; the HTML report (a resource link) is self-contained and
// escapes stored text; clients without Apps get the key numbers as text.
import { RESOURCE_MIME_TYPE, RESOURCE_URI_META_KEY } from "@modelcontextprotocol/ext-apps/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { monthsBetween } from "../../src/methodology/trends.js";
import { connect, type Harness } from "../helpers/connect.js";
import { buildPipeline, HOSTILE_NAMES, NOW } from "../report/pipeline.js";

const AS_OF = "2026-11-28";

/** pipeline_metrics' structuredContent without the echo of its arguments and the numbers the dashboard does not draw. */
const metricsOf = ({
  as_of: _a,
  filters: _f,
  __text: _t,
  next_steps: _n,
  time_in_stage: _s,
  activity_mix: _m,
  leading_indicators: _l,
  revenue_per_owner: _r,
  ...rest
}: any) => rest;
const URI = "ui://lean-sales/dashboard.html";

/** The last day of a YYYY-MM month. */
const monthEnd = (ym: string) =>
  new Date(Date.UTC(Number(ym.slice(0, 4)), Number(ym.slice(5, 7)), 0)).toISOString().slice(0, 10);

describe("pipeline_report", () => {
  let h: Harness;
  let r: any;
  let html: string;
  let text: string;
  let hostile: string[];
  beforeAll(async () => {
    h = await connect({ now: NOW });
    ({ hostile } = await buildPipeline(h));
    const raw = await h.call("pipeline_report", { as_of: AS_OF });
    expect(raw.isError).toBeFalsy();
    r = raw.structuredContent;
    const content = raw.content as any[];
    text = content[0].text;
    expect(content[1]).toMatchObject({
      type: "resource_link",
      uri: `lean-sales://reports/pipeline.html?as_of=${AS_OF}`,
      mimeType: "text/html",
    });
    html = ((await h.client.readResource({ uri: content[1].uri })).contents[0] as { text: string }).text;
  });
  afterAll(() => h.close());

  it("reports the numbers pipeline_metrics gives for the same store and as_of", async () => {
    const pm = await h.callOk("pipeline_metrics", { as_of: AS_OF });
    expect(r.metrics).toEqual(metricsOf(pm));
    expect(r.metrics.deals_closed.won).toBeGreaterThan(10);
  });

  it("the quarter ahead and the selling profile are the forecast's and assess_selling_approach's, in the answer and the HTML", async () => {
    const quota = 900000;
    const raw = await h.call("pipeline_report", { as_of: AS_OF, quota });
    const withQuota = raw.structuredContent as any;
    const f = await h.callOk("forecast", { as_of: AS_OF, quota });
    expect(withQuota.forecast).toMatchObject({
      from: f.period.from,
      to: f.period.to,
      expected_won_value: f.expected_won_value,
      low: f.low,
      high: f.high,
      quota: { amount: quota, gap: f.gap_to_quota.gap, probability_to_reach: f.gap_to_quota.probability_to_reach },
      backtest: { periods: f.backtest.periods.length, wape: f.backtest.wape, coverage: f.backtest.coverage },
    });
    const s = await h.callOk("assess_selling_approach", {});
    expect(withQuota.selling.position).toBe(s.overall.position);
    expect(withQuota.selling.factors.map((x: any) => [x.id, x.position])).toEqual(
      s.factors.map((x: any) => [x.id, x.position]),
    );
    // The report the answer links carries the quota, and draws both sections.
    const link = (raw.content as any[]).find((c) => c.type === "resource_link");
    expect(link.uri).toContain(`quota=${quota}`);
    const page = ((await h.client.readResource({ uri: link.uri })).contents[0] as { text: string }).text;
    expect(page).toContain('data-section="forecast"');
    expect(page).toContain(`data-expected="${f.expected_won_value}"`);
    expect(page).toMatch(/data-backtest>Backtest over the last \d+ periods/);
    expect(page.match(/data-factor="/g)).toHaveLength(s.factors.length);
    expect((raw.content as any[])[0].text).toMatch(/Forecast .* backtest error/);
  });

  it("and for the same filters", async () => {
    const filters = { owner: "Dana Lee", from: "2026-03-01", to: "2026-10-31" };
    const [rep, pm] = await Promise.all([
      h.callOk("pipeline_report", { filters, as_of: AS_OF }),
      h.callOk("pipeline_metrics", { filters, as_of: AS_OF }),
    ]);
    expect(rep.metrics).toEqual(metricsOf(pm));
    // With a start date the trend covers exactly the period: its months add up to the metrics.
    expect(rep.trend.from_month).toBe("2026-03");
    expect(rep.trend.months.reduce((a: number, m: any) => a + m.won, 0)).toBe(pm.deals_closed.won);
    expect(rep.trend.months.reduce((a: number, m: any) => a + m.lost, 0)).toBe(pm.deals_closed.lost);
  });

  it("each month's win rate and median cycle are pipeline_metrics' for that month", async () => {
    expect(r.trend.months.map((m: any) => m.month)).toEqual(monthsBetween("2025-12", "2026-11"));
    for (const m of r.trend.months) {
      const pm = await h.callOk("pipeline_metrics", {
        filters: { from: `${m.month}-01`, to: monthEnd(m.month) },
        as_of: AS_OF,
      });
      expect({ month: m.month, won: m.won, lost: m.lost, win_rate: m.win_rate, cycle: m.cycle }).toEqual({
        month: m.month,
        won: pm.deals_closed.won,
        lost: pm.deals_closed.lost,
        win_rate: pm.win_rate,
        cycle: pm.cycle_time.won,
      });
    }
  });

  it("the waste heat map counts what find_waste flags, per stage", async () => {
    const fw = await h.callOk("find_waste", { as_of: AS_OF });
    expect(r.waste.by_waste).toEqual(fw.by_waste);
    expect(r.waste.deals_analyzed).toBe(fw.deals_analyzed);
    const rows: Record<string, number> = {};
    for (const byWaste of Object.values<any>(r.waste.by_stage))
      for (const [w, n] of Object.entries<number>(byWaste)) rows[w] = (rows[w] ?? 0) + n;
    for (const [w, n] of Object.entries<number>(fw.by_waste)) expect(rows[w] ?? 0, w).toBe(n);
  });

  it("lists the stalled deals find_waste flags, most overdue first, at most 3 in the answer and 10 in the HTML", async () => {
    const fw = await h.callOk("find_waste", { as_of: AS_OF, max_deals_per_finding: 100 });
    const stalled = fw.findings.find((f: any) => f.rule === "stalled_in_stage");
    expect(r.stalled.total).toBe(stalled.deal_count);
    expect(r.stalled.deals.length).toBe(Math.min(3, stalled.deal_count));
    expect((html.match(/<tr data-deal=/g) ?? []).length).toBe(Math.min(10, stalled.deal_count));
    for (const d of r.stalled.deals) expect(stalled.deal_ids).toContain(d.deal_id);
    const ratios = r.stalled.deals.map((d: any) => d.times_norm);
    expect(ratios).toEqual([...ratios].sort((a: number, b: number) => b - a));
    for (const d of r.stalled.deals)
      expect(Math.abs(d.times_norm - d.days_in_stage / d.norm_days) / d.times_norm).toBeLessThan(0.02);
    // The builder's hostile-named deals are stuck for most of a year: they are in the table.
    for (const id of hostile) expect(html.includes(`data-deal="${id}"`), id).toBe(true);
  });

  it("compares with the most recent baseline exactly as compare_to_baseline does", async () => {
    const label = "kickoff <b>2026</b>";
    const c = await h.callOk("compare_to_baseline", { label, as_of: AS_OF });
    expect(r.baseline).toMatchObject({
      label,
      baseline_as_of: c.baseline_as_of,
      as_of: c.as_of,
      months_elapsed: c.months_elapsed,
      on_track: c.on_track,
      changes: c.changes,
    });
    expect(r.baseline.indicators.map((i: any) => [i.id, i.status, i.improvement_pct])).toEqual(
      c.indicators.map((i: any) => [i.id, i.status, i.improvement_pct]),
    );
  });

  it("is one self-contained file: no script, nothing fetched, no URL but the SVG namespace", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    const urls = html.match(/https?:\/\/[^\s"'<>)]*/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(["http://www.w3.org/2000/svg"]));
    expect(/<script|<link|<img|<iframe|@import|url\(/i.test(html)).toBe(false);
    for (const part of [
      `content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`,
      ...["funnel", "segment-cycle", "waste-heatmap", "win-rate-trend", "cycle-trend"].map((c) => `data-chart="${c}"`),
      "@media (prefers-color-scheme:dark)",
      "@media print",
    ]) {
      expect(html.includes(part), part).toBe(true);
    }
    expect(html.length).toBeLessThan(200_000);
  });

  it("escapes hostile deal names and accounts everywhere", () => {
    // Booleans, not toContain: a failure should not print the whole page.
    for (const name of HOSTILE_NAMES) expect(html.includes(name), name).toBe(false);
    expect(/<(script|img|b|i)[\s>]/i.test(html)).toBe(false);
    expect(/<svg onload/i.test(html)).toBe(false);
    for (const escaped of [
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;",
      "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
      "&lt;/svg&gt;&lt;svg onload=alert(2)&gt;",
      "Acme &amp; Sons &lt;b&gt;bold&lt;/b&gt; &#39;quoted&#39;",
      "&lt;i&gt;Account&lt;/i&gt;",
      "kickoff &lt;b&gt;2026&lt;/b&gt;",
    ]) {
      expect(html.includes(escaped), escaped).toBe(true);
    }
  });

  it("the text names key numbers and fences stored names as data", () => {
    const [summary = "", fenced = ""] = text.split(/Text below is quoted data/);
    expect(summary).toMatch(/^\*\*Pipeline report\*\* as of 2026-11-28/);
    expect(summary).toContain(`Win rate ${Math.round(r.metrics.win_rate * 1000) / 10}%`);
    expect(summary).toMatch(/Stalled: \d+ deals; act first on D-\d{4}/);
    expect(summary).toMatch(/Latest baseline \(2026-06-30\)/);
    expect(summary).toContain("lean-sales://reports/pipeline.html?as_of=2026-11-28");
    expect(summary).toContain(URI);
    expect(summary.trim().split("\n").length).toBeLessThanOrEqual(12);
    for (const name of HOSTILE_NAMES) expect(summary).not.toContain(name);
    expect(summary).not.toContain("kickoff");
    expect(fenced).toMatch(/name=/);
  });

  it("works on an empty store: no numbers yet, no baseline", async () => {
    const empty = await connect({ now: NOW });
    try {
      const raw = await empty.call("pipeline_report", {});
      expect(raw.isError).toBeFalsy();
      const s = raw.structuredContent as any;
      expect(s.metrics.win_rate).toBeNull();
      expect(s.stalled).toEqual({ total: 0, deals: [] });
      expect(s.baseline).toBeNull();
      const page = (
        (await empty.client.readResource({ uri: (raw.content as any[])[1].uri })).contents[0] as { text: string }
      ).text;
      expect(page.includes("No baseline recorded yet")).toBe(true);
      expect(page.includes("No won deals in the period yet")).toBe(true);
    } finally {
      await empty.close();
    }
  });

  it("is listed with the MCP Apps metadata registerAppTool would set", async () => {
    const tool = (await h.client.listTools()).tools.find((t) => t.name === "pipeline_report")!;
    expect(tool._meta).toEqual({ ui: { resourceUri: URI }, [RESOURCE_URI_META_KEY]: URI });
    expect(tool.annotations).toMatchObject({ readOnlyHint: true });
  });

  it("its view is a listed resource of the MCP Apps type, the dashboard page with the bundled App view, fetching nothing", async () => {
    const res = (await h.client.listResources()).resources.find((x) => x.uri === URI);
    expect(res).toMatchObject({ uri: URI, mimeType: RESOURCE_MIME_TYPE });
    const { contents } = await h.client.readResource({ uri: URI });
    const page = (contents[0] as { text: string }).text;
    expect(page.includes('<main id="dashboard" data-state="waiting">')).toBe(true);
    expect(page.includes("ui/initialize")).toBe(true);
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(/<script[^>]+src=|<link|<img|<iframe|@import/i.test(page)).toBe(false);
    // CSS url() (lowercase in our styles; `new URL("https://...")` in the bundled SDK is a schema id, not a fetch).
    expect(/url\(\s*['"]?https?:/.test(page)).toBe(false);
    // ext-apps 2 ships App prebundled with its dependencies (the v2 client and zod): ~600 KB of the page.
    // The page is fetched once by the host and never enters the model's context.
    expect(page.length).toBeLessThan(650_000);
  });

  it("the same parameters name the same report, and a foreign report name is refused", async () => {
    const again = await h.call("pipeline_report", { as_of: AS_OF });
    expect((again.content as any[])[1].uri).toBe(`lean-sales://reports/pipeline.html?as_of=${AS_OF}`);
    await expect(h.client.readResource({ uri: "lean-sales://reports/other.html" })).rejects.toThrow(
      /Call pipeline_report/,
    );
  });

  it("refuses a malformed date, naming the field", async () => {
    expect(await h.callError("pipeline_report", { as_of: "28/11/2026" })).toMatch(/as_of/);
  });
});
