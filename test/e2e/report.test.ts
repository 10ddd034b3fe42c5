// The built bin: `lean-sales-mcp report` writes the HTML file, and over stdio the MCP App's
// resource carries the view bundled at build time (dist/dashboard-view.js, read on first use).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupE2E, connectStdio, runToExit, tempDb } from "../helpers/spawn.js";

afterAll(cleanupE2E);

describe("cli: report", () => {
  it("writes one self-contained HTML file with stored names escaped", async () => {
    const { dir, db } = tempDb();
    const c = await connectStdio(db);
    try {
      await c.callOk("create_deal", {
        name: "<script>alert(1)</script>",
        account: "Acme & Co",
        owner: "Dana Lee",
        amount: 12000,
      });
    } finally {
      await c.close();
    }
    const out = join(dir, "pipeline.html");
    const r = await runToExit(["report", "--db", db, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /pipeline report as of \d{4}-\d{2}-\d{2} written to .*pipeline\.html \(\d+ KB\): 1 deals, 0 stalled/,
    );
    const html = readFileSync(out, "utf8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html.includes("<script>alert(1)</script>")).toBe(false);
    expect(html.includes('data-chart="waste-heatmap"')).toBe(true);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it("prints to stdout without --out, and refuses a malformed --as-of", async () => {
    const { db } = tempDb();
    const ok = await runToExit(["report", "--db", db, "--as-of", "2026-06-30"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.startsWith("<!doctype html>")).toBe(true);
    expect(ok.stdout.includes("As of 2026-06-30")).toBe(true);
    const bad = await runToExit(["report", "--db", db, "--as-of", "yesterday"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--as-of must be an ISO date/);
  });
});

describe("stdio: the MCP App", () => {
  it("lists the dashboard resource and serves it with the bundled view", async () => {
    const { db } = tempDb();
    const c = await connectStdio(db);
    try {
      const listed = (await c.client.listResources()).resources.find((x) => x.uri === "ui://lean-sales/dashboard.html");
      expect(listed?.mimeType).toBe("text/html;profile=mcp-app");
      const html = (
        (await c.client.readResource({ uri: "ui://lean-sales/dashboard.html" })).contents[0] as { text: string }
      ).text;
      expect(html.includes('<main id="dashboard"')).toBe(true);
      expect(html.includes("ui/initialize")).toBe(true);
      const tool = (await c.client.listTools()).tools.find((t) => t.name === "pipeline_report");
      expect(tool?._meta).toMatchObject({ ui: { resourceUri: "ui://lean-sales/dashboard.html" } });
      expect((await c.callOk("pipeline_report", {})).waste.deals_analyzed).toBe(0);
    } finally {
      await c.close();
    }
  });
});
