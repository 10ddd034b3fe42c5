// The report and the MCP App in a real browser (Debian's headless Chromium via playwright-core;
// never a downloaded browser): every chart is drawn with pipeline_metrics' and find_waste's
// numbers, stored text stays text, dark mode and print styles apply, and the App renders a
// tool result handed to it by a simulated host (the ext-apps AppBridge over postMessage).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { chromium, type Browser, type Frame, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, tempDir, type Harness } from "../helpers/connect.js";
import { buildPipeline, HOSTILE_NAMES, NOW } from "./pipeline.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
const AS_OF = "2026-11-28";
// Locally without Chromium the suite is skipped; in CI (.ci/run installs it) it must run.
const run = existsSync(CHROMIUM) || !!process.env.CI;

// Formats written out here, not imported from the code under test.
const pct = (v: number | null) => (v === null ? "n/a" : `${Math.round(v * 1000) / 10}%`);
const days = (v: number | null) => (v === null ? "n/a" : `${v} d`);
const monthEnd = (ym: string) =>
  new Date(Date.UTC(Number(ym.slice(0, 4)), Number(ym.slice(5, 7)), 0)).toISOString().slice(0, 10);

/** Text labels of a chart: [attribute value, text] pairs. */
async function labels(scope: Page | Frame, chart: string, attr: string): Promise<Array<[string, string]>> {
  return scope.$$eval(
    `svg[data-chart="${chart}"] text[${attr}]`,
    (els, a) => els.map((e) => [e.getAttribute(a) ?? "", (e.textContent ?? "").trim()] as [string, string]),
    attr,
  );
}

/** Checks every chart of a rendered report against the tools' numbers. */
async function expectChartsMatch(
  scope: Page | Frame,
  x: { pm: any; fw: any; monthly: Map<string, any>; report: any },
  shown: "report" | "answer" = "report",
): Promise<void> {
  // Every chart is present and drawn with a size.
  for (const chart of ["funnel", "segment-cycle", "waste-heatmap", "win-rate-trend", "cycle-trend"]) {
    const box = await scope.locator(`svg[data-chart="${chart}"]`).boundingBox();
    expect(box, chart).not.toBeNull();
    expect(box!.width * box!.height, chart).toBeGreaterThan(1000);
    expect(await scope.locator(`svg[data-chart="${chart}"] > title`).textContent(), chart).toBeTruthy();
  }
  const conv = x.pm.conversion;
  const reached = Object.fromEntries([
    ...conv.map((c: any) => [c.from_stage, String(c.reached_from)]),
    [conv.at(-1).to_stage, String(conv.at(-1).reached_to)],
  ]);
  expect(Object.fromEntries(await labels(scope, "funnel", "data-stage"))).toEqual(reached);
  expect(Object.fromEntries(await labels(scope, "funnel", "data-from"))).toEqual(
    Object.fromEntries(conv.map((c: any) => [c.from_stage, `↓ ${pct(c.rate)}`])),
  );

  expect(x.pm.cycle_time.by_segment.length).toBeGreaterThan(3);
  expect(Object.fromEntries(await labels(scope, "segment-cycle", "data-segment"))).toEqual(
    Object.fromEntries(x.pm.cycle_time.by_segment.map((s: any) => [s.segment, days(s.median_days)])),
  );
  const targets = Object.fromEntries(await labels(scope, "segment-cycle", "data-segment-target"));
  for (const s of x.pm.cycle_time.by_segment)
    expect(targets[s.segment]).toBe(`target ${s.target_days.min}–${s.target_days.max} d · ${s.n} won`);

  expect(Object.fromEntries(await labels(scope, "waste-heatmap", "data-waste-total"))).toEqual(
    Object.fromEntries(Object.entries(x.fw.by_waste).map(([w, n]) => [w, String(n)])),
  );
  const cells = await labels(scope, "waste-heatmap", "data-waste");
  expect(cells).toHaveLength(7 * 6);
  const rowSums: Record<string, number> = {};
  for (const [w, n] of cells) rowSums[w] = (rowSums[w] ?? 0) + Number(n);
  expect(rowSums).toEqual(x.fw.by_waste);

  const winRates = Object.fromEntries(await labels(scope, "win-rate-trend", "data-month"));
  const cycles = Object.fromEntries(await labels(scope, "cycle-trend", "data-month"));
  for (const [month, m] of x.monthly) {
    expect(winRates[month], month).toBe(m.win_rate === null ? undefined : pct(m.win_rate));
    expect(cycles[month], month).toBe(
      m.cycle_time.won.median_days === null ? undefined : days(m.cycle_time.won.median_days),
    );
  }

  const kpi = async (id: string) => (await scope.locator(`[data-kpi="${id}"] .kpi-value`).textContent())?.trim();
  expect(await kpi("win_rate")).toBe(pct(x.pm.win_rate));
  expect(await kpi("cycle_median_days")).toBe(days(x.pm.cycle_time.won.median_days));
  expect(await kpi("open_pipeline_value")).toBe(
    `USD ${x.pm.open_pipeline.value.toLocaleString("en-US", { maximumFractionDigits: 0 })}`,
  );

  // Stalled deals: the printable report lists up to ten, the tool's answer (what the App draws)
  // the first three of the same order; names are shown as text however hostile.
  const rows = await scope.$$eval('[data-section="stalled"] tbody tr', (trs) =>
    trs.map((tr) => [tr.getAttribute("data-deal"), tr.children[1]?.textContent ?? ""]),
  );
  const answered = x.report.stalled.deals.map((d: any) => d.deal_id);
  expect(rows.slice(0, answered.length).map((r) => r[0])).toEqual(answered);
  if (shown === "answer") expect(rows).toHaveLength(answered.length);
  else {
    expect(rows).toHaveLength(Math.min(10, x.report.stalled.total));
    expect(rows.map((r) => r[1])).toEqual(expect.arrayContaining(HOSTILE_NAMES));
  }
  // No markup from stored text became elements.
  expect(
    await scope.locator("img, svg[onload], [data-section] script, [data-section] b, [data-section] i").count(),
  ).toBe(0);

  const statuses = await scope.$$eval('[data-section="baseline"] tr[data-indicator]', (trs) =>
    trs.map((tr) => [tr.getAttribute("data-indicator"), tr.getAttribute("data-status")]),
  );
  expect(statuses).toEqual(x.report.baseline.indicators.map((i: any) => [i.id, i.status]));
}

const luminance = (rgb: string) => {
  const [r, g, b] = rgb.match(/\d+/g)!.map(Number) as [number, number, number];
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
};

describe.runIf(run)("the pipeline report in Chromium", () => {
  let h: Harness;
  let browser: Browser;
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let expected: { pm: any; fw: any; monthly: Map<string, any>; report: any };
  let dashboard: any;

  beforeAll(async () => {
    h = await connect({ now: NOW });
    await buildPipeline(h);
    const raw = await h.call("pipeline_report", { as_of: AS_OF });
    const report = raw.structuredContent as any;
    tmp = tempDir("lsm-report-");
    file = join(tmp.dir, "pipeline.html");
    // The answer links the printable report; a client reads it as a resource.
    const link = (raw.content as any[]).find((c) => c.type === "resource_link");
    const html = await h.client.readResource({ uri: link.uri });
    writeFileSync(file, (html.contents[0] as any).text);
    const monthly = new Map<string, any>();
    for (const m of report.trend.months) {
      monthly.set(
        m.month,
        await h.callOk("pipeline_metrics", { filters: { from: `${m.month}-01`, to: monthEnd(m.month) }, as_of: AS_OF }),
      );
    }
    expected = {
      pm: await h.callOk("pipeline_metrics", { as_of: AS_OF }),
      fw: await h.callOk("find_waste", { as_of: AS_OF }),
      monthly,
      report,
    };
    // The same answer MCP Apps hosts hand to the dashboard view.
    dashboard = raw;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    mkdirSync("artifacts", { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    tmp?.cleanup();
  });

  /** A page that records console errors, uncaught errors, dialogs and any request off the page. */
  async function open(colorScheme: "light" | "dark", height = 900) {
    const page = await browser.newPage({ viewport: { width: 1280, height }, colorScheme });
    const problems: string[] = [];
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("dialog", (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on("request", (r) => !/^(file|about|data):/.test(r.url()) && problems.push(`request: ${r.url()}`));
    return { page, problems };
  }

  it("draws every chart with the tools' numbers, without errors, in light mode (screenshot: artifacts/pipeline-report.png)", async () => {
    const { page, problems } = await open("light");
    await page.goto(`file://${file}`);
    await expectChartsMatch(page, expected);
    const bg = await page.evaluate(
      () => (globalThis as any).getComputedStyle((globalThis as any).document.body).backgroundColor,
    );
    expect(luminance(bg)).toBeGreaterThan(0.9);
    await page.screenshot({ path: "artifacts/pipeline-report.png", fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("renders in dark mode (screenshot: artifacts/pipeline-report-dark.png) and prints light", async () => {
    const { page, problems } = await open("dark");
    await page.goto(`file://${file}`);
    const style = () =>
      page.evaluate(() => {
        const doc = (globalThis as any).document;
        return {
          bg: (globalThis as any).getComputedStyle(doc.body).backgroundColor as string,
          label: (globalThis as any).getComputedStyle(doc.querySelector('svg[data-chart="funnel"] text'))
            .fill as string,
        };
      });
    const dark = await style();
    expect(luminance(dark.bg)).toBeLessThan(0.15);
    expect(luminance(dark.label)).toBeGreaterThan(0.7);
    await expectChartsMatch(page, expected);
    await page.screenshot({ path: "artifacts/pipeline-report-dark.png", fullPage: true });
    await page.emulateMedia({ media: "print" });
    const printed = await style();
    expect(luminance(printed.bg)).toBeGreaterThan(0.9);
    expect(luminance(printed.label)).toBeLessThan(0.3);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("the MCP App renders a tool result from a simulated host, in the host's theme", async () => {
    const listed = (await h.client.listResources()).resources.find((r) => r.uri === "ui://lean-sales/dashboard.html");
    expect(listed?.mimeType).toBe("text/html;profile=mcp-app");
    const view = (
      (await h.client.readResource({ uri: "ui://lean-sales/dashboard.html" })).contents[0] as { text: string }
    ).text;
    // The host: ext-apps' AppBridge in the page, the view in a sandboxed iframe, postMessage between them.
    const host = await build({
      stdin: {
        contents: `
          import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";
          globalThis.startHost = async (html, result, theme) => {
            const iframe = document.createElement("iframe");
            iframe.setAttribute("sandbox", "allow-scripts");
            iframe.style.cssText = "width:1260px;height:400px;border:0;display:block";
            document.body.appendChild(iframe);
            const bridge = new AppBridge(null, { name: "test-host", version: "0.0.0" }, {}, { hostContext: { theme } });
            // As hosts do: the iframe takes the height the App reports.
            bridge.onsizechange = ({ height }) => { if (height) iframe.style.height = height + "px"; };
            const initialized = new Promise((resolve) => { bridge.oninitialized = resolve; });
            await bridge.connect(new PostMessageTransport(iframe.contentWindow, iframe.contentWindow));
            iframe.srcdoc = html;
            await initialized;
            await bridge.sendToolInput({ arguments: { as_of: "${AS_OF}" } });
            await bridge.sendToolResult(result);
          };`,
        resolveDir: process.cwd(),
        loader: "js",
      },
      bundle: true,
      write: false,
      format: "iife",
      platform: "browser",
      logLevel: "silent",
    });
    // Tall enough for the whole App: a cross-origin iframe outside the viewport is not painted in screenshots.
    const { page, problems } = await open("light", 2700);
    await page.setContent(
      `<!doctype html><html><body style="margin:0"><script>${host.outputFiles[0]!.text}</script></body></html>`,
    );
    await page.evaluate(([html, result]) => (globalThis as any).startHost(html, result, "dark"), [
      view,
      dashboard,
    ] as const);
    const frame = page.frames().find((f) => f !== page.mainFrame())!;
    await frame.waitForSelector('#dashboard[data-state="ready"]');
    await expectChartsMatch(frame, expected, "answer");
    const theme = await frame.evaluate(() => {
      const doc = (globalThis as any).document;
      return {
        attr: doc.documentElement.getAttribute("data-theme") as string,
        bg: (globalThis as any).getComputedStyle(doc.body).backgroundColor as string,
      };
    });
    expect(theme.attr).toBe("dark");
    expect(luminance(theme.bg)).toBeLessThan(0.15);
    // The App reported its height and the host grew the iframe to it.
    await page.waitForFunction(
      () => (globalThis as any).document.querySelector("iframe").getBoundingClientRect().height > 1500,
    );
    await page.screenshot({ path: "artifacts/pipeline-dashboard-app.png", fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
