// Reading and checking prompts/*.md at start-up (a broken file stops the server, naming file and line).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import type { Methodology } from "../../methodology/load.js";
import { promptsDir } from "../../paths.js";
import { PARSE_ONCE } from "../../methodology/provenance.js";
import type { Deps } from "../../app/deps.js";
import { ALL_TOOLS } from "../tools/index.js";
import { type Node } from "./types.js";
import { compileTemplate } from "./template.js";
import { plainFrontMatter } from "./front-matter.js";
import { ARG_NAMES, type ArgName } from "./arguments.js";
import { PromptFileError } from "./types.js";

// ---------------------------------------------------------------- front matter
export const FrontMatter = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]{2,39}$/, "prompt names are snake_case, 3-40 characters"),
    title: z.string().min(1).max(80),
    description: z.string().min(1).max(1024, "keep descriptions under 1 KB (some clients cut longer ones)"),
    arguments: z
      .array(
        z
          .object({
            name: z.enum(ARG_NAMES, { error: `argument names are one of ${ARG_NAMES.join(", ")}` }),
            description: z.string().min(1).max(300),
            required: z.boolean().default(false),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();
export type FrontMatter = z.infer<typeof FrontMatter>;

// ---------------------------------------------------------------- loading
export interface PromptDef extends FrontMatter {
  file: string;
  body: Node[];
  /** The tools the prompt names: it is served only where all of them are. */
  tools: Set<string>;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)),
    "",
  );
}

/** Front matter through the YAML library: what plainFrontMatter leaves to it, and any error. */
function yamlFrontMatter(file: string, text: string): unknown {
  const doc = parseDocument(text);
  if (doc.errors.length)
    throw new PromptFileError(file, "front matter", `is not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
  return doc.toJS();
}

function loadPromptFile(dir: string, file: string, m: Methodology, tools: ReadonlySet<string>): PromptDef {
  let text: string;
  try {
    text = readFileSync(join(dir, file), "utf8").replace(/\r\n?/g, "\n");
  } catch (err) {
    throw new PromptFileError(file, "", `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const fm = /^---\n([\s\S]*?)\n---(?:\n|$)/.exec(text);
  if (!fm) throw new PromptFileError(file, "", "must start with YAML front matter between --- lines");
  const parsed = FrontMatter.safeParse(plainFrontMatter(fm[1]!) ?? yamlFrontMatter(file, fm[1]!), PARSE_ONCE);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PromptFileError(file, formatPath(issue.path) || "front matter", issue.message);
  }
  const front = parsed.data;
  if (`${front.name}.md` !== file)
    throw new PromptFileError(file, "name", `must match the file name (${file.replace(/\.md$/, "")})`);
  const args = new Map<ArgName, boolean>();
  front.arguments.forEach((a, i) => {
    if (args.has(a.name)) throw new PromptFileError(file, `arguments[${i}].name`, `${a.name} is declared twice`);
    args.set(a.name, a.required);
  });
  const firstLine = fm[0].split("\n").length + (fm[0].endsWith("\n") ? 0 : 1);
  const body = compileTemplate(text.slice(fm[0].length), { file, firstLine, m, tools, args });
  const named = new Set<string>();
  const walk = (nodes: Node[]) => {
    for (const n of nodes) {
      if (n.t === "put" && n.head === "tool" && n.key) named.add(n.key);
      if (n.t === "if") (walk(n.then), walk(n.else));
    }
  };
  walk(body);
  return { ...front, file, body, tools: named };
}

/** Reads and checks every prompts/*.md. Throws PromptFileError (file and field) on the first problem. */
export function loadPrompts(dir: string, m: Methodology, tools: Iterable<string>): PromptDef[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith(".md"))
      .sort();
  } catch (err) {
    throw new PromptFileError(
      "",
      "",
      `prompts folder ${dir} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  const known = new Set(tools);
  return files.map((f) => loadPromptFile(dir, f, m, known));
}

// Loaded once per Deps: HTTP builds a server per session from the same Deps.
const loaded = new WeakMap<Deps, PromptDef[]>();
export function promptsFor(deps: Deps): PromptDef[] {
  let list = loaded.get(deps);
  if (!list) {
    list = loadPrompts(
      deps.promptsDir ?? promptsDir(),
      deps.methodology,
      ALL_TOOLS.map((t) => t.name),
    );
    loaded.set(deps, list);
  }
  return list;
}
