// Data flows one way: data/ -> methodology -> store -> tools/resources/prompts -> server -> transports/CLI.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}
const imports = (file: string) => [...readFileSync(file, "utf8").matchAll(/(?:import|export)[^;]*?from\s+["']([^"']+)["']|import\(["']([^"']+)["']\)/g)].map((m) => m[1] ?? m[2]!);

const layerOf = (file: string) => {
  const rel = relative("src", file);
  if (rel.startsWith("methodology/")) return 0;
  if (rel.startsWith("store/")) return 1;
  if (rel.startsWith("app/")) return 1.5;
  if (rel.startsWith("tools/") || rel === "resources.ts" || rel === "prompts.ts" || rel.startsWith("import/") || rel.startsWith("demo/") || rel.startsWith("analytics/") || rel.startsWith("report/")) return 2;
  if (rel === "server.ts") return 3;
  return 4; // transports, cli, commands, config, log, paths, version
};

describe("layers", () => {
  const all = files("src");
  it.each(all)("%s imports nothing from a higher layer", (file) => {
    const own = layerOf(file);
    for (const spec of imports(file).filter((s) => s.startsWith("."))) {
      const target = join(file, "..", spec).replace(/\.js$/, ".ts");
      const tl = layerOf(target);
      const base = ["log.ts", "paths.ts", "version.ts", "config.ts"].includes(relative("src", target));
      expect(tl <= own || base, `${file} -> ${spec}`).toBe(true);
    }
  });

  it("only the store imports better-sqlite3, and the methodology imports neither the SDK nor the store", () => {
    for (const file of all) {
      const specs = imports(file);
      if (specs.includes("better-sqlite3")) expect(relative("src", file)).toMatch(/^store\//);
      if (relative("src", file).startsWith("methodology/")) {
        expect(specs.some((s) => s.startsWith("@modelcontextprotocol"))).toBe(false);
      }
    }
  });

  it("nothing in src writes to stdout directly, but the CLI handing a terminal command its output", () => {
    const stdout = /console\.(log|info|debug)\(|process\.stdout\.write/g;
    for (const file of all) {
      const text = readFileSync(file, "utf8").replace(/console\.log = console\.info = console\.debug/, "");
      const hits = [...text.matchAll(stdout)];
      if (relative("src", file) === "cli.ts") {
        // One place: the `out` stream given to runCommand, which never runs beside a transport.
        expect(hits.length, file).toBe(1);
        expect(text).toMatch(/runCommand\(config, deps, \{ out: \(s\) => void process\.stdout\.write\(s\)/);
        continue;
      }
      expect(hits.length, file).toBe(0);
    }
  });
});
