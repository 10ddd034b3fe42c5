// CRM export presets for import_deals, as data (data/crm-presets.json): header aliases per field
// and default stage maps per CRM. Validated on first use; a broken file names the file and the
// path inside it, like the methodology files (src/methodology/load.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { PARSE_ONCE, withoutLabels } from "../../methodology/provenance.js";
import { jsonErrorAt, MethodologyDataError, PRESETS_FILE, type Methodology } from "../../methodology/load.js";
import { CLOSED_STATUSES, StageId, type ClosedStatus } from "../../methodology/schema.js";
import { dataDir } from "../../paths.js";

export { PRESETS_FILE };

/** The deal fields a CSV column can feed (the keys of `mapping`). */
export const IMPORT_FIELDS = [
  "external_id",
  "name",
  "account",
  "owner",
  "amount",
  "currency",
  "stage",
  "status",
  "created_at",
  "stage_entered_at",
  "close_date",
  "expected_close_date",
  "closed_at",
  "close_reason",
  "source",
  "industry",
  "employees",
  "annual_revenue",
  "tier",
  "last_activity_at",
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
export const ImportFieldId = z.enum(IMPORT_FIELDS);

export const FORMATS = ["hubspot", "salesforce", "pipedrive", "generic"] as const;
export type ImportFormat = (typeof FORMATS)[number];

/** Where a CRM stage label goes: one of the active stages, or won, lost, disqualified. */
export type StageTargetId = string;
const StageTarget = StageId;
/** The targets under a methodology: its stage ids, then the closed statuses. */
export const stageTargets = (m: Methodology): [string, ...string[]] =>
  [...m.stages.map((s) => s.id), ...CLOSED_STATUSES] as string[] as [string, ...string[]];

const Text = z.string().min(1);

const PresetSchema = z
  .object({
    id: z.enum(FORMATS),
    name: Text,
    detect: z.array(Text),
    headers: z.partialRecord(ImportFieldId, z.array(Text).min(1)),
    stages: z.record(Text, StageTarget),
  })
  .strict();

export const PresetsFile = z
  .object({
    note: z.string().optional(),
    closed_stage: z
      .object({ won: StageId, lost: StageId, disqualified: StageId, note: z.string().optional() })
      .strict(),
    status_values: z.object({
      open: z.array(Text).min(1),
      won: z.array(Text).min(1),
      lost: z.array(Text).min(1),
      disqualified: z.array(Text).min(1),
    }),
    presets: z.array(PresetSchema),
  })
  .strict();

/** Headers and stage labels compare without case, spaces or punctuation: "Deal - Stage" = "dealstage". */
export const normalizeKey = (s: string) =>
  s
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "");

export interface Preset {
  id: ImportFormat;
  name: string;
  /** Normalized header names that point at this CRM. */
  detect: Set<string>;
  /** Normalized aliases per field, in order of preference. */
  headers: Map<ImportField, string[]>;
  /** Normalized stage label -> target. */
  stages: Map<string, StageTargetId>;
}

export interface CrmPresets {
  closedStage: Record<ClosedStatus, string>;
  /** Normalized status word -> status. */
  statusValues: Map<string, "open" | ClosedStatus>;
  presets: Map<ImportFormat, Preset>;
}

function fail(path: string, detail: string, dir?: string): never {
  throw new MethodologyDataError(PRESETS_FILE, path, detail, dir);
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    "",
  );
}

/** Builds the lookups, refusing what the schema cannot express (aliases that collide once normalized). */
export function buildPresets(raw: z.infer<typeof PresetsFile>): CrmPresets {
  const seen = new Set<string>();
  const presets = new Map<ImportFormat, Preset>();
  raw.presets.forEach((p, i) => {
    if (seen.has(p.id)) fail(`presets[${i}].id`, `${p.id} is listed twice`);
    seen.add(p.id);
    const owner = new Map<string, string>();
    const headers = new Map<ImportField, string[]>();
    for (const [field, aliases] of Object.entries(p.headers) as Array<[ImportField, string[]]>) {
      const keys: string[] = [];
      aliases.forEach((alias, j) => {
        const key = normalizeKey(alias);
        if (!key) fail(`presets[${i}].headers.${field}[${j}]`, "an alias needs letters or digits");
        const other = owner.get(key);
        if (other && other !== field)
          fail(`presets[${i}].headers.${field}[${j}]`, `"${alias}" is already an alias of ${other}`);
        owner.set(key, field);
        keys.push(key);
      });
      headers.set(field, keys);
    }
    const stages = new Map<string, StageTargetId>();
    for (const [label, target] of Object.entries(p.stages)) {
      const key = normalizeKey(label);
      const other = stages.get(key);
      if (other && other !== target)
        fail(`presets[${i}].stages.${label}`, `maps to ${target} but a label that reads the same maps to ${other}`);
      stages.set(key, target);
    }
    presets.set(p.id, { id: p.id, name: p.name, detect: new Set(p.detect.map(normalizeKey)), headers, stages });
  });
  for (const id of FORMATS)
    if (!presets.has(id)) fail("presets", `must list a preset for each of ${FORMATS.join(", ")} (missing ${id})`);
  if (presets.get("generic")!.detect.size > 0)
    fail("presets", "the generic preset is the fallback and detects nothing: leave its detect list empty");

  const statusValues = new Map<string, "open" | ClosedStatus>();
  for (const [status, words] of Object.entries(raw.status_values) as Array<["open" | ClosedStatus, string[]]>) {
    words.forEach((w, j) => {
      const key = normalizeKey(w);
      const other = statusValues.get(key);
      if (other && other !== status) fail(`status_values.${status}[${j}]`, `"${w}" is already a ${other} word`);
      statusValues.set(key, status);
    });
  }
  const { note: _note, ...closedStage } = raw.closed_stage;
  return { closedStage, statusValues, presets };
}

const cache = new Map<string, CrmPresets>();

/**
 * Reads and validates crm-presets.json once per folder (data/, or a team's methodology folder
 * that holds one). Throws MethodologyDataError naming the path; `team` names the team's folder.
 */
export function loadCrmPresets(dir: string = dataDir(), team?: string): CrmPresets {
  const hit = cache.get(dir);
  if (hit) return hit;
  let json: unknown;
  let text = "";
  try {
    text = readFileSync(join(dir, PRESETS_FILE), "utf8");
    json = JSON.parse(text);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    fail("", e.code ? `cannot be read (${e.code})` : `is not valid JSON: ${jsonErrorAt(text, e)}`, team);
  }
  const parsed = PresetsFile.safeParse(withoutLabels(json), PARSE_ONCE);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(formatPath(issue.path), issue.message, team);
  }
  const presets = buildPresets(parsed.data);
  cache.set(dir, presets);
  return presets;
}

const resolved = new WeakMap<Methodology, CrmPresets>();

/**
 * The presets under a methodology, their stage targets resolved through its stages and stage
 * map. The team's own crm-presets.json must name its stages (an unknown target stops start-up
 * with the path); the shipped file's targets are the reference's stages, so on a team's pipeline
 * a label whose stage the team neither kept nor mapped becomes an unknown label (import_deals
 * asks what it means, or names it in the report). Closed deals with no stage go to the first
 * closing stage (won) or the qualification stage (lost, disqualified) when the file's stage is gone.
 */
export function presetsFor(m: Methodology): CrmPresets {
  const hit = resolved.get(m);
  if (hit) return hit;
  const raw = loadCrmPresets(m.presetsDir, m.presetsFromTeam ? m.presetsDir : undefined);
  const target = (t: string, path: string): string | undefined => {
    if ((CLOSED_STATUSES as readonly string[]).includes(t)) return t;
    const to = m.resolveStage(t);
    if (to === undefined && m.presetsFromTeam)
      fail(path, `no stage ${t} (targets: ${stageTargets(m).join(", ")})`, m.presetsDir);
    return to;
  };
  const presets = new Map<ImportFormat, Preset>();
  for (const [id, p] of raw.presets) {
    const stages = new Map<string, StageTargetId>();
    for (const [label, t] of p.stages) {
      const to = target(t, `presets[${id}].stages`);
      if (to) stages.set(label, to);
    }
    presets.set(id, { ...p, stages });
  }
  const fallback: Record<ClosedStatus, string> = {
    won: m.stages.find((s) => s.role === "closing")!.id,
    lost: m.qualification.qualification_stage.stage,
    disqualified: m.qualification.qualification_stage.stage,
  };
  const closedStage = Object.fromEntries(
    CLOSED_STATUSES.map((c) => [c, target(raw.closedStage[c], `closed_stage.${c}`) ?? fallback[c]]),
  ) as Record<ClosedStatus, string>;
  const out = { ...raw, presets, closedStage };
  resolved.set(m, out);
  return out;
}
