// The MCP App: the tool points at its ui:// resource, the resource is an MCP App HTML page,
// and clients without Apps still get the key numbers as text.
import { RESOURCE_MIME_TYPE, RESOURCE_URI_META_KEY } from "@modelcontextprotocol/ext-apps/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Harness } from "../helpers/connect.js";
import { buildPipeline, HOSTILE_NAMES, NOW } from "../report/pipeline.js";

const URI = "ui://lean-sales/dashboard.html";

describe("show_pipeline_dashboard", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await connect({ now: NOW });
    await buildPipeline(h);
  });
  afterAll(() => h.close());

  it("is listed with the MCP Apps metadata registerAppTool would set", async () => {
    const tool = (await h.client.listTools()).tools.find((t) => t.name === "show_pipeline_dashboard")!;
    expect(tool._meta).toEqual({ ui: { resourceUri: URI }, [RESOURCE_URI_META_KEY]: URI });
    expect(tool.annotations).toMatchObject({ readOnlyHint: true });
  });

  it("its view is a listed resource of the MCP Apps type", async () => {
    const res = (await h.client.listResources()).resources.find((r) => r.uri === URI);
    expect(res).toMatchObject({ uri: URI, mimeType: RESOURCE_MIME_TYPE });
    expect(RESOURCE_MIME_TYPE).toBe("text/html;profile=mcp-app");
  });

  it("the resource is the dashboard page with the bundled App view, fetching nothing", async () => {
    const { contents } = await h.client.readResource({ uri: URI });
    expect(contents).toHaveLength(1);
    expect(contents[0]).toMatchObject({ uri: URI, mimeType: RESOURCE_MIME_TYPE });
    const html = (contents[0] as { text: string }).text;
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html.includes('<main id="dashboard" data-state="waiting">')).toBe(true);
    expect(html.includes("ui/initialize")).toBe(true); // the App's handshake, bundled in
    expect(html.includes("@media (prefers-color-scheme:dark)")).toBe(true);
    // One inline script, no external script, style, font or image.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(/<script[^>]+src=|<link|<img|<iframe|@import|url\(\s*['"]?https?:/i.test(html)).toBe(false);
    expect(/(src|href|action)\s*=\s*["']?https?:/i.test(html)).toBe(false);
    expect(html.length).toBeLessThan(600_000);
    // Read twice: built once.
    const again = await h.client.readResource({ uri: URI });
    expect((again.contents[0] as { text: string }).text).toBe(html);
  });

  it("returns the same numbers as pipeline_report and pipeline_metrics", async () => {
    const args = { filters: { owner: "Dana Lee" }, as_of: "2026-11-28" };
    const [dash, report, pm] = await Promise.all([
      h.callOk("show_pipeline_dashboard", args),
      h.callOk("pipeline_report", args),
      h.callOk("pipeline_metrics", args),
    ]);
    const strip = ({ __text: _t, ...rest }: any) => rest;
    expect(strip(dash)).toEqual(strip(report));
    const { as_of: _a, filters: _f, __text: _t, ...metrics } = pm;
    expect(dash.metrics).toEqual(metrics);
  });

  it("tells clients without MCP Apps what the dashboard shows, with stored names fenced", async () => {
    const r = await h.call("show_pipeline_dashboard", { as_of: "2026-11-28" });
    expect(r.content).toHaveLength(1);
    const text = (r.content as Array<{ text: string }>)[0]!.text;
    const [summary = "", fenced = ""] = text.split(/Text below is quoted data/);
    const s = r.structuredContent as any;
    expect(summary).toContain(`Win rate ${Math.round(s.metrics.win_rate * 1000) / 10}%`);
    expect(summary).toContain(`Open pipeline: ${s.metrics.open_pipeline.deals} deals`);
    expect(summary).toMatch(/Waste \(find_waste, 90 deals\): /);
    expect(summary).toMatch(/Stalled: \d+ deals; act first on D-\d{4}/);
    expect(summary).toMatch(/Monthly \(Dec 25–Nov 26\): win rate/);
    expect(summary).toContain(URI);
    expect(summary.trim().split("\n").length).toBeLessThanOrEqual(12);
    for (const name of HOSTILE_NAMES) expect(summary.includes(name)).toBe(false);
    expect(fenced).toContain(JSON.stringify(HOSTILE_NAMES[0]));
  });

  it("refuses an unknown argument, naming it", async () => {
    expect(await h.callError("show_pipeline_dashboard", { owner: "Dana Lee" })).toMatch(/"owner"/);
  });
});
