// Importing a CRM's deal export: read and validate every row first (async, yielding to the event
// loop every batch and reporting progress), then write all good rows in ONE transaction, so a
// bad file changes nothing and the writes are atomic. Used by the import_deals tool and by
// `lean-sales-mcp import`.
// Rules, in the order they apply to a row:
// - Columns: `mapping` (our field -> their column; "" leaves a field out), then the preset's
//   header aliases, then the generic aliases; names compare without case, spaces or punctuation.
// - Stage: `stage_map`, then the preset's default stage map, then our own stage ids and names.
//   won / lost / disqualified (from the stage or a status column) set the status; an unknown
//   label is a row error, never a guess.
// - A closed deal's stage: won -> at least closing; lost / disqualified -> the open stage the file
//   gives, else the stage already stored, else data/crm-presets.json closed_stage (discovery).
// - Dates: closed_at = the close date of a closed deal (else now, noted); created_at defaults to
//   the close date of a closed deal, else now (never after stage_entered_at when that is given);
//   stage_entered_at defaults to created_at. Values without a zone are UTC.
// - Identity: external_source = source_name or the format; external_id = the file's id column,
//   else "<name> @ <account>". The same rows imported again update, never duplicate.
// - A blank cell or a missing column keeps what the store has; deal name falls back to the
//   account ("account - external id" when there is an id), owner to "(unassigned)".
import { z } from "zod";
import type { Methodology } from "../../methodology/load.js";
import { CLOSED_STATUSES, isClosedStatus, type ClosedStatus, type DealStatus } from "../../methodology/schema.js";
import type { Deal, DealStore, ImportDealRow } from "../../store/types.js";

import { tierBand } from "../../methodology/segment.js";
import { closest, looseEnum } from "../schemas.js";
import { deriveSegment } from "../derive.js";
import { cleanText, FilePath } from "../schemas.js";
import {
  FORMATS,
  IMPORT_FIELDS,
  presetsFor,
  stageTargets,
  normalizeKey,
  type CrmPresets,
  type ImportField,
  type ImportFormat,
  type Preset,
  type StageTargetId,
} from "./presets.js";
import { csvBatches, inlineSource, MAX_INLINE_CHARS, openFileSource, SourceError, type CsvSource } from "./source.js";
import { parseCount, parseDate, parseMoney, slashOrder, type SlashOrder } from "./values.js";
import { InputError } from "../../methodology/errors.js";
import { latestPast } from "../dates.js";

type StageIdT = string;

export const MAX_REPORTED_ERRORS = 100;
export const MAX_REPORTED_IDS = 100;
const MAX_STAGE_VALUES = 200;
const UNASSIGNED = "(unassigned)";
const NO_ACCOUNT = "(no account)";

// 1,000,000 as toLocaleString("en-US") writes it, without calling it: this message is built at
// start-up, and the first toLocaleString in a process loads ICU's number formats (~20 ms).
const MAX_INLINE_TEXT = String(MAX_INLINE_CHARS).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** The arguments of import_deals (and of `lean-sales-mcp import`). */
export const importArgs = (m: Methodology) => ({
  path: FilePath.optional().describe("a CSV in the server's import folders"),
  csv: z
    .string()
    .refine(
      (v) => v.length <= MAX_INLINE_CHARS,
      `csv holds at most ${MAX_INLINE_TEXT} characters inline; save larger files and pass path`,
    )
    .optional()
    .describe("the CSV text, header row first"),
  format: looseEnum(FORMATS).optional().describe("default: detected from the headers"),
  mapping: z
    .record(z.string(), z.string())
    .refine(
      (o) => Object.entries(o).every(([k, v]) => k.length <= 40 && v.length <= 200),
      "mapping keys are our field names and values column names (at most 200 characters)",
    )
    .optional()
    .describe("our field -> their column"),
  stage_map: z
    .record(z.string(), looseEnum(stageTargets(m), m.stageMap))
    .refine(
      (o) => Object.keys(o).every((k) => k.length >= 1 && k.length <= 200),
      "stage_map keys are their stage labels (1-200 characters)",
    )
    .optional()
    .describe("their stage -> our stage id, won, lost or disqualified"),
  dry_run: z.boolean().optional(),
  source_name: z
    .string()
    .refine((v) => /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/.test(v), "source_name is 1-40 letters, digits, _ . -")
    .optional()
    .describe("kept as external_source (default: the format)"),
});
export type ImportInput = z.infer<z.ZodObject<ReturnType<typeof importArgs>>>;

export interface RowError {
  row: number;
  field?: string;
  reason: string;
}

export interface ImportResult {
  format: ImportFormat;
  source: string;
  dry_run: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errors: RowError[];
  errors_total: number;
  deal_ids: string[];
  stage_mapping_used: Record<string, string>;
  columns_mapped: Record<string, string>;
  unmapped_columns: string[];
  notes: string[];
}

export interface ImportEnv {
  methodology: Methodology;
  store: () => DealStore;
  now: Date;
  /** Folders a `path` must be inside; null accepts any file (the command line's own argument). */
  importRoots: string[] | null;
  progress(done: number, total: number, message: string): Promise<void>;
  signal?: AbortSignal;
  presets?: CrmPresets;
  /** Stages the user gave for labels nothing else resolves (asked by the MCP layer). */
  answeredStages?: (label: string) => StageTargetId | undefined;
}

/** A row as read from the file: undefined = not given (no column, or a blank cell). */
export interface ParsedRow {
  row: number;
  external_id: string;
  name?: string;
  account?: string;
  owner?: string;
  amount?: number;
  currency?: string;
  stage?: StageIdT;
  status?: DealStatus;
  created_at?: string;
  stage_entered_at?: string;
  close_date?: string;
  expected_close_date?: string;
  closed_at?: string;
  close_reason?: string;
  source?: string;
  industry?: string;
  employees?: number;
  annual_revenue?: number;
  tier?: "enterprise" | "mid_market" | "smb";
  last_activity_at?: string;
}

export interface ImportPlan {
  format: ImportFormat;
  source: string;
  rows: ParsedRow[];
  rowsRead: number;
  errors: RowError[];
  errorsTotal: number;
  rejected: Set<number>;
  stageMappingUsed: Map<string, string>;
  /** Stage labels no mapping resolves, with their row counts (first seen first). */
  unknownStages: Map<string, number>;
  columnsMapped: Record<string, string>;
  unmappedColumns: string[];
  notes: Map<string, number>;
  size: number;
  lastProgress: number;
}

const TEXT_MAX: Partial<Record<ImportField, number>> = {
  external_id: 200,
  name: 200,
  account: 200,
  owner: 200,
  close_reason: 1000,
  source: 100,
  industry: 100,
};
const TEXT = Object.fromEntries(
  Object.entries(TEXT_MAX).map(([f, max]) => [f, cleanText(max, { multiline: f === "close_reason" })]),
) as Partial<Record<ImportField, z.ZodType<string>>>;
const TEXT_FIELDS = Object.entries(TEXT_MAX).map(
  ([f, max]) => [f, max, TEXT[f as ImportField]!] as const,
) as ReadonlyArray<readonly [ImportField, number, z.ZodType<string>]>;
const FUTURE_CHECKED = ["created_at", "stage_entered_at", "closed_at", "last_activity_at"] as const;
// Printable ASCII without surrounding spaces is already what cleanText would store: no zod call.
const PLAIN = /^[\x21-\x7E](?:[\x20-\x7E]*[\x21-\x7E])?$/;
const DATE_FIELDS = [
  "created_at",
  "stage_entered_at",
  "close_date",
  "expected_close_date",
  "closed_at",
  "last_activity_at",
] as const;
const TIERS: Record<string, "enterprise" | "mid_market" | "smb"> = {
  enterprise: "enterprise",
  midmarket: "mid_market",
  mid: "mid_market",
  smb: "smb",
  smallbusiness: "smb",
};

// ------------------------------------------------------------------------------- columns

/** The preset whose typical headers the file has most of (at least two), else generic. */
export function detectFormat(presets: CrmPresets, headers: string[]): ImportFormat {
  const keys = new Set(headers.map(normalizeKey));
  let best: ImportFormat = "generic";
  let score = 1;
  for (const p of presets.presets.values()) {
    let hits = 0;
    for (const k of p.detect) if (keys.has(k)) hits++;
    if (hits > score) [best, score] = [p.id, hits];
  }
  return best;
}

interface Columns {
  /** Column indexes per field, in order of preference (the first non-blank cell wins). */
  byField: Map<ImportField, number[]>;
  mapped: Record<string, string>;
  unmapped: string[];
}

export function resolveColumns(
  headers: string[],
  preset: Preset,
  generic: Preset,
  mapping: Record<string, string> = {},
): Columns {
  const keys = headers.map(normalizeKey);
  const used = new Set<number>();
  const byField = new Map<ImportField, number[]>();
  const skip = new Set<string>();
  for (const [field, column] of Object.entries(mapping)) {
    if (!(IMPORT_FIELDS as readonly string[]).includes(field)) {
      throw new InputError(`mapping: "${field}" is not one of our fields; use ${IMPORT_FIELDS.join(", ")}.`, "mapping");
    }
    if (column.trim() === "") {
      skip.add(field);
      continue;
    }
    const key = normalizeKey(column);
    const at = keys.findIndex((k, i) => k === key && k !== "" && !used.has(i));
    if (at < 0) {
      throw new InputError(
        `mapping.${field}: the file has no column ${JSON.stringify(column.slice(0, 60))}. Its columns are: ${columnList(headers)}.`,
        "mapping",
      );
    }
    used.add(at);
    byField.set(field as ImportField, [at]);
  }
  for (const field of IMPORT_FIELDS) {
    if (byField.has(field) || skip.has(field)) continue;
    const aliases = [
      ...(preset.headers.get(field) ?? []),
      ...(preset === generic ? [] : (generic.headers.get(field) ?? [])),
    ];
    const cols: number[] = [];
    for (const alias of aliases) {
      keys.forEach((k, i) => {
        if (k === alias && !used.has(i)) {
          used.add(i);
          cols.push(i);
        }
      });
    }
    if (cols.length) byField.set(field, cols);
  }
  const mapped: Record<string, string> = {};
  for (const [field, cols] of byField) mapped[field] = cols.map((i) => headers[i]!).join(" | ");
  const unmapped = headers.filter((h, i) => !used.has(i) && h.trim() !== "");
  return { byField, mapped, unmapped };
}

/** The file's column names for an error message: quoted as data, each and the list bounded. */
const columnList = (headers: string[]) =>
  headers
    .filter(Boolean)
    .slice(0, 40)
    .map((h) => JSON.stringify(h.slice(0, 60)))
    .join(", ") + (headers.length > 40 ? ", ..." : "");

// ------------------------------------------------------------------------------- stages

export interface StageResolver {
  (value: string): StageTargetId | undefined;
}

export function stageResolver(
  m: Methodology,
  preset: Preset,
  stageMap: Record<string, StageTargetId> = {},
  answered: (label: string) => StageTargetId | undefined = () => undefined,
): StageResolver {
  const user = new Map(Object.entries(stageMap).map(([k, v]) => [normalizeKey(k), v]));
  const own = new Map<string, StageTargetId>();
  for (const s of m.stages) {
    own.set(normalizeKey(s.id), s.id);
    own.set(normalizeKey(s.name), s.id);
  }
  for (const c of CLOSED_STATUSES) own.set(c, c);
  const memo = new Map<string, StageTargetId | undefined>();
  return (value) => {
    if (memo.has(value)) return memo.get(value);
    const key = normalizeKey(value);
    const target = user.get(key) ?? preset.stages.get(key) ?? own.get(key) ?? answered(value);
    if (memo.size < 10_000) memo.set(value, target);
    return target;
  };
}

// ------------------------------------------------------------------------------- prepare

/**
 * Reads and validates the whole file without writing. Row problems are collected with their
 * row numbers; a problem with the request itself (source, mapping, no usable columns) throws.
 */
export async function prepareImport(input: ImportInput, env: ImportEnv): Promise<ImportPlan> {
  if ((input.path === undefined) === (input.csv === undefined)) {
    throw new InputError(
      "Send exactly one of path (a CSV file inside the import folders) or csv (the text itself, up to 1,000,000 characters).",
      input.path === undefined ? "path" : "csv",
    );
  }
  const presets = env.presets ?? presetsFor(env.methodology);
  let source: CsvSource;
  try {
    source = input.path !== undefined ? await openFileSource(input.path, env.importRoots) : inlineSource(input.csv!);
  } catch (err) {
    if (err instanceof SourceError) throw new InputError(err.message, err.field);
    throw err;
  }
  try {
    return await readRows(input, env, presets, source);
  } catch (err) {
    if (err instanceof SourceError) throw new InputError(err.message, input.path !== undefined ? "path" : "csv");
    throw err;
  } finally {
    await source.close();
  }
}

/** The batch loop: the header row first, then each row converted, with progress after every batch. */
async function readRows(input: ImportInput, env: ImportEnv, presets: CrmPresets, src: CsvSource): Promise<ImportPlan> {
  const plan = emptyPlan(input, src);
  let file: FileReader | undefined;
  for await (const batch of csvBatches(src)) {
    if (env.signal?.aborted) throw new InputError("import_deals was cancelled; nothing was written.");
    let records = batch.records;
    if (!file && records.length) {
      file = readHeader(input, env, presets, plan, records[0]!.cells);
      records = records.slice(1);
    }
    if (!file) continue;
    if (records.length && !file.ordersDecided) decideSlashOrders(file, records);
    for (const s of batch.skipped) rowError(plan, s.row, s.reason);
    for (const r of records) {
      const parsed = convertRow(file, r.row, r.cells);
      if (parsed !== null) plan.rowsRead++;
      if (parsed) plan.rows.push(parsed);
    }
    plan.rowsRead += batch.skipped.length;
    // Reading is 90% of the work; the write reports the rest.
    await report(plan, env, Math.floor(batch.consumed * 0.9), `read ${plan.rowsRead.toLocaleString("en-US")} rows`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (!file)
    throw new InputError(
      "The CSV is empty: it needs a header row and at least one deal row.",
      input.path !== undefined ? "path" : "csv",
    );
  if (!file.cols.byField.has("stage") && !file.cols.byField.has("status"))
    fileNote(
      plan,
      `the file has no stage or status column, so new deals start in ${file.m.stages[0]!.id} (send mapping.stage to use one)`,
    );
  if (plan.rowsRead === 0) fileNote(plan, "the file has a header row but no deal rows");
  plan.errors.sort((a, b) => a.row - b.row);
  return plan;
}

function emptyPlan(input: ImportInput, src: CsvSource): ImportPlan {
  return {
    format: input.format ?? "generic",
    source: input.source_name ?? input.format ?? "generic",
    rows: [],
    rowsRead: 0,
    errors: [],
    errorsTotal: 0,
    rejected: new Set(),
    stageMappingUsed: new Map(),
    unknownStages: new Map(),
    columnsMapped: {},
    unmappedColumns: [],
    notes: new Map(),
    size: Math.max(1, src.size),
    lastProgress: 0,
  };
}

/** A row problem: counted and the row rejected; the first MAX_REPORTED_ERRORS are kept. */
function rowError(plan: ImportPlan, row: number, reason: string, field?: string): void {
  plan.errorsTotal++;
  plan.rejected.add(row);
  if (plan.errors.length < MAX_REPORTED_ERRORS) plan.errors.push({ row, ...(field ? { field } : {}), reason });
}
/** A note counted per row it applies to. */
const rowNote = (plan: ImportPlan, text: string) => plan.notes.set(text, (plan.notes.get(text) ?? 0) + 1);
/** A note about the whole file (no row count). */
const fileNote = (plan: ImportPlan, text: string) => plan.notes.set(text, 0);

/** What converting a row needs: fixed once the header is read (the date orders once the first rows are). */
interface FileReader {
  m: Methodology;
  presets: CrmPresets;
  plan: ImportPlan;
  headers: string[];
  cols: Columns;
  /** Column indexes per field, looked up once per file (after the header) rather than per row. */
  at: Record<ImportField, number[] | undefined>;
  resolveStage: StageResolver;
  /** Each date column's slash-date order, decided from the first batch of rows. */
  orders: Partial<Record<ImportField, SlashOrder>>;
  ordersDecided: boolean;
  /** Each date column's parsed cells: exports repeat the same dates many times. */
  dates: Partial<Record<ImportField, Map<string, ReturnType<typeof parseDate>>>>;
  /** Status cells and their normalized keys. */
  statusKeys: Map<string, string>;
  /** The first row of each external id. */
  seen: Map<string, number>;
  /** The latest a past date may be; parsed dates are ISO strings in UTC, so they compare as text. */
  latest: string;
}

/**
 * The header row: the format, the columns for our fields and the stage resolver. Throws when no
 * column gives the deal name or account.
 */
function readHeader(
  input: ImportInput,
  env: ImportEnv,
  presets: CrmPresets,
  plan: ImportPlan,
  headerCells: string[],
): FileReader {
  const headers = headerCells.map((h) => h.trim());
  const format = input.format ?? detectFormat(presets, headers);
  plan.format = format;
  plan.source = input.source_name ?? format;
  const cols = resolveColumns(headers, presets.presets.get(format)!, presets.presets.get("generic")!, input.mapping);
  const at = Object.fromEntries(IMPORT_FIELDS.map((f) => [f, cols.byField.get(f)])) as FileReader["at"];
  plan.columnsMapped = cols.mapped;
  plan.unmappedColumns = cols.unmapped;
  if (!cols.byField.has("name") && !cols.byField.has("account")) {
    throw new InputError(
      `No column gives the deal name or account for format ${format}. Send mapping, e.g. {"name":"<their deal name column>","account":"<their company column>"}. The file's columns are: ${columnList(headers)}.`,
      "mapping",
    );
  }
  const m = env.methodology;
  return {
    m,
    presets,
    plan,
    headers,
    cols,
    at,
    resolveStage: stageResolver(m, presets.presets.get(format)!, input.stage_map, env.answeredStages),
    orders: {},
    ordersDecided: false,
    dates: {},
    statusKeys: new Map(),
    seen: new Map(),
    latest: latestPast(env.now.getTime()),
  };
}

/** A column's slash-date order is decided once, from the first batch (day first only if a value shows it). */
function decideSlashOrders(file: FileReader, records: ReadonlyArray<{ cells: string[] }>): void {
  file.ordersDecided = true;
  for (const field of DATE_FIELDS) {
    const columns = file.cols.byField.get(field);
    if (columns) file.orders[field] = slashOrder(records.flatMap((r) => columns.map((i) => r.cells[i] ?? "")));
  }
}

/** The field's first non-blank cell among its columns; undefined when there is none. */
function cell(file: FileReader, cells: string[], field: ImportField): string | undefined {
  const list = file.at[field];
  if (list === undefined) return undefined;
  for (let k = 0; k < list.length; k++) {
    const v = cells[list[k]!];
    if (v !== undefined && v !== "" && v.trim() !== "") return v;
  }
  return undefined;
}

/** Records a field's problem; the row is rejected once all its fields are read. */
type Fail = (field: ImportField, reason: string) => void;

/** The row's values; undefined when it has errors, null when it is blank (ignored). */
function convertRow(file: FileReader, row: number, cells: string[]): ParsedRow | null | undefined {
  const { plan, headers } = file;
  if (cells.length > headers.length && cells.slice(headers.length).some((c) => c.trim() !== "")) {
    rowError(
      plan,
      row,
      `has ${cells.length} cells but the header has ${headers.length} columns (a stray delimiter or quote?)`,
    );
    return undefined;
  }
  if (cells.every((c) => c.trim() === "")) return null;
  const out = emptyRow(row);
  let failed = false;
  const fail: Fail = (field, reason) => {
    failed = true;
    rowError(plan, row, reason, field);
  };
  const givenId = readText(file, cells, out, fail);
  readMoney(file, cells, out, fail);
  readDates(file, cells, out, fail);
  readFirmographics(file, cells, out, fail);
  readStageAndStatus(file, cells, out, fail);
  if (failed) return undefined;
  if (!completeIdentity(file, out, givenId)) return undefined;
  return checkNotFuture(file, out) ? out : undefined;
}

/** One shape for every row (fast property access); undefined = not given. */
function emptyRow(row: number): ParsedRow {
  return {
    row,
    external_id: "",
    name: undefined,
    account: undefined,
    owner: undefined,
    amount: undefined,
    currency: undefined,
    stage: undefined,
    status: undefined,
    created_at: undefined,
    stage_entered_at: undefined,
    close_date: undefined,
    expected_close_date: undefined,
    closed_at: undefined,
    close_reason: undefined,
    source: undefined,
    industry: undefined,
    employees: undefined,
    annual_revenue: undefined,
    tier: undefined,
    last_activity_at: undefined,
  };
}

/** The text fields, cleaned and bounded; returns the file's external id (kept aside until the identity is complete). */
function readText(file: FileReader, cells: string[], out: ParsedRow, fail: Fail): string | undefined {
  let givenId: string | undefined;
  for (const [field, max, schema] of TEXT_FIELDS) {
    const raw = cell(file, cells, field);
    if (raw === undefined) continue;
    let value: string | undefined;
    if (raw.length <= max && PLAIN.test(raw)) value = raw;
    else {
      const r = schema.safeParse(raw);
      if (r.success) value = r.data;
      else fail(field, `${field} ${r.error.issues[0]!.message}`);
    }
    if (field === "external_id") givenId = value;
    else (out as unknown as Record<string, unknown>)[field] = value;
  }
  return givenId;
}

/** The amount and its currency: a currency column, else the one the amount is written in; the two must agree. */
function readMoney(file: FileReader, cells: string[], out: ParsedRow, fail: Fail): void {
  const amountRaw = cell(file, cells, "amount");
  let amountCurrency: string | undefined;
  if (amountRaw !== undefined) {
    const r = parseMoney(amountRaw);
    if (!r.ok) fail("amount", `amount ${r.reason}`);
    else if (r.value) {
      out.amount = r.value.amount;
      amountCurrency = r.value.currency;
    }
  }
  const currencyRaw = cell(file, cells, "currency");
  if (currencyRaw !== undefined) {
    const c = currencyRaw.trim().toUpperCase();
    if (!/^[A-Z]{3}$/.test(c)) fail("currency", `currency "${currencyRaw}" is not an ISO 4217 code such as USD or EUR`);
    else if (amountCurrency && amountCurrency !== c)
      fail("currency", `currency ${c} disagrees with the amount's ${amountCurrency}`);
    else out.currency = c;
  } else if (amountCurrency) out.currency = amountCurrency;
}

/** The date fields, in each column's slash order; each distinct cell is parsed once. */
function readDates(file: FileReader, cells: string[], out: ParsedRow, fail: Fail): void {
  for (const field of DATE_FIELDS) {
    const raw = cell(file, cells, field);
    if (raw === undefined) continue;
    const memo = (file.dates[field] ??= new Map());
    let r = memo.get(raw);
    if (!r) {
      if (memo.size > 100_000) memo.clear();
      memo.set(raw, (r = parseDate(raw, file.orders[field])));
    }
    if (!r.ok) fail(field, `${field} ${r.reason}`);
    else if (r.value) out[field] = r.value;
  }
}

/** The account's size: employees, annual revenue and a tier the file may name. */
function readFirmographics(file: FileReader, cells: string[], out: ParsedRow, fail: Fail): void {
  const employeesRaw = cell(file, cells, "employees");
  if (employeesRaw !== undefined) {
    const r = parseCount(employeesRaw);
    if (!r.ok) fail("employees", `employees ${r.reason}`);
    else if (r.value !== null) out.employees = r.value;
  }
  const revenueRaw = cell(file, cells, "annual_revenue");
  if (revenueRaw !== undefined) {
    const r = parseMoney(revenueRaw);
    if (!r.ok) fail("annual_revenue", `annual_revenue ${r.reason}`);
    else if (r.value) out.annual_revenue = r.value.amount;
  }
  const tierRaw = cell(file, cells, "tier");
  if (tierRaw !== undefined) {
    const t = TIERS[normalizeKey(tierRaw)];
    if (t) out.tier = t;
    else fail("tier", `tier "${tierRaw}" must be one of enterprise, mid_market, smb`);
  }
}

/**
 * The stage (an unknown label is a row error, never a guess) and the status, from a status column
 * or a closed stage.
 */
function readStageAndStatus(file: FileReader, cells: string[], out: ParsedRow, fail: Fail): void {
  const { plan } = file;
  const stageRaw = cell(file, cells, "stage");
  let stageStatus: ClosedStatus | undefined;
  if (stageRaw !== undefined) {
    const label = stageRaw.trim();
    const target = file.resolveStage(label);
    if (!target) {
      const seen = plan.unknownStages.get(label);
      if (seen !== undefined || plan.unknownStages.size < MAX_STAGE_VALUES)
        plan.unknownStages.set(label, (seen ?? 0) + 1);
      fail(
        "stage",
        `stage "${label.slice(0, 100)}" is not a stage ${plan.format} uses by default or one of ours; add it to stage_map, e.g. {"${label.slice(0, 60)}": "${suggestStage(file.m, label)}"} if that is what it means (targets: ${stageTargets(file.m).join(", ")})`,
      );
    } else {
      if (plan.stageMappingUsed.size < MAX_STAGE_VALUES && !plan.stageMappingUsed.has(label))
        plan.stageMappingUsed.set(label, target);
      if (isClosedStatus(target)) stageStatus = target;
      else out.stage = target;
    }
  }
  const statusRaw = cell(file, cells, "status");
  if (statusRaw !== undefined) {
    let key = file.statusKeys.get(statusRaw);
    if (key === undefined) {
      key = normalizeKey(statusRaw);
      if (file.statusKeys.size < 1000) file.statusKeys.set(statusRaw, key);
    }
    const st = file.presets.statusValues.get(key);
    if (!st)
      fail(
        "status",
        `status "${statusRaw.slice(0, 100)}" is not one of open, won, lost, disqualified (or a word data/crm-presets.json lists for them)`,
      );
    else if (stageStatus && st !== stageStatus)
      fail("status", `status ${st} disagrees with stage "${stageRaw!.trim().slice(0, 100)}" (${stageStatus})`);
    else out.status = st;
  } else if (stageStatus) out.status = stageStatus;
}

/**
 * The name, account and owner with their fallbacks, and the external id (the file's, else
 * "<name> @ <account>"), which must not repeat in the file. False when the row is rejected.
 */
function completeIdentity(file: FileReader, out: ParsedRow, givenId: string | undefined): boolean {
  const { plan } = file;
  const row = out.row;
  if (out.name === undefined && out.account === undefined) {
    rowError(plan, row, "has no deal name and no account; map a column with mapping.name or mapping.account", "name");
    return false;
  }
  if (out.name === undefined) out.name = givenId ? `${out.account} - ${givenId}`.slice(0, 200) : out.account;
  if (out.account === undefined) ((out.account = NO_ACCOUNT), rowNote(plan, `no account, stored as "${NO_ACCOUNT}"`));
  if (out.owner === undefined) ((out.owner = UNASSIGNED), rowNote(plan, `no owner, stored as "${UNASSIGNED}"`));
  out.external_id = givenId ?? `${out.name} @ ${out.account}`.slice(0, 200);
  const first = file.seen.get(out.external_id);
  if (first !== undefined) {
    rowError(
      plan,
      row,
      `repeats external id "${out.external_id.slice(0, 100)}" of row ${first}; each deal may appear once per file`,
      "external_id",
    );
    return false;
  }
  file.seen.set(out.external_id, row);
  return true;
}

/** Dates of things that have happened may not lie ahead. False when the row is rejected. */
function checkNotFuture(file: FileReader, out: ParsedRow): boolean {
  for (const field of FUTURE_CHECKED) {
    const v = out[field];
    if (v !== undefined && v > file.latest) {
      rowError(file.plan, out.row, `${field} ${v.slice(0, 10)} is in the future`, field);
      return false;
    }
  }
  return true;
}

async function report(plan: ImportPlan, env: ImportEnv, done: number, message: string): Promise<void> {
  // Progress must increase with every notification.
  if (done <= plan.lastProgress) return;
  plan.lastProgress = done;
  await env.progress(done, plan.size, message);
}

// ------------------------------------------------------------------------------- commit

/** The deal as it should be after the import, merged with what the store already has. */
function target(
  m: Methodology,
  presets: CrmPresets,
  plan: ImportPlan,
  r: ParsedRow,
  e: Deal | undefined,
  now: string,
  note: (t: string) => void,
  segments: Map<string, SegmentOf>,
): ImportDealRow["target"] | string {
  // Without a status column the stage decides: an open stage means an open deal.
  // A parked (nurture) deal stays parked unless the file says it closed.
  const status: DealStatus =
    r.status ?? (e?.status === "nurture" ? "nurture" : r.stage !== undefined ? "open" : (e?.status ?? "open"));
  const closedStage = status === "open" || status === "nurture" ? undefined : presets.closedStage[status];
  let stage: StageIdT = r.stage ?? (e?.stage as StageIdT | undefined) ?? closedStage ?? m.stages[0]!.id;
  if (status === "won" && m.stageIndex(stage) < m.stageIndex(presets.closedStage.won)) stage = presets.closedStage.won;

  let closed_at: string | null = null;
  if (status !== "open" && status !== "nurture") {
    closed_at = r.closed_at ?? r.close_date ?? (e?.status === status ? e.closed_at : null) ?? null;
    if (!closed_at) {
      closed_at = now;
      note("closed without a close date, so closed_at is the import time");
    }
  }
  const expected_close_date =
    (r.expected_close_date ?? (status === "open" ? r.close_date : undefined))?.slice(0, 10) ??
    e?.expected_close_date ??
    null;
  const moved = !e || e.stage !== stage || (e.status !== "open" && status === "open");
  const created_at = r.created_at ?? e?.created_at ?? minIso(closed_at ?? now, r.stage_entered_at);
  const stage_entered_at = r.stage_entered_at ?? (!moved ? e!.stage_entered_at : e ? (closed_at ?? now) : created_at);

  if (stage_entered_at < created_at)
    return `stage_entered_at ${stage_entered_at.slice(0, 10)} is before created_at ${created_at.slice(0, 10)}`;
  if (closed_at && closed_at < created_at)
    return `the close date ${closed_at.slice(0, 10)} is before created_at ${created_at.slice(0, 10)}`;
  if (closed_at && closed_at < stage_entered_at)
    return `the close date ${closed_at.slice(0, 10)} is before the deal entered ${stage} (${stage_entered_at.slice(0, 10)})`;
  if (e && moved && e.status === "open" && stage_entered_at < e.stage_entered_at) {
    return `moves ${e.id} to ${stage} on ${stage_entered_at.slice(0, 10)}, before it entered ${e.stage} (${e.stage_entered_at.slice(0, 10)})`;
  }

  const amount = r.amount ?? e?.amount ?? null;
  const currency = r.currency ?? e?.currency ?? m.currency;
  const employees = r.employees ?? e?.employees ?? null;
  const annual_revenue = r.annual_revenue ?? e?.annual_revenue ?? null;
  let seg: { tier: string | null; readiness: string | null; segment: string | null } = {
    tier: e?.tier ?? null,
    readiness: e?.readiness ?? null,
    segment: e?.segment ?? null,
  };
  if (r.amount !== undefined || r.employees !== undefined || r.annual_revenue !== undefined || r.tier !== undefined) {
    // The classify_segment rules, with what the store knows about readiness.
    const derived = segmentOf(m, segments, {
      employees,
      annual_revenue,
      amount,
      currency,
      tier: r.tier ?? null,
      actively_evaluating: e?.actively_evaluating ?? null,
      timeline_months: e?.timeline_months ?? null,
      need_awareness: e?.need_awareness ?? null,
      budget_status: e?.bant?.budget ?? null,
      timeline_status: e?.bant?.timeline ?? null,
    });
    if (derived) seg = derived;
  }
  return {
    name: r.name!,
    account: r.account!,
    owner: r.owner!,
    amount,
    currency,
    stage,
    stage_index: m.stageIndex(stage),
    status,
    // A win reaches the first stage after the sale (as close_deal records it).
    ...(status === "won" ? { reached_stage_index: m.wonStageIndex } : {}),
    tier: seg.tier,
    readiness: seg.readiness,
    segment: seg.segment,
    source: r.source ?? e?.source ?? null,
    industry: r.industry ?? e?.industry ?? null,
    employees,
    annual_revenue,
    need_awareness: e?.need_awareness ?? null,
    actively_evaluating: e?.actively_evaluating ?? null,
    timeline_months: e?.timeline_months ?? null,
    external_source: plan.source,
    external_id: r.external_id,
    created_at,
    stage_entered_at,
    expected_close_date,
    closed_at,
    close_reason: r.close_reason ?? e?.close_reason ?? null,
    last_activity_at: r.last_activity_at ?? e?.last_activity_at ?? null,
  };
}

const minIso = (a: string, b: string | undefined) => (b !== undefined && b < a ? b : a);

type SegmentOf = { tier: string | null; readiness: string | null; segment: string | null } | null;

/**
 * deriveSegment, remembered per combination of tier bands and readiness signals: classify_segment
 * compares each firmographic signal with the tier cuts of data/segmentation.json only, so deals
 * whose signals fall in the same bands get the same segment. (Its reason texts format money,
 * which costs ~80 us a call: too slow for 100,000 rows.)
 */
function segmentOf(m: Methodology, memo: Map<string, SegmentOf>, s: Parameters<typeof deriveSegment>[1]): SegmentOf {
  const band = (signal: Parameters<typeof tierBand>[1], v: number | null | undefined) =>
    v === null || v === undefined ? "-" : tierBand(m, signal, v);
  const sameCurrency = (s.currency ?? m.currency) === m.currency;
  const key = [
    band("employees", s.employees),
    band("annual_revenue", s.annual_revenue),
    sameCurrency ? band("expected_deal_size", s.amount) : "x",
    s.tier,
    s.actively_evaluating,
    s.timeline_months,
    s.need_awareness,
    s.budget_status,
    s.timeline_status,
  ].join("|");
  let hit = memo.get(key);
  if (hit === undefined) {
    const d = deriveSegment(m, s);
    memo.set(key, (hit = d && { tier: d.tier, readiness: d.readiness, segment: d.segment }));
  }
  return hit;
}

/**
 * Writes (or, with dryRun, only classifies) the planned rows. Synchronous: call it inside the
 * one write transaction. Rows that contradict what is stored become row errors.
 */
export function commitImport(
  plan: ImportPlan,
  env: Pick<ImportEnv, "methodology" | "store" | "now" | "presets">,
  dryRun: boolean,
): ImportResult {
  const m = env.methodology;
  const presets = env.presets ?? presetsFor(env.methodology);
  const store = env.store();
  const now = env.now.toISOString();
  const notes = new Map(plan.notes);
  const note = (t: string) => notes.set(t, (notes.get(t) ?? 0) + 1);
  const errors = [...plan.errors];
  let errorsTotal = plan.errorsTotal;
  const rejected = new Set(plan.rejected);

  const existing = store.findByExternalIds(
    plan.source,
    plan.rows.map((r) => r.external_id),
  );
  const rows: ImportDealRow[] = [];
  const segments = new Map<string, SegmentOf>();
  for (const r of plan.rows) {
    const e = existing.get(r.external_id);
    const t = target(m, presets, plan, r, e, now, note, segments);
    if (typeof t === "string") {
      errorsTotal++;
      rejected.add(r.row);
      errors.push({ row: r.row, reason: t });
      continue;
    }
    rows.push(e ? { target: t, existing: e } : { target: t });
  }
  const outcomes = store.importDeals(rows, now, { dryRun });
  const counts = { created: 0, updated: 0, unchanged: 0 };
  const dealIds: string[] = [];
  for (const o of outcomes) {
    counts[o.action]++;
    if (o.id && dealIds.length < MAX_REPORTED_IDS) dealIds.push(o.id);
  }
  errors.sort((a, b) => a.row - b.row);
  return {
    format: plan.format,
    source: plan.source,
    dry_run: dryRun,
    rows: plan.rowsRead,
    ...counts,
    rejected: rejected.size,
    errors: errors.slice(0, MAX_REPORTED_ERRORS),
    errors_total: errorsTotal,
    deal_ids: dealIds,
    stage_mapping_used: Object.fromEntries(plan.stageMappingUsed),
    columns_mapped: plan.columnsMapped,
    unmapped_columns: plan.unmappedColumns,
    notes: [...notes].map(([t, n]) => (n > 0 ? `${n} row${n === 1 ? "" : "s"}: ${t}` : t)),
  };
}

/** Reports the end of the write as the last progress step. */
export async function finishProgress(
  plan: ImportPlan,
  env: Pick<ImportEnv, "progress">,
  message: string,
): Promise<void> {
  if (plan.size > plan.lastProgress) {
    plan.lastProgress = plan.size;
    await env.progress(plan.size, plan.size, message);
  }
}

/**
 * The stage target a label most likely means, for the advice on an unknown label only (never
 * applied): the target sharing most words with it (ids and names), else the closest spelling.
 */
export function suggestStage(m: Methodology, label: string): string {
  const words = (s: string) => new Set(normalizeWords(s));
  const want = words(label);
  const targets = [
    ...m.stages.map((s) => ({ id: s.id as string, text: `${s.id} ${s.name}` })),
    ...(["won", "lost", "disqualified"] as const).map((id) => ({ id, text: id })),
  ];
  let best = { id: "", shared: 0 };
  for (const t of targets) {
    const shared = [...words(t.text)].filter((w) =>
      [...want].some((x) => x.startsWith(w.slice(0, 5)) || w.startsWith(x.slice(0, 5))),
    ).length;
    if (shared > best.shared) best = { id: t.id, shared };
  }
  return best.shared > 0
    ? best.id
    : closest(
        label,
        targets.map((t) => t.id),
      );
}

const normalizeWords = (s: string) =>
  s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 2);
