// The official MCP conformance suite (server scenarios) against our HTTP transport. It needs
// Node 22, taken from the npm registry (`npx -p node@22`), never by changing the project's Node.
// Scenarios that only apply to the reference "everything" server's fixtures are listed, with
// the reason, in test/conformance-baseline.yml; every other scenario must pass.
import { spawn, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/connect.js";

describe("the MCP conformance suite", () => {
  const tmp = tempDir("lsm-conformance-");
  let server: ReturnType<typeof spawn>;
  let url = "";
  beforeAll(async () => {
    server = spawn(process.execPath, ["dist/cli.js", "--http", "--port", "0", "--db", `${tmp.dir}/deals.db`], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, LEAN_SALES_LOG_LEVEL: "warn" },
    });
    url = await new Promise<string>((resolve, reject) => {
      let err = "";
      server.stderr!.on("data", (d) => {
        err += d;
        const m = /listening on (http:\/\/\S+\/mcp)/.exec(err);
        if (m) resolve(m[1]!);
      });
      server.once("exit", (code) => reject(new Error(`server exited ${code}: ${err}`)));
    });
  });
  afterAll(() => {
    server?.kill("SIGTERM");
    tmp.cleanup();
  });

  it("passes every server scenario that applies (the rest are baselined with reasons)", () => {
    const r = spawnSync(
      "npx",
      [
        "-y",
        "-p",
        "node@22",
        "-p",
        "@modelcontextprotocol/conformance@0.1.16",
        "conformance",
        "server",
        "--url",
        url,
        "--expected-failures",
        "test/conformance-baseline.yml",
        "-o",
        `${tmp.dir}/results`,
      ],
      { encoding: "utf8", timeout: 240_000 },
    );
    const out = `${r.stdout}\n${r.stderr}`;
    for (const scenario of [
      "server-initialize",
      "ping",
      "logging-set-level",
      "tools-list",
      "resources-list",
      "prompts-list",
      "server-sse-multiple-streams",
      "dns-rebinding-protection",
    ]) {
      expect(out, scenario).toMatch(new RegExp(`✓ ${scenario}: \\d+ passed, 0 failed`));
    }
    expect(out).toMatch(/Baseline check passed/);
    expect(r.status, out.slice(-3000)).toBe(0);
  }, 300_000);
});
