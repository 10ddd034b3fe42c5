// F4: Unicode and size edges on every string field that is stored (reliability findings §3.2,
// plan F4). Each edge value goes into each field through the built bin over stdio: the call is
// refused with a message naming the field, or the value is normalised. Afterwards every text
// value in the file (and every string inside stored JSON) is scanned: nothing malformed, no
// control, bidi, zero-width or tag character.
import { afterAll, describe, expect, it } from "vitest";
import { connectRecording, recordFigures, scanStoredText, openReadOnly, TAG_TEXT, INVISIBLE } from "../helpers/fuzz.js";
import { cleanupE2E, tempDb } from "../helpers/spawn.js";

afterAll(cleanupE2E);

/** The edge values; `normalised` is what a value that is accepted must come back as. */
const EDGES: Array<{ label: string; value: string; normalised?: string }> = [
  { label: "NUL", value: "Acme\u0000Corp" },
  { label: "leading NUL", value: "\u0000Acme" },
  { label: "lone surrogate", value: "Acme \ud800 Corp" },
  { label: "RTL override", value: "Acme \u202Egnp.exe" },
  { label: "bidi isolate", value: "Acme \u2066x\u2069" },
  { label: "tag characters", value: `Acme${TAG_TEXT}` },
  { label: "zero-width", value: "Ac\u200Bme\u200D \uFEFFCorp", normalised: "Acme Corp" },
  { label: "whitespace-only", value: " \t  \u3000 " },
  { label: "1 MB", value: "x".repeat(1024 * 1024) },
];

/** Where a string is stored: the tool, its arguments with the value in place, and the field's path. */
interface FieldCase {
  field: string;
  tool: string;
  /** A fresh deal when the call changes the deal's state (close, advance). */
  needs?: "open_deal" | "closed_deal";
  args(v: string, dealId: string): Record<string, unknown>;
}

const BASE = { account: "Acme Logistics", owner: "Dana Lee" };
const FIELDS: FieldCase[] = [
  { field: "name", tool: "create_deal", args: (v) => ({ ...BASE, name: v }) },
  { field: "account", tool: "create_deal", args: (v) => ({ ...BASE, name: "Edge deal", account: v }) },
  { field: "owner", tool: "create_deal", args: (v) => ({ ...BASE, name: "Edge deal", owner: v }) },
  { field: "source", tool: "create_deal", args: (v) => ({ ...BASE, name: "Edge deal", source: v }) },
  { field: "industry", tool: "create_deal", args: (v) => ({ ...BASE, name: "Edge deal", industry: v }) },
  {
    field: "stakeholders[0].name",
    tool: "create_deal",
    args: (v) => ({ ...BASE, name: "Edge deal", stakeholders: [{ name: v }] }),
  },
  {
    field: "stakeholders[0].role",
    tool: "create_deal",
    args: (v) => ({ ...BASE, name: "Edge deal", stakeholders: [{ name: "Priya Shah", role: v }] }),
  },
  { field: "name", tool: "update_deal", needs: "open_deal", args: (v, id) => ({ deal_id: id, name: v }) },
  { field: "account", tool: "update_deal", needs: "open_deal", args: (v, id) => ({ deal_id: id, account: v }) },
  { field: "owner", tool: "update_deal", needs: "open_deal", args: (v, id) => ({ deal_id: id, owner: v }) },
  {
    field: "stakeholders[0].name",
    tool: "update_deal",
    needs: "open_deal",
    args: (v, id) => ({ deal_id: id, stakeholders: [{ name: v }] }),
  },
  {
    field: "close_reason",
    tool: "update_deal",
    needs: "closed_deal",
    args: (v, id) => ({ deal_id: id, close_reason: v }),
  },
  {
    field: "summary",
    tool: "log_activity",
    needs: "open_deal",
    args: (v, id) => ({ deal_id: id, type: "note", summary: v }),
  },
  {
    field: "override_reason",
    tool: "advance_stage",
    needs: "open_deal",
    args: (v, id) => ({ deal_id: id, override_reason: v }),
  },
  {
    field: "reason",
    tool: "close_deal",
    needs: "open_deal",
    args: (v, id) => ({ deal_id: id, outcome: "lost", reason: v }),
  },
  {
    field: "evidence.meeting_agreed",
    tool: "check_stage_exit",
    needs: "open_deal",
    args: (v, id) => ({ deal_id: id, met: ["meeting_agreed"], evidence: { meeting_agreed: v } }),
  },
  {
    field: "budget.note",
    tool: "qualify_prospect",
    needs: "open_deal",
    args: (v, id) => ({ deal_id: id, budget: { status: "approved", note: v } }),
  },
  {
    field: "authority.note",
    tool: "qualify_prospect",
    needs: "open_deal",
    args: (v, id) => ({ deal_id: id, authority: { status: "decision_maker", note: v } }),
  },
  {
    field: "need.pain_points[0]",
    tool: "qualify_prospect",
    needs: "open_deal",
    args: (v, id) => ({ deal_id: id, need: { status: "critical", pain_points: [v] } }),
  },
  {
    field: "need.note",
    tool: "qualify_prospect",
    needs: "open_deal",
    args: (v, id) => ({ deal_id: id, need: { status: "critical", note: v } }),
  },
  {
    field: "timeline.note",
    tool: "qualify_prospect",
    needs: "open_deal",
    args: (v, id) => ({ deal_id: id, timeline: { status: "defined", note: v } }),
  },
  { field: "label", tool: "record_baseline", args: (v) => ({ label: v }) },
  { field: "filters.owner", tool: "record_baseline", args: (v) => ({ label: "edge-owner", filters: { owner: v } }) },
  { field: "filters.q", tool: "record_baseline", args: (v) => ({ label: "edge-q", filters: { q: v } }) },
];

/** The message names the field: its full path, or its last segment with the path's parent. */
function namesField(text: string, field: string): boolean {
  const leaf = field
    .split(".")
    .pop()!
    .replace(/\[\d+\]$/, "");
  return (
    text.includes(field) || new RegExp(`(^|[^A-Za-z0-9_])${leaf.replace(/[[\]]/g, "\\$&")}([^A-Za-z0-9_]|$)`).test(text)
  );
}

const textOf = (r: unknown) =>
  ((r as { content?: Array<{ text?: string }> }).content ?? []).map((c) => c.text ?? "").join("\n");

describe("F4: Unicode and size edges on every stored string field", () => {
  it(
    `${EDGES.length} edge values x ${FIELDS.length} fields (plus CSV import cells): refused naming the field, or normalised; nothing stored that is malformed or invisible`,
    { timeout: 120_000 },
    async () => {
      const { db } = tempDb();
      const c = await connectRecording(db);
      let refused = 0;
      let normalised = 0;
      const problems: string[] = [];
      try {
        const newDeal = async (): Promise<string> => {
          const r = await c.client.callTool({
            name: "create_deal",
            arguments: { ...BASE, name: "Edge target", created_at: "2026-01-05" },
          });
          if (r.isError) throw new Error(textOf(r));
          return (r.structuredContent as { deal: { id: string } }).deal.id;
        };
        const closedDeal = async (): Promise<string> => {
          const id = await newDeal();
          const r = await c.client.callTool({
            name: "close_deal",
            arguments: { deal_id: id, outcome: "won", reason: "Signed" },
          });
          if (r.isError) throw new Error(textOf(r));
          return id;
        };
        let shared: string | undefined;
        for (const f of FIELDS) {
          for (const e of EDGES) {
            const dealId =
              f.needs === "closed_deal"
                ? await closedDeal()
                : f.tool === "close_deal" || f.tool === "advance_stage"
                  ? await newDeal()
                  : f.needs
                    ? (shared ??= await newDeal())
                    : "";
            const r = await c.client.callTool({ name: f.tool, arguments: f.args(e.value, dealId) }, undefined, {
              timeout: 30_000,
            });
            const text = textOf(r);
            const where = `${f.tool} ${f.field} <- ${e.label}`;
            if (r.isError) {
              refused++;
              if (!namesField(text, f.field))
                problems.push(`${where}: refused without naming the field: ${text.slice(0, 200)}`);
              if (e.normalised !== undefined)
                problems.push(`${where}: refused, but it should have been normalised: ${text.slice(0, 200)}`);
            } else {
              normalised++;
              if (e.normalised === undefined)
                problems.push(`${where}: accepted (${JSON.stringify(r.structuredContent).slice(0, 200)})`);
              const json = JSON.stringify(r.structuredContent);
              if (INVISIBLE.test(json) || !json.isWellFormed())
                problems.push(`${where}: the answer carries the bad characters back`);
            }
          }
        }

        // CSV import: the same edges in the name, account and owner cells. Bad rows are reported
        // (naming the field) while good rows import; what was imported is in the scan below.
        for (const e of EDGES.filter((x) => x.value.length < 1000)) {
          for (const col of ["name", "account", "owner"]) {
            const row = {
              external_id: `E-${col}-${e.label.replace(/\W/g, "")}`,
              name: "Imported edge",
              account: "Acme",
              owner: "Dana Lee",
              [col]: e.value,
            };
            const cell = (s: string) => `"${s.replaceAll('"', '""')}"`;
            const csv = `external_id,name,account,owner\n${[row.external_id, row.name, row.account, row.owner].map(cell).join(",")}\n`;
            const r = await c.client.callTool({ name: "import_deals", arguments: { csv, format: "generic" } });
            const s = r.structuredContent as
              { rejected: number; errors: Array<{ field?: string; reason: string }> } | undefined;
            const where = `import_deals ${col} <- ${e.label}`;
            if (r.isError) {
              refused++;
              if (!namesField(textOf(r), col))
                problems.push(`${where}: refused without naming the field: ${textOf(r).slice(0, 200)}`);
            } else if (s && s.rejected > 0) {
              refused++;
              if (!s.errors.some((x) => x.field === col || namesField(x.reason, col)))
                problems.push(`${where}: row error does not name the field: ${JSON.stringify(s.errors).slice(0, 200)}`);
              if (e.normalised !== undefined) problems.push(`${where}: rejected, but it should have been normalised`);
            } else {
              // The importer normalises a cell (a lone surrogate becomes U+FFFD, as bytes read from a
              // file would; a blank name or owner gets its documented fallback): what it stored must
              // be visible, well-formed text.
              normalised++;
              const id = (r.structuredContent as { deal_ids: string[] }).deal_ids[0]!;
              const g = await c.client.callTool({ name: "get_deal", arguments: { deal_id: id } });
              const stored = String((g.structuredContent as { deal: Record<string, unknown> }).deal[col]);
              if (!stored.isWellFormed() || INVISIBLE.test(stored) || !stored.trim() || stored.length > 200)
                problems.push(`${where}: imported as ${JSON.stringify(stored.slice(0, 80))}`);
              if (e.normalised !== undefined && stored !== e.normalised)
                problems.push(`${where}: stored as ${JSON.stringify(stored)}, not ${JSON.stringify(e.normalised)}`);
            }
          }
        }
        await expect(c.client.ping()).resolves.toBeDefined();
        expect(c.transport.report.bad).toEqual([]);
      } finally {
        await c.close();
      }
      const ro = openReadOnly(db);
      try {
        const bad = scanStoredText(ro);
        expect(bad, JSON.stringify(bad.slice(0, 10), null, 1)).toEqual([]);
        // The zero-width edge was stored normalised wherever it was accepted (deal fields, stakeholders, qualification notes).
        const normalisedRows = ro
          .prepare(
            "SELECT (SELECT count(*) FROM deals WHERE name = 'Acme Corp' OR account = 'Acme Corp' OR owner = 'Acme Corp') + (SELECT count(*) FROM stakeholders WHERE name = 'Acme Corp' OR role = 'Acme Corp') + (SELECT count(*) FROM qualifications WHERE detail LIKE '%Acme Corp%') AS n",
          )
          .get() as { n: number };
        expect(normalisedRows.n).toBeGreaterThanOrEqual(10);
        const stored = (ro.prepare("SELECT count(*) AS n FROM deals").get() as { n: number }).n;
        recordFigures("F4", {
          fields: FIELDS.length + 3,
          edge_values: EDGES.length,
          calls: refused + normalised,
          refused,
          normalised,
          deals_stored: stored,
          bad_stored_values: bad.length,
        });
      } finally {
        ro.close();
      }
      expect(problems, problems.join("\n")).toEqual([]);
    },
  );
});
