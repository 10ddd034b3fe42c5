// `npm pack` makes a package that runs on a fresh machine: packed, installed into an empty
// folder (dependencies from the registry, better-sqlite3 compiled there), and spoken to over MCP.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/connect.js";

describe("the packed tarball", () => {
  const tmp = tempDir("lsm-pack-");
  afterAll(() => tmp.cleanup());

  it("contains the built server, data and prompts, and nothing of the sources or tests", () => {
    const out = execFileSync("npm", ["pack", "--ignore-scripts", "--dry-run", "--json"], { encoding: "utf8" });
    const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        "dist/cli.js",
        "data/stages.json",
        "prompts/pipeline_review.md",
        "README.md",
        "package.json",
        "server.json",
      ]),
    );
    expect(files.filter((f) => /^(src|test|bench|scripts)\//.test(f))).toEqual([]);
  });

  it("installs into an empty folder and serves MCP through its bin", async () => {
    const packed = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp.dir], {
      encoding: "utf8",
    });
    const tarball = join(tmp.dir, JSON.parse(packed)[0].filename);
    const app = join(tmp.dir, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "fresh", private: true }));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--omit=dev", tarball], { cwd: app, stdio: "ignore" });

    const bin = join(app, "node_modules", ".bin", "lean-sales-mcp");
    const client = new Client({ name: "pack-test", version: "0" });
    await client.connect(
      new StdioClientTransport({ command: bin, args: ["--db", join(tmp.dir, "deals.db")], stderr: "ignore" }),
    );
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(["qualify_prospect", "create_deal", "pipeline_metrics"]),
    );
    const r = await client.callTool({ name: "check_stage_exit", arguments: { stage: "closing" } });
    expect((r.structuredContent as { stage_name: string }).stage_name).toBe("Closing");
    const created = await client.callTool({
      name: "create_deal",
      arguments: { name: "Packed", account: "Packed Co", owner: "Dana" },
    });
    expect(created.isError).toBeFalsy();
    const res = await client.readResource({ uri: "lean-sales://methodology/wastes" });
    expect((res.contents[0] as { text: string }).text).toContain("Overproduction");
    const p = await client.getPrompt({ name: "lean_sales_assessment", arguments: {} });
    expect(p.messages.length).toBeGreaterThan(0);
    await client.close();
  }, 300_000);
});
