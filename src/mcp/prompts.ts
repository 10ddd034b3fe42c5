// MCP prompts, kept as markdown files under prompts/.
//
// A prompt file is YAML front matter and a markdown body; its name is the file name:
//
//   ---
//   name: stage_gate_review
//   title: Review a deal's stage gate
//   description: Static text for prompts/list (never store data).
//   arguments:
//     - { name: deal_id, description: "Deal id, e.g. D-0042", required: false }
//   ---
//   Markdown with placeholders.
//
// Argument names come from one vocabulary (ARGUMENTS below), so a name means the same everywhere:
// it decides how the value is checked, completed and shown. deal_id completes from the store's
// ids, owner from its owners, stage/segment/focus from the methodology; notes is free text.
//
// Placeholders, all checked when the file is loaded (an unknown one stops start-up):
//   {{arg.NAME}}               a declared argument: ids as given, owner JSON-quoted, notes as a
//                              fenced data block. An optional argument only inside {{#if arg.NAME}}.
//   {{deal}}                   the deal named by deal_id: summary lines and its stored record fenced
//                              as data, or a "not found" note; empty without deal_id.
//   {{filters}}                the owner/segment/stage arguments given, as a JSON filters object.
//   {{tool:NAME}}              a tool name, checked against the server's tools.
//   {{today}}                  the server's date, YYYY-MM-DD.
//   {{quarter:from|to|name}}   the last full calendar quarter before today (2026-07-01, 2026-09-30, 2026-Q3).
//   {{stage.FIELD[:STAGE]}}    FIELD: id, name, objective, activities, exit_criteria, success_metric,
//                              next_stage. Without :STAGE it is this render's stage (the stage
//                              argument, else the deal's), and only allowed inside {{#if stage}}.
//   {{stages}} {{wastes}} {{waste:ID}} {{segments}} {{questions}} {{question:FOCUS}}
//   {{question}} (the focus argument's, inside {{#if arg.focus}}) {{principle:ID}}
//   {{bant.dimensions}} {{bant.questions}} {{bant.disqualifiers}} {{bant.nurture}} {{success_indicators}}
//   {{proactive.characteristics}} {{proactive.activities}} {{implementation.deliverables:PHASE}}
//   {{implementation.objectives:PHASE}} {{implementation.activity:PHASE.ACTIVITY}} (ACTIVITY is
//                              the activity's name in snake_case, e.g. current_state_assessment)
//   {{#if COND}}...{{else}}...{{/if}}   COND: arg.NAME (given), deal (found), stage (known); nests.
// Methodology facts are never typed into prompt files: they are rendered from data/, so data/
// stays the one source of truth. A block tag alone on its line takes its line with it.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode, McpError, type GetPromptResult } from "@modelcontextprotocol/sdk/types.js";
import { parseDocument } from "yaml";
import { z } from "zod";
import type { Methodology, StageDef } from "../methodology/load.js";
import { FocusId } from "../methodology/schema.js";
import { promptsDir } from "../paths.js";
import { InputError } from "../methodology/errors.js";
import { fence, newNonce } from "../app/fence.js";
import { SEGMENT_IDS } from "../app/deal-view.js";
import type { Deps } from "../app/deps.js";
import { dealRecord, dealRecordText } from "../app/deal-record.js";
import { ALL_TOOLS, servedTools } from "./tools/index.js";
import { cleanText, DealIdPattern } from "../app/schemas.js";

export class PromptFileError extends Error {
  constructor(
    readonly file: string,
    readonly path: string,
    detail: string,
  ) {
    super(file ? `prompts/${file}${path ? ` at ${path}` : ""}: ${detail}` : detail);
    this.name = "PromptFileError";
  }
}

// ---------------------------------------------------------------- arguments
// Each accepts "" as "not given": some clients send empty strings for optional fields left blank.
const oneOf = (what: string, ids: readonly string[]) =>
  z.string().refine((v) => v === "" || ids.includes(v), `${what} must be one of ${ids.join(", ")}`);
const startingWith = (ids: readonly string[]) => (v: string | undefined) => ids.filter((id) => id.startsWith(v ?? ""));

interface ArgumentKind {
  schema(m: Methodology): z.ZodType<string, string>;
  complete?(deps: Deps): (value: string | undefined) => string[];
  /** How {{arg.NAME}} shows the value: an id as is, free text JSON-quoted or fenced as data. */
  show: "id" | "quoted" | "fenced";
}

const ARGUMENTS = {
  deal_id: {
    schema: () =>
      z.string().refine((v) => v === "" || DealIdPattern.test(v), "deal_id looks like D-0042 (list_deals finds ids)"),
    complete: (deps) => (v) =>
      deps
        .store()
        .dealsLike(v ?? "", 20)
        .map((d) => d.id),
    show: "id",
  },
  owner: {
    schema: () => cleanText(200, { optional: true }),
    complete: (deps) => (v) => deps.store().ownersLike(v ?? "", 20),
    show: "quoted",
  },
  stage: {
    schema: (m) =>
      oneOf(
        "stage",
        m.stages.map((s) => s.id),
      ),
    complete: (deps) => startingWith(deps.methodology.stages.map((s) => s.id)),
    show: "id",
  },
  segment: { schema: () => oneOf("segment", SEGMENT_IDS), complete: () => startingWith(SEGMENT_IDS), show: "id" },
  focus: { schema: () => oneOf("focus", FocusId.options), complete: () => startingWith(FocusId.options), show: "id" },
  notes: { schema: () => cleanText(20_000, { multiline: true, optional: true }), show: "fenced" },
} satisfies Record<string, ArgumentKind>;
type ArgName = keyof typeof ARGUMENTS;
const ARG_NAMES = Object.keys(ARGUMENTS) as [ArgName, ...ArgName[]];

// ---------------------------------------------------------------- front matter
const FrontMatter = z
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
type FrontMatter = z.infer<typeof FrontMatter>;

// ---------------------------------------------------------------- template
type Cond = "deal" | "stage" | `arg.${ArgName}`;
type Node =
  | { t: "text"; text: string }
  | { t: "put"; head: string; key?: string }
  | { t: "if"; cond: Cond; then: Node[]; else: Node[] };

interface Render {
  m: Methodology;
  args: Partial<Record<ArgName, string>>;
  /** undefined: no deal_id given. */
  deal?: { id: string; record?: ReturnType<typeof dealRecord> };
  stage?: StageDef;
  today: string;
  /** Fenced blocks, kept aside until the text around them is tidied. */
  blocks: string[];
  nonce: string;
}

interface Placeholder {
  key: "none" | "required" | "optional";
  keys?(m: Methodology, tools: ReadonlySet<string>): readonly string[];
  /** The condition that must enclose the form without a key (its value comes from the render). */
  unkeyedNeeds?: Cond;
  /** The file must declare one of these arguments. */
  needsArg?: ArgName[];
  render(r: Render, key?: string): string;
}

/** The last full calendar quarter before a day (YYYY-MM-DD). */
export function lastFullQuarter(today: string): { from: string; to: string; name: string } {
  const y = Number(today.slice(0, 4));
  const q = Math.floor((Number(today.slice(5, 7)) - 1) / 3); // this quarter, 0-3
  const [year, prev] = q === 0 ? [y - 1, 3] : [y, q - 1];
  const from = new Date(Date.UTC(year, prev * 3, 1));
  const to = new Date(Date.UTC(year, prev * 3 + 3, 0));
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10), name: `${year}-Q${prev + 1}` };
}

const bullets = (items: readonly string[]) => items.map((i) => `- ${i}`).join("\n");
const months = (c: { min: number; max: number }) => (c.min === c.max ? `${c.min} months` : `${c.min}-${c.max} months`);
const snake = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");

function fenced(r: Render, source: string, text: string): string {
  r.blocks.push(fence(text, source, r.nonce));
  return `\u0000${r.blocks.length - 1}\u0000`;
}

function stageField(
  field: "id" | "name" | "objective" | "activities" | "exit_criteria" | "success_metric" | "next_stage",
): Placeholder {
  const pick = (r: Render, key?: string) => (key ? r.m.stage(key as never) : r.stage!);
  const show: Record<typeof field, (s: StageDef, r: Render) => string> = {
    id: (s) => s.id,
    name: (s) => `${s.name} (\`${s.id}\`)`,
    objective: (s) => s.objective,
    activities: (s) => bullets(s.activities.map((a) => a.text)),
    exit_criteria: (s) =>
      bullets(
        s.exit_criteria.map((c) => `\`${c.id}\`${c.optional ? " (optional)" : ""}: ${c.text}. Ask: ${c.question}`),
      ),
    success_metric: (s) => s.success_metric,
    next_stage: (s, r) => {
      const next = r.m.stages[r.m.stageIndex(s.id) + 1];
      return next ? `${next.name} (\`${next.id}\`)` : "none (the last stage)";
    },
  };
  return {
    key: "optional",
    keys: (m) => m.stages.map((s) => s.id),
    unkeyedNeeds: "stage",
    render: (r, key) => show[field](pick(r, key), r),
  };
}

const implementationActivities = (m: Methodology) =>
  m.implementation.phases.flatMap((p) =>
    p.key_activities.map((a) => ({ key: `${p.id}.${snake(a.name)}`, phase: p, activity: a })),
  );

const PLACEHOLDERS: Record<string, Placeholder> = {
  deal: {
    key: "none",
    needsArg: ["deal_id"],
    render: (r) => {
      if (!r.deal) return "";
      if (!r.deal.record)
        return `Deal ${r.deal.id} was not found in the deal store. Call \`list_deals\` (filters.q finds names and accounts) to find the right id, and confirm it with the user before going on.`;
      const t = dealRecordText(r.m, r.deal.record);
      return `${t.summary.join("\n")}\n\n${fenced(r, `the deal store (the record of ${r.deal.id})`, t.data)}`;
    },
  },
  filters: {
    key: "none",
    needsArg: ["owner", "segment", "stage"],
    render: (r) =>
      JSON.stringify(
        Object.fromEntries(
          (["owner", "segment", "stage"] as const).filter((k) => r.args[k]).map((k) => [k, r.args[k]]),
        ),
      ),
  },
  tool: { key: "required", keys: (_m, tools) => [...tools], render: (_r, key) => `\`${key}\`` },
  today: { key: "none", render: (r) => r.today },
  // The last full calendar quarter before today: from, to (ISO dates) and its name (2026-Q3).
  quarter: {
    key: "required",
    keys: () => ["from", "to", "name"],
    render: (r, key) => {
      const q = lastFullQuarter(r.today);
      return key === "from" ? q.from : key === "to" ? q.to : q.name;
    },
  },
  "stage.id": stageField("id"),
  "stage.name": stageField("name"),
  "stage.objective": stageField("objective"),
  "stage.activities": stageField("activities"),
  "stage.exit_criteria": stageField("exit_criteria"),
  "stage.success_metric": stageField("success_metric"),
  "stage.next_stage": stageField("next_stage"),
  stages: {
    key: "none",
    render: (r) => r.m.stages.map((s) => `${s.number}. ${s.name} (\`${s.id}\`): ${s.objective}`).join("\n"),
  },
  wastes: {
    key: "none",
    render: (r) => bullets(r.m.wastes.map((w) => `**${w.name}** (\`${w.id}\`, ${w.short_name}): ${w.definition}`)),
  },
  waste: {
    key: "required",
    keys: (m) => m.wastes.map((w) => w.id),
    render: (r, key) => {
      const w = r.m.waste(key as never);
      return `**${w.name}** (\`${w.id}\`): ${w.definition}\nExamples:\n${bullets(w.examples)}\nElimination approach:\n${bullets(w.elimination)}`;
    },
  },
  segments: {
    key: "none",
    render: (r) =>
      bullets(
        [
          ...r.m.segmentation.matrix.map((s) => ({ ...s, derived: false })),
          ...r.m.segmentation.derived.rows.map((s) => ({ ...s, derived: true })),
        ].map(
          (s) =>
            `**${s.label}** (\`${s.tier}_${s.readiness}\`): ${s.sales_approach}; ${s.engagement_level}; ${months(s.cycle_time_months)}${s.derived ? " (derived: not in the reference's matrix)" : ""}`,
        ),
      ),
  },
  questions: {
    key: "none",
    render: (r) => bullets(r.m.questions.map((q) => `**${q.topic}** (\`${q.id}\`): ${q.question}`)),
  },
  question: {
    key: "optional",
    keys: () => FocusId.options,
    unkeyedNeeds: "arg.focus",
    render: (r, key) => {
      const q = r.m.questions.find((x) => x.id === (key ?? r.args.focus))!;
      return `**${q.topic}**: ${q.question}\n${bullets(q.follow_ups)}`;
    },
  },
  principle: {
    key: "required",
    keys: (m) => m.principles.map((p) => p.id),
    render: (r, key) => {
      const p = r.m.principles.find((x) => x.id === key)!;
      return `**${p.name}**: ${p.definition}\n${bullets(p.application)}`;
    },
  },
  "bant.dimensions": {
    key: "none",
    render: (r) =>
      bullets(
        r.m.bant.dimensions.map(
          (d) =>
            `**${d.name}** (\`${d.id}\`, weight ${d.weight}): ${d.description} Statuses, best first: ${d.statuses.map((s) => `\`${s.id}\`${s.qualifying ? " (qualifies)" : ""}`).join(", ")}.`,
        ),
      ),
  },
  "bant.questions": {
    key: "none",
    render: (r) => r.m.bant.dimensions.map((d) => `**${d.name}**\n${bullets(d.questions)}`).join("\n"),
  },
  "bant.disqualifiers": {
    key: "none",
    render: (r) =>
      bullets(
        r.m.bant.disqualifiers.map(
          (dq) =>
            `\`${dq.id}\` (${Object.entries(dq.when)
              .map(([dim, st]) => `${dim} ${st.join(" or ")}`)
              .join(" and ")}): ${dq.reason}`,
        ),
      ),
  },
  "bant.nurture": {
    key: "none",
    render: (r) =>
      bullets(
        r.m.bant.nurture_triggers.map(
          (t) =>
            `\`${t.id}\` (${Object.entries(t.when)
              .map(([dim, st]) => `${dim} ${st.join(" or ")}`)
              .join(" and ")}): ${t.reason}`,
        ),
      ),
  },
  "proactive.characteristics": { key: "none", render: (r) => bullets(r.m.proactiveReactive.proactive.characteristics) },
  "proactive.activities": { key: "none", render: (r) => bullets(r.m.proactiveReactive.proactive.activities) },
  success_indicators: { key: "none", render: (r) => bullets(r.m.implementation.success_indicators.map((s) => s.text)) },
  "implementation.deliverables": {
    key: "required",
    keys: (m) => m.implementation.phases.filter((p) => p.deliverables).map((p) => p.id),
    render: (r, key) => bullets(r.m.implementation.phases.find((p) => p.id === key)!.deliverables!),
  },
  "implementation.objectives": {
    key: "required",
    keys: (m) => m.implementation.phases.map((p) => p.id),
    render: (r, key) => bullets(r.m.implementation.phases.find((p) => p.id === key)!.objectives),
  },
  "implementation.activity": {
    key: "required",
    keys: (m) => implementationActivities(m).map((a) => a.key),
    render: (r, key) => {
      const { phase, activity } = implementationActivities(r.m).find((a) => a.key === key)!;
      return `**${activity.name}** (Phase ${phase.number}: ${phase.name})\n${bullets(activity.items)}`;
    },
  },
};

interface CompileContext {
  file: string;
  firstLine: number;
  m: Methodology;
  tools: ReadonlySet<string>;
  args: Map<ArgName, boolean>; // name -> required
}

/** Parses and checks a body; every error names the file and the line. */
function compileTemplate(body: string, cx: CompileContext): Node[] {
  const lineAt = (pos: number) => `line ${cx.firstLine + body.slice(0, pos).split("\n").length - 1}`;
  const fail = (pos: number, detail: string): never => {
    throw new PromptFileError(cx.file, lineAt(pos), detail);
  };

  // Text and tags alternate (a text may be empty), which keeps the standalone-line rule simple.
  const texts: Array<{ text: string; pos: number }> = [];
  const tags: Array<{ expr: string; pos: number }> = [];
  const TAG = /\{\{([^{}]*)\}\}/g;
  let last = 0;
  for (let hit; (hit = TAG.exec(body));) {
    texts.push({ text: body.slice(last, hit.index), pos: last });
    tags.push({ expr: hit[1]!.trim(), pos: hit.index });
    last = hit.index + hit[0].length;
  }
  texts.push({ text: body.slice(last), pos: last });
  for (const t of texts) {
    const stray = t.text.search(/\{\{|\}\}/);
    if (stray >= 0) fail(t.pos + stray, "unbalanced {{ or }}");
  }
  const isBlock = (expr: string) => expr.startsWith("#") || expr.startsWith("/") || expr === "else";
  let prevStandalone = false;
  tags.forEach((tag, i) => {
    const before = texts[i]!;
    const after = texts[i + 1]!;
    const head = /(?:^|\n)([ \t]*)$/.exec(before.text);
    const tail = /^[ \t]*(?:\n|$)/.exec(after.text);
    const alone =
      isBlock(tag.expr) &&
      head !== null &&
      (head[0].startsWith("\n") || i === 0 || (before.text === head[1] && prevStandalone)) &&
      tail !== null &&
      (tail[0].endsWith("\n") || i + 1 === texts.length - 1);
    if (alone) {
      before.text = before.text.slice(0, before.text.length - head[1]!.length);
      after.text = after.text.slice(tail[0].length);
    }
    prevStandalone = alone;
  });

  const root: Node[] = [];
  const stack: Array<{ node: Extract<Node, { t: "if" }>; inElse: boolean; pos: number }> = [];
  const into = () => {
    const top = stack.at(-1);
    return top ? (top.inElse ? top.node.else : top.node.then) : root;
  };
  // A stage argument that was given is a known stage.
  const inScope = (c: Cond) =>
    stack.some((s) => !s.inElse && (s.node.cond === c || (c === "stage" && s.node.cond === "arg.stage")));
  const declared = (n: string): n is ArgName => cx.args.has(n as ArgName);

  const checkCond = (expr: string, pos: number): Cond => {
    const arg = /^arg\.([a-z_]+)$/.exec(expr);
    if (arg)
      return declared(arg[1]!)
        ? (expr as Cond)
        : fail(pos, `{{#if ${expr}}} names an argument this prompt does not declare`);
    if (expr === "deal") return cx.args.has("deal_id") ? "deal" : fail(pos, "{{#if deal}} needs a deal_id argument");
    if (expr === "stage")
      return cx.args.has("stage") || cx.args.has("deal_id")
        ? "stage"
        : fail(pos, "{{#if stage}} needs a stage or deal_id argument");
    return fail(pos, `unknown condition "${expr}"; use arg.NAME, deal or stage`);
  };

  const checkPut = (expr: string, pos: number): Node => {
    const parts = /^([a-z_]+(?:\.[a-z_]+)?)(?::([a-z0-9_.]+))?$/.exec(expr);
    if (!parts) return fail(pos, `malformed placeholder {{${expr}}}`);
    const [, head, key] = parts as unknown as [string, string, string | undefined];
    if (head.startsWith("arg.")) {
      const name = head.slice(4);
      if (key || !declared(name)) return fail(pos, `{{${expr}}} names an argument this prompt does not declare`);
      if (!cx.args.get(name) && !inScope(`arg.${name}`))
        fail(pos, `{{${expr}}} is optional: put it inside {{#if arg.${name}}}`);
      return { t: "put", head: "arg", key: name };
    }
    const p = PLACEHOLDERS[head];
    if (!p)
      return fail(pos, `unknown placeholder {{${expr}}}; known: arg.NAME, ${Object.keys(PLACEHOLDERS).join(", ")}`);
    if (key && p.key === "none") fail(pos, `{{${head}}} takes no :key`);
    if (!key && p.key === "required")
      fail(pos, `{{${head}}} needs a key, e.g. {{${head}:${p.keys!(cx.m, cx.tools)[0]}}}`);
    if (key && !p.keys!(cx.m, cx.tools).includes(key))
      fail(pos, `unknown key "${key}" in {{${expr}}}; known: ${p.keys!(cx.m, cx.tools).join(", ")}`);
    if (!key && p.unkeyedNeeds && !inScope(p.unkeyedNeeds))
      fail(pos, `{{${head}}} without a key must be inside {{#if ${p.unkeyedNeeds}}}`);
    if (p.needsArg && !p.needsArg.some((a) => cx.args.has(a)))
      fail(pos, `{{${head}}} needs one of these arguments: ${p.needsArg.join(", ")}`);
    return { t: "put", head, ...(key ? { key } : {}) };
  };

  tags.forEach((tag, i) => {
    const text = texts[i]!.text;
    if (text) into().push({ t: "text", text });
    if (tag.expr.startsWith("#if ")) {
      const node = { t: "if" as const, cond: checkCond(tag.expr.slice(4).trim(), tag.pos), then: [], else: [] };
      into().push(node);
      stack.push({ node, inElse: false, pos: tag.pos });
    } else if (tag.expr === "else") {
      const top = stack.at(-1);
      if (!top || top.inElse) fail(tag.pos, "{{else}} without an open {{#if}}");
      top!.inElse = true;
    } else if (tag.expr === "/if") {
      if (!stack.pop()) fail(tag.pos, "{{/if}} without an open {{#if}}");
    } else if (isBlock(tag.expr)) {
      fail(tag.pos, `unknown block tag {{${tag.expr}}}; blocks are {{#if COND}}, {{else}}, {{/if}}`);
    } else {
      into().push(checkPut(tag.expr, tag.pos));
    }
  });
  if (stack.length) fail(stack.at(-1)!.pos, "{{#if}} is never closed with {{/if}}");
  const tail = texts.at(-1)!.text;
  if (tail) root.push({ t: "text", text: tail });
  return root;
}

function renderNodes(nodes: Node[], r: Render): string {
  return nodes
    .map((n) => {
      if (n.t === "text") return n.text;
      if (n.t === "if") return renderNodes(holds(n.cond, r) ? n.then : n.else, r);
      if (n.head === "arg") {
        const name = n.key as ArgName;
        const value = r.args[name] ?? "";
        const show: ArgumentKind["show"] = ARGUMENTS[name].show;
        if (show === "fenced") return fenced(r, `the ${name} given with the prompt`, value);
        return show === "quoted" ? JSON.stringify(value) : value;
      }
      return PLACEHOLDERS[n.head]!.render(r, n.key);
    })
    .join("");
}

function holds(c: Cond, r: Render): boolean {
  if (c === "deal") return Boolean(r.deal?.record);
  if (c === "stage") return r.stage !== undefined;
  return Boolean(r.args[c.slice(4) as ArgName]);
}

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

function loadPromptFile(dir: string, file: string, m: Methodology, tools: ReadonlySet<string>): PromptDef {
  let text: string;
  try {
    text = readFileSync(join(dir, file), "utf8").replace(/\r\n?/g, "\n");
  } catch (err) {
    throw new PromptFileError(file, "", `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const fm = /^---\n([\s\S]*?)\n---(?:\n|$)/.exec(text);
  if (!fm) throw new PromptFileError(file, "", "must start with YAML front matter between --- lines");
  const doc = parseDocument(fm[1]!);
  if (doc.errors.length)
    throw new PromptFileError(file, "front matter", `is not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
  const parsed = FrontMatter.safeParse(doc.toJS());
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

// ---------------------------------------------------------------- registering
export function registerPrompts(server: McpServer, deps: Deps): void {
  const served = new Set(servedTools(deps).map((t) => t.name));
  // A prompt never names a tool this server does not serve (--read-only, --toolsets).
  for (const p of promptsFor(deps).filter((x) => [...x.tools].every((t) => served.has(t)))) {
    const shape: Record<string, z.ZodType> = {};
    for (const a of p.arguments) {
      let s: z.ZodType = ARGUMENTS[a.name].schema(deps.methodology);
      if (a.required) s = (s as z.ZodType<string>).refine((v) => v !== "", `${a.name} is required`);
      s = (a.required ? s : s.optional()).describe(a.description);
      const complete = (ARGUMENTS[a.name] as ArgumentKind).complete?.(deps);
      shape[a.name] = complete ? completable(s, complete as never) : s;
    }
    server.registerPrompt(p.name, { title: p.title, description: p.description, argsSchema: shape as never }, ((
      args: Record<string, string | undefined>,
    ) => renderPrompt(p, args, deps)) as never);
  }
}

/** Renders one prompt; stored text only ever appears inside a fenced data block. */
export function renderPrompt(p: PromptDef, rawArgs: Record<string, string | undefined>, deps: Deps): GetPromptResult {
  const started = performance.now();
  const m = deps.methodology;
  // "" means not given (see ARGUMENTS).
  const args = Object.fromEntries(Object.entries(rawArgs).filter(([, v]) => v !== undefined && v !== "")) as Partial<
    Record<ArgName, string>
  >;
  try {
    let deal: Render["deal"];
    if (args.deal_id) {
      const found = deps.store().getDeal(args.deal_id);
      deal = { id: args.deal_id, ...(found ? { record: dealRecord(m, deps.store(), args.deal_id, 10) } : {}) };
    }
    const stageId = args.stage ?? deal?.record?.deal.stage;
    const r: Render = {
      m,
      args,
      ...(deal ? { deal } : {}),
      ...(stageId ? { stage: m.stage(stageId as never) } : {}),
      today: deps.now().toISOString().slice(0, 10),
      blocks: [],
      nonce: newNonce(),
    };
    const text = renderNodes(p.body, r)
      .replace(/[ \t]+\n/g, "\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim()
      .replace(/\u0000(\d+)\u0000/g, (_s, i: string) => r.blocks[Number(i)]!);
    deps.log.info(
      {
        prompt: p.name,
        ms: Math.round((performance.now() - started) * 100) / 100,
        deal: deal ? (deal.record ? "found" : "missing") : "none",
      },
      "prompt get",
    );
    return { description: p.description, messages: [{ role: "user", content: { type: "text", text } }] };
  } catch (err) {
    if (err instanceof InputError) throw new McpError(ErrorCode.InvalidParams, err.message);
    const ref = randomUUID().slice(0, 8);
    deps.log.error({ err, prompt: p.name, ref }, "prompt failed");
    throw new McpError(
      ErrorCode.InternalError,
      `Prompt ${p.name} could not be rendered (ref ${ref}); the server log has the details under that ref.`,
    );
  }
}
