// The registry metadata and the package agree (the registry checks the published package.json).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("server.json", () => {
  const pkg = JSON.parse(readFileSync("package.json", "utf8"));
  const server = JSON.parse(readFileSync("server.json", "utf8"));
  it("names and versions match package.json", () => {
    expect(server.name).toBe(pkg.mcpName);
    expect(server.version).toBe(pkg.version);
    expect(server.packages[0]).toMatchObject({
      registryType: "npm",
      identifier: pkg.name,
      version: pkg.version,
      transport: { type: "stdio" },
    });
  });
  it("the package ships what the server needs and declares its engine and bin", () => {
    expect(pkg.files).toEqual(expect.arrayContaining(["dist", "data", "prompts", "server.json"]));
    expect(pkg.bin["lean-sales-mcp"]).toBe("dist/cli.js");
    expect(pkg.engines.node).toBe(">=20.0.0");
    expect(pkg.dependencies["better-sqlite3"]).toMatch(/^12\./);
  });
});
