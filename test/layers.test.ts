// One layer per folder, each importing only from below (CONTRIBUTING.md, "Where things go"):
// base files -> methodology/ -> store/ (the interface) -> store/sqlite/ (its driver) -> app/ ->
// report/ -> the surfaces mcp/ and commands/ (which never import each other) -> transports/ ->
// cli.ts. No import runs back up, none goes sideways between surfaces, and none forms a cycle
// (type-only imports included: a cycle of types is still a knot a newcomer must untie).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}
const imports = (file: string) =>
  [
    ...readFileSync(file, "utf8").matchAll(
      /(?:import|export)[^;]*?from\s+["']([^"']+)["']|import\(["']([^"']+)["']\)/g,
    ),
  ].map((m) => m[1] ?? m[2]!);
const localImports = (file: string) =>
  imports(file)
    .filter((s) => s.startsWith("."))
    .map((s) => join(file, "..", s).replace(/\.js$/, ".ts"));

const BASE = ["config.ts", "log.ts", "paths.ts", "version.ts", "zone.ts"];
/** [folder or file under src/, rank]: the first prefix that matches decides. */
const LAYERS: Array<[string, number]> = [
  ...BASE.map((f): [string, number] => [f, 0]),
  ["methodology/", 1],
  ["store/sqlite/", 3],
  ["store/", 2],
  ["app/", 4],
  ["report/", 5],
  ["mcp/", 6],
  ["commands/", 6],
  ["transports/", 7],
  ["cli.ts", 8],
];
const layerOf = (file: string): [string, number] => {
  const rel = relative("src", file);
  const hit = LAYERS.find(([prefix]) => rel === prefix || rel.startsWith(prefix));
  if (!hit) throw new Error(`${rel} is in no layer: add its folder to LAYERS (and to CONTRIBUTING.md)`);
  return hit;
};

describe("layers", () => {
  const all = files("src");
  it.each(all)("%s imports only from its own folder or a layer below", (file) => {
    const [folder, rank] = layerOf(file);
    for (const target of localImports(file)) {
      const [tf, tr] = layerOf(target);
      const ok = tf === folder || tr < rank;
      expect(ok, `${relative("src", file)} (${folder}, ${rank}) -> ${relative("src", target)} (${tf}, ${tr})`).toBe(
        true,
      );
    }
  });

  it("no import cycle in src/ (type-only imports included)", () => {
    const graph = new Map(all.map((f) => [f, localImports(f)]));
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, "open");
      stack.push(f);
      for (const t of graph.get(f) ?? []) {
        if (state.get(t) === "open")
          cycles.push([...stack.slice(stack.indexOf(t)), t].map((x) => relative("src", x)).join(" -> "));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, "done");
    };
    for (const f of all) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it("a tool file holds one tool and exports only its definition", () => {
    for (const f of readdirSync("src/mcp/tools").filter((x) => x !== "index.ts")) {
      const text = readFileSync(join("src/mcp/tools", f), "utf8");
      const named = [...text.matchAll(/^export (?!default)[^\n]*/gm)].map((m) => m[0]);
      expect(named, f).toEqual([]);
      expect(text.match(/^export default defineTool\(/gm)?.length, f).toBe(1);
    }
  });

  it("only the store imports better-sqlite3, and the methodology imports neither the SDK nor the store", () => {
    for (const file of all) {
      const specs = imports(file);
      if (specs.includes("better-sqlite3")) expect(relative("src", file)).toMatch(/^store\/sqlite\//);
      if (relative("src", file).startsWith("methodology/")) {
        expect(specs.some((s) => s.startsWith("@modelcontextprotocol"))).toBe(false);
      }
    }
  });

  it("nothing in src writes to stdout directly, but the terminal the CLI hands to commands", () => {
    const stdout = /console\.(log|info|debug)\(|process\.stdout\.write/g;
    for (const file of all) {
      const text = readFileSync(file, "utf8").replace(/console\.log = console\.info = console\.debug/, "");
      const hits = [...text.matchAll(stdout)];
      if (relative("src", file) === "commands/terminal.ts") {
        // One place: the process terminal handed to commands, which never run beside a transport.
        expect(hits.length, file).toBe(1);
        expect(text).toMatch(
          /processTerminal = \(\): Terminal => \(\{\s*out: \(s\) => void process\.stdout\.write\(s\)/,
        );
        continue;
      }
      if (relative("src", file) === "cli.ts") {
        // It hands that terminal to commands only, never to the server.
        expect(text).toMatch(/runCommand\(config, deps, terminal\(\)\)/);
        expect(text).toMatch(/methodologyCommand\(config, terminal\(\)\)/);
        expect([...text.matchAll(/terminal\(\)/g)].length).toBe(2);
      }
      expect(hits.length, file).toBe(0);
    }
  });
});
