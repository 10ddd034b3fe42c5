// docs/interface.md, the public interface agents and workflows depend on, is generated here from
// the running server (tools/list, resources, prompts) and from data/ (the identifiers), so it
// can never drift from what a client sees: CI fails when the file and the server disagree.
// After a deliberate change: `npx vitest run test/interface.test.ts -u`, and review the diff
// (a removed or renamed name breaks someone's workflow: add, deprecate, then remove).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLOSED_STATUSES, DEAL_STATUSES } from "../src/methodology/schema.js";
import { connect, methodology, type Harness } from "./helpers/connect.js";

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  additionalProperties?: Schema | boolean;
};

/** A JSON Schema as one short type expression: `{status, note?}`, `string[]`, `a | b`. */
function typeOf(s: Schema, depth = 0): string {
  if (s.enum) return s.enum.map(String).join(" | ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) return [...new Set(s.anyOf.map((x) => typeOf(x, depth)))].join(" | ");
  const t = Array.isArray(s.type) ? s.type.filter((x) => x !== "null").join(" | ") : s.type;
  if (t === "array") return `${s.items ? wrap(typeOf(s.items, depth)) : "unknown"}[]`;
  if (t === "object" && s.properties) {
    if (depth >= 1) return "{…}";
    const req = new Set(s.required ?? []);
    return `{${Object.keys(s.properties)
      .map((k) => `${k}${req.has(k) ? "" : "?"}`)
      .join(", ")}}`;
  }
  if (t === "object" && typeof s.additionalProperties === "object")
    return `{[key]: ${typeOf(s.additionalProperties, depth + 1)}}`;
  return (s.format ? `${t} (${s.format})` : t) ?? "unknown";
}
const wrap = (t: string) => (t.includes(" | ") ? `(${t})` : t);

function fields(s: Schema | undefined, withDescriptions: boolean): string[] {
  const req = new Set(s?.required ?? []);
  return Object.entries(s?.properties ?? {}).map(([k, p]) => {
    const d = withDescriptions && p.description ? `: ${p.description}` : "";
    return `- \`${k}${req.has(k) ? "" : "?"}\` ${typeOf(p)}${d}`;
  });
}

async function render(h: Harness): Promise<string> {
  const m = methodology();
  const [{ tools }, { resources }, { resourceTemplates }, { prompts }] = await Promise.all([
    h.client.listTools(),
    h.client.listResources(),
    h.client.listResourceTemplates(),
    h.client.listPrompts(),
  ]);
  const out: string[] = [
    "# Public interface of lean-sales-mcp",
    "",
    "Generated from the running server and `data/` by `test/interface.test.ts` (CI fails when they",
    "disagree). Agents, agent developers and their workflows depend on these names: add tools,",
    "fields and values freely; rename or remove only with a deprecation period. The README says how",
    "to use them; this file says exactly what they are.",
    "",
    "## Conventions (every tool)",
    "- Every tool declares an input and an output schema and answers with `structuredContent` that",
    "  matches it, plus a short markdown summary in `content` that ends with the next steps.",
    "- `next_steps: [{tool, arguments, why}]` in every answer: what to call next.",
    "- Invalid input gets `isError: true` and one line per problem naming the field, the accepted",
    "  values and the closest one; nothing is written.",
    "- Every verdict carries `reasons: string[]` pointing at the methodology element behind it.",
    "- Tools that can work on a stored deal take `deal_id` (D-0042; `d-42` is read as D-0042).",
    "- Analyses that depend on today take `as_of` (an ISO date), so results are reproducible.",
    "- Write tools take `request_id`: a retry with the same id returns the first answer.",
    `- Money is a number plus \`currency\` (ISO 4217; default ${m.currency}). Dates are ISO 8601.`,
    "- Text that came from the store or the request is fenced as data: `<untrusted-data-NONCE>`.",
    "",
    "## Identifiers",
    `- stages, in order: ${m.stages.map((s) => `\`${s.id}\``).join(", ")}`,
    `- deal status: ${DEAL_STATUSES.map((s) => `\`${s}\``).join(", ")} (closed: ${CLOSED_STATUSES.join(", ")})`,
    `- tiers: ${m.segmentation.tiers.map((t) => `\`${t.id}\``).join(", ")}; readiness: ${m.segmentation.readiness_levels.map((r) => `\`${r.id}\``).join(", ")}; segment = \`<tier>_<readiness>\``,
    `- wastes: ${m.wastes.map((w) => `\`${w.id}\``).join(", ")}`,
    ...m.qualification.dimensions.map(
      (d) => `- ${m.qualification.name} ${d.id}: ${d.statuses.map((s) => `\`${s.id}\``).join(", ")}`,
    ),
    "",
    "## Tools",
  ];
  for (const t of tools) {
    const a = t.annotations ?? {};
    const kind = a.readOnlyHint ? "read-only" : a.destructiveHint ? "writes (destructive)" : "writes";
    out.push(
      "",
      `### ${t.name}`,
      `${t.title} · ${kind}${a.idempotentHint ? ", idempotent" : ""}`,
      "",
      t.description ?? "",
      "",
      "in:",
      ...fields(t.inputSchema as Schema, true),
    );
    out.push("", "out:", ...fields(t.outputSchema as Schema, false));
    const ui = (t._meta as { ui?: { resourceUri?: string } } | undefined)?.ui?.resourceUri;
    if (ui) out.push("", `MCP App: \`${ui}\``);
  }
  out.push("", "## Resources", "");
  for (const r of resources.filter((x) => !x.uri.startsWith("lean-sales://deals/")))
    out.push(`- \`${r.uri}\` (${r.mimeType}): ${r.description ?? r.name}`);
  for (const r of resourceTemplates)
    out.push(`- \`${r.uriTemplate}\` (${r.mimeType ?? "varies"}): ${r.description ?? r.name}`);
  out.push("", "## Prompts", "");
  for (const p of prompts) {
    const args = (p.arguments ?? []).map((x) => `${x.name}${x.required ? "" : "?"}`).join(", ");
    out.push(`- \`${p.name}\`(${args}): ${p.description ?? ""}`);
  }
  return out.join("\n") + "\n";
}

describe("docs/interface.md", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await connect();
  });
  afterAll(() => h.close());

  it("is what the server serves (regenerate with -u after a deliberate change)", async () => {
    await expect(await render(h)).toMatchFileSnapshot("../docs/interface.md");
  });
});
