// The official MCP conformance suite (server scenarios) against our HTTP transport. It needs
// Node 22, taken from the npm registry (`npx -p node@22`), never by changing the project's Node.
// It runs once per protocol revision (--requirements 2025-11-25 and 2026-07-28) against the same
// server. Scenarios that only apply to the reference "everything" server's fixtures are listed,
// with the reason, in test/conformance/<revision>.yml; every other scenario must pass.
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

  const SUITE = "@modelcontextprotocol/conformance@0.2.0-alpha.12";
  // Scenarios that must pass outright for each revision (not merely be absent from the baseline).
  const MUST_PASS: Record<string, string[]> = {
    "2025-11-25": [
      "server-initialize",
      "ping",
      "logging-set-level",
      "tools-list",
      "resources-list",
      "prompts-list",
      "server-sse-multiple-streams",
      "dns-rebinding-protection",
      "server-session-lifecycle",
    ],
    "2026-07-28": [
      "tools-list",
      "resources-list",
      "prompts-list",
      "server-sse-multiple-streams",
      "sep-2164-resource-not-found",
      "dns-rebinding-protection",
      "caching",
      "input-required-result-unsupported-methods",
      "input-required-result-validate-input",
      "http-header-validation",
    ],
  };

  for (const revision of ["2025-11-25", "2026-07-28"]) {
    it(`${revision}: passes every scenario that applies (the rest are baselined with reasons)`, () => {
      const r = spawnSync(
        "npx",
        [
          "-y",
          "-p",
          "node@22",
          "-p",
          SUITE,
          "conformance",
          "server",
          "--url",
          url,
          "--requirements",
          revision,
          "--expected-failures",
          `test/conformance/${revision}.yml`,
          "-o",
          `${tmp.dir}/results-${revision}`,
        ],
        { encoding: "utf8", timeout: 280_000 },
      );
      const out = `${r.stdout}\n${r.stderr}`;
      for (const scenario of MUST_PASS[revision]!)
        expect(out, scenario).toMatch(new RegExp(`✓ ${scenario}: \\d+ passed, 0 failed`));
      // server-stateless: every check but the four that need the reference server's diagnostic tools.
      if (revision === "2026-07-28") expect(out).toMatch(/server-stateless: \d+ passed, 4 failed/);
      expect(out).toMatch(/Baseline check passed/);
      expect(r.status, out.slice(-3000)).toBe(0);
    }, 300_000);
  }
});
