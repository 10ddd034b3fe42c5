// Prompt templates: markdown files under prompts/, compiled once and rendered per request.
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
//   {{stage.FIELD[:STAGE]}}    FIELD: id, name, objective, activities, entrance_criteria, exit_criteria, success_metric,
//                              next_stage. :STAGE is a stage id or qualification_stage. Without :STAGE it is this render's stage (the stage
//                              argument, else the deal's), and only allowed inside {{#if stage}}.
//   {{stages}} {{wastes}} {{waste:ID}} {{segments}} {{questions}} {{question:FOCUS}}
//   {{question}} (the focus argument's, inside {{#if arg.focus}}) {{principle:ID}}
//   {{qualification.framework}} {{qualification.dimensions}} {{qualification.questions}} {{qualification.disqualifiers}} {{qualification.nurture}} {{success_indicators}}
//   {{proactive.characteristics}} {{proactive.activities}} {{implementation.deliverables:PHASE}}
//   {{implementation.objectives:PHASE}} {{implementation.activity:PHASE.ACTIVITY}} (ACTIVITY is
//                              the activity's name in snake_case, e.g. current_state_assessment)
//   {{#if COND}}...{{else}}...{{/if}}   COND: arg.NAME (given), deal (found), stage (known); nests.
// Methodology facts are never typed into prompt files: they are rendered from data/, so data/
// stays the one source of truth. A block tag alone on its line takes its line with it.
import { type CompileContext, type Cond, type Node, type Render } from "./types.js";
import { PromptFileError } from "./types.js";
import { ARGUMENTS, type ArgName, type ArgumentKind } from "./arguments.js";
import { fenced, PLACEHOLDERS } from "./placeholders.js";

/** Parses and checks a body; every error names the file and the line. */
export function compileTemplate(body: string, cx: CompileContext): Node[] {
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

export function renderNodes(nodes: Node[], r: Render): string {
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

export function holds(c: Cond, r: Render): boolean {
  if (c === "deal") return Boolean(r.deal?.record);
  if (c === "stage") return r.stage !== undefined;
  return Boolean(r.args[c.slice(4) as ArgName]);
}
