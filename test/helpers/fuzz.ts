// Property-fuzzing helpers for the reliability suite (test/reliability/):
// - arbitraries derived from a tool's advertised JSON inputSchema (the subset our tools use),
//   mixed with hostile values;
// - a stdio transport for the SDK Client that records every stdout line, so a test can assert
//   each one is JSON-RPC (the SDK's own transport drops what it cannot parse);
// - read-only looks at the SQLite file on disk: a hash of every table, data_version, and a scan
//   for stored text that is malformed Unicode or holds control, bidi, zero-width or tag characters.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import Database from "better-sqlite3";
import fc from "fast-check";
import { binPath, childEnv, ROOT } from "./spawn.js";

// ---------------------------------------------------------------------------------------------
// Hostile values.

/** Unicode tag characters spelling "hi" (U+E0068 U+E0069): invisible "ASCII smuggling". */
export const TAG_TEXT = "\u{E0068}\u{E0069}";
/** A JSON object whose own key is "__proto__" (an object literal would set the prototype instead). */
export const protoKeyObject = (): Record<string, unknown> =>
  JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}');

function deepNest(depth: number): unknown {
  let v: unknown = "bottom";
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

/** Scalar and structural values no tool should accept where it expects something else. */
export const HOSTILE_VALUES: ReadonlyArray<unknown> = [
  null,
  1e308,
  -1e308,
  "NaN",
  "Infinity",
  -0,
  "",
  " ",
  "\u0000x",
  "\ud800",
  "x\udc00y",
  "\u202eevil",
  `tag${TAG_TEXT}`,
  "zero\u200bwidth",
  "x".repeat(10 * 1024),
  "'; DROP TABLE deals; --",
  "D-0001' OR '1'='1",
  "../../../../etc/passwd",
  "{{deal}}",
  "</untrusted-data-x>",
  true,
  0,
  -1,
  1.5,
  2 ** 53 + 1,
  [],
  {},
  ["a", 1, null],
  { nested: { deeper: ["x"] } },
];

export const hostileValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_VALUES) },
    { weight: 1, arbitrary: fc.constant(null).map(() => protoKeyObject()) },
    { weight: 1, arbitrary: fc.integer({ min: 20, max: 200 }).map((d) => deepNest(d)) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  );

// ---------------------------------------------------------------------------------------------
// JSON Schema -> fast-check, for the subset zod 4 emits for our tools: object (properties,
// required, additionalProperties false or a schema, propertyNames), string (pattern, minLength,
// maxLength, enum), number/integer (minimum, maximum), boolean, array (items, maxItems).

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  maxItems?: number;
  minItems?: number;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  description?: string;
}

export interface ArbitraryOptions {
  /** Chance that any value (leaf or object) is replaced by a hostile one; 0 = schema-valid shapes. */
  hostileRate: number;
  /** Chance that an object gets an extra, unknown key. */
  unknownKeyRate?: number;
  /** Chance that a required property is left out. */
  dropRequiredRate?: number;
  /** Arbitraries by property name, used instead of the schema's (e.g. deal ids that exist). */
  byName?: Record<string, fc.Arbitrary<unknown>>;
  /** Longest array generated (the schema's maxItems still applies). */
  maxArray?: number;
}

const ISO_DATE_PREFIX = "^\\d{4}-\\d{2}-\\d{2}";

/** ISO dates and timestamps: mostly the last 18 months (deals are dated in the past), some any time 2020-2028. */
function isoDates(): fc.Arbitrary<string> {
  const now = Date.now();
  const recent = fc.integer({ min: now - 548 * 86_400_000, max: now });
  const any = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2028, 0, 1) });
  return fc.oneof({ weight: 4, arbitrary: recent }, { weight: 1, arbitrary: any }).chain((t) => {
    const iso = new Date(t).toISOString();
    return fc.constantFrom(iso.slice(0, 10), iso, `${iso.slice(0, 16)}Z`);
  });
}

/** Realistic text: words, names, punctuation, other scripts; sometimes any grapheme. Raw binary is left to the hostile values. */
function text(minLength: number, maxLength: number): fc.Arbitrary<string> {
  const max = Math.max(minLength, Math.min(maxLength, 300));
  return fc.oneof(
    { weight: 6, arbitrary: fc.lorem({ maxCount: 8 }).map((s) => s.slice(0, max)) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          "Acme - fleet rollout",
          "Dana Lee",
          "Globex Corp",
          "O'Brien & Söhne GmbH",
          "日本語の取引",
          "مرحبا بالعالم",
          "e\u0301clair",
          "emoji 🚚📦",
          "'; DROP TABLE deals; --",
        )
        .map((s) => s.slice(0, max)),
    },
    { weight: 1, arbitrary: fc.string({ minLength, maxLength: max, unit: "grapheme" }) },
  );
}

function stringArb(s: JsonSchema): fc.Arbitrary<string> {
  if (s.enum) return fc.constantFrom(...(s.enum as string[]));
  const minLength = s.minLength ?? 0;
  const maxLength = s.maxLength ?? 300;
  if (s.pattern) {
    if (s.pattern.startsWith(ISO_DATE_PREFIX))
      return fc.oneof(
        { weight: 9, arbitrary: isoDates() },
        { weight: 1, arbitrary: fc.stringMatching(new RegExp(s.pattern)) },
      );
    const re = new RegExp(s.pattern);
    const matching = fc.stringMatching(re, { size: "small" });
    if (minLength === 0 && s.maxLength === undefined) return matching;
    // Pad or cut into the length bounds, keeping only results that still match.
    return matching
      .map((v) => (v.length < minLength ? v + v.slice(-1).repeat(minLength - v.length) : v.slice(0, maxLength)))
      .filter((v) => v.length >= minLength && v.length <= maxLength && re.test(v));
  }
  return text(minLength, maxLength);
}

function numberArb(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min =
    s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + (integer ? 1 : Number.EPSILON) : -1e6);
  const max =
    s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - (integer ? 1 : Number.EPSILON) : 1e9);
  if (integer) {
    const lo = Math.max(Math.ceil(min), Number.MIN_SAFE_INTEGER);
    const hi = Math.min(Math.floor(max), Number.MAX_SAFE_INTEGER);
    return fc.oneof(
      fc.integer({ min: lo, max: hi }),
      fc.constantFrom(lo, hi),
      fc.integer({ min: lo, max: Math.min(hi, lo + 100) }),
    );
  }
  return fc.oneof(
    fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(min, max),
    fc.integer({ min: Math.ceil(min), max: Math.min(Math.floor(max), Math.ceil(min) + 1000) }),
  );
}

/** An arbitrary for values of `schema`; with hostileRate > 0 some values (at any depth) are hostile. */
export function arbitraryFor(schema: JsonSchema, opts: ArbitraryOptions, name?: string): fc.Arbitrary<unknown> {
  const valid = validArb(schema, opts, name);
  if (opts.hostileRate <= 0) return valid;
  const w = Math.max(1, Math.round(opts.hostileRate * 100));
  return fc.oneof({ weight: 100 - w, arbitrary: valid }, { weight: w, arbitrary: hostileValue() });
}

/** Tool arguments: always an object (the protocol requires one); hostile values only inside it. */
export function argumentsFor(schema: JsonSchema, opts: ArbitraryOptions): fc.Arbitrary<Record<string, unknown>> {
  return objectArb(schema, opts);
}

function validArb(s: JsonSchema, opts: ArbitraryOptions, name?: string): fc.Arbitrary<unknown> {
  if (name && opts.byName?.[name]) return opts.byName[name]!;
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((a) => arbitraryFor(a, opts)));
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  switch (type) {
    case "string":
      return stringArb(s);
    case "integer":
      return numberArb(s, true);
    case "number":
      return numberArb(s, false);
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      const maxLength = Math.min(s.maxItems ?? 10, opts.maxArray ?? 6);
      return fc.array(arbitraryFor(s.items ?? {}, opts), {
        minLength: Math.min(s.minItems ?? 0, maxLength),
        maxLength,
      });
    }
    case "object":
    case undefined:
      return objectArb(s, opts);
    default:
      throw new Error(`fuzz: schema type ${String(type)} is not supported by arbitraryFor`);
  }
}

function objectArb(s: JsonSchema, opts: ArbitraryOptions): fc.Arbitrary<Record<string, unknown>> {
  const props = s.properties ?? {};
  const names = Object.keys(props);
  const required = new Set(s.required ?? []);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const n of names) model[n] = arbitraryFor(props[n]!, opts, n);
  let arb: fc.Arbitrary<Record<string, unknown>> = names.length
    ? (fc.record(model, { requiredKeys: [...required].filter((k) => names.includes(k)) }) as fc.Arbitrary<
        Record<string, unknown>
      >)
    : fc.constant({});
  // A record: additionalProperties is a schema (with propertyNames for the keys).
  if (typeof s.additionalProperties === "object") {
    const keys = s.propertyNames
      ? (stringArb({ type: "string", ...s.propertyNames }) as fc.Arbitrary<string>)
      : fc.string({ maxLength: 20 });
    const extra = fc.dictionary(keys, arbitraryFor(s.additionalProperties, opts), { maxKeys: 4 });
    arb = fc.tuple(arb, extra).map(([a, b]) => ({ ...b, ...a }));
  }
  const unknownRate = opts.unknownKeyRate ?? 0;
  const dropRate = opts.dropRequiredRate ?? 0;
  if (unknownRate > 0 || dropRate > 0) {
    arb = fc
      .tuple(
        arb,
        fc.noBias(fc.double({ min: 0, max: 1, noNaN: true })),
        fc.noBias(fc.double({ min: 0, max: 1, noNaN: true })),
        fc.constantFrom("unknown_key", "__proto__", "constructor", "prototype", "toString", "Name", "deal_id "),
        hostileValue(),
      )
      .map(([o, r1, r2, key, value]) => {
        const out: Record<string, unknown> = { ...o };
        if (r1 < unknownRate && !(key in props))
          Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
        if (r2 < dropRate && required.size) delete out[[...required][Math.floor(r2 * 1e6) % required.size]!];
        return out;
      });
  }
  return arb;
}

/** Every property name that appears anywhere in a schema (fields an error message may name). */
export function fieldNames(s: JsonSchema, out = new Set<string>()): Set<string> {
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    out.add(k);
    fieldNames(v, out);
  }
  if (s.items) fieldNames(s.items, out);
  if (typeof s.additionalProperties === "object") fieldNames(s.additionalProperties, out);
  for (const a of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) fieldNames(a, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// A stdio transport for the SDK Client that keeps every raw stdout line.

export interface LineReport {
  lines: number;
  /** Lines that were not a JSON-RPC 2.0 message (should stay empty). */
  bad: string[];
}

export function isJsonRpcMessage(m: unknown): boolean {
  if (!m || typeof m !== "object" || Array.isArray(m)) return false;
  const o = m as Record<string, unknown>;
  if (o.jsonrpc !== "2.0") return false;
  if (typeof o.method === "string") return true;
  return "id" in o && ("result" in o || "error" in o);
}

/**
 * Spawns the built bin (or any command) and speaks newline-delimited JSON-RPC to it. Unlike the
 * SDK's StdioClientTransport, a stdout line that is not JSON-RPC is recorded, not just reported.
 */
export class RecordingStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  child!: ChildProcessWithoutNullStreams;
  readonly report: LineReport = { lines: 0, bad: [] };
  private buf = "";
  private err = "";
  private closed = false;

  constructor(
    private readonly args: string[],
    private readonly opts: { command?: string; env?: Record<string, string>; cwd?: string } = {},
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  stderr(): string {
    return this.err;
  }

  async start(): Promise<void> {
    const command = this.opts.command ?? process.execPath;
    const args = this.opts.command ? this.args : [binPath(), ...this.args];
    this.child = spawn(command, args, {
      env: childEnv(this.opts.env),
      cwd: this.opts.cwd ?? tmpdir(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stdout.setEncoding("utf8").on("data", (s: string) => this.onStdout(s));
    this.child.stderr.setEncoding("utf8").on("data", (s: string) => {
      // Keep the tail only: a long fuzz run logs a line per call.
      this.err = (this.err + s).slice(-2_000_000);
    });
    this.child.stdin.on("error", () => undefined);
    this.child.on("error", (e) => this.onerror?.(e));
    this.child.on("close", () => {
      this.closed = true;
      this.onclose?.();
    });
  }

  private onStdout(s: string): void {
    this.buf += s;
    for (let nl = this.buf.indexOf("\n"); nl !== -1; nl = this.buf.indexOf("\n")) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      this.report.lines++;
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        this.report.bad.push(line.slice(0, 300));
        continue;
      }
      if (!isJsonRpcMessage(msg)) {
        this.report.bad.push(line.slice(0, 300));
        continue;
      }
      this.onmessage?.(msg as JSONRPCMessage);
    }
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error("transport closed");
    const line = `${JSON.stringify(message)}\n`;
    await new Promise<void>((resolve, reject) => this.child.stdin.write(line, (e) => (e ? reject(e) : resolve())));
  }

  /** Writes raw bytes (a line the SDK would never produce). */
  writeRaw(data: string | Buffer): void {
    this.child.stdin.write(data);
  }

  get alive(): boolean {
    return !this.closed && this.child.exitCode === null && this.child.signalCode === null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const exited = new Promise<void>((resolve) => this.child.once("close", () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// The SQLite file, read-only.

/** A read-only connection to a store file another process is writing (WAL readers do not block). */
export function openReadOnly(path: string): Database.Database {
  return new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
}

/** sha256 over every row of every table, in primary-key order. */
export function tablesHash(db: Database.Database): string {
  const h = createHash("sha256");
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as Array<{ name: string }>;
  const read = db.transaction(() => {
    for (const { name } of tables) {
      h.update(`\u0000${name}\u0000`);
      for (const row of db.prepare(`SELECT * FROM "${name}" ORDER BY 1`).raw().iterate()) h.update(JSON.stringify(row));
    }
  });
  read.deferred();
  return h.digest("hex");
}

/** Changes whenever another connection commits to the file (sqlite.org/pragma.html#pragma_data_version). */
export const dataVersion = (db: Database.Database) => db.pragma("data_version", { simple: true }) as number;

// Characters that must never be stored or shown: C0/C1 controls but tab and newline, bidi controls,
// zero-width characters and BOM, Unicode tag characters.
export const INVISIBLE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]|[\u{E0000}-\u{E007F}]/u;

export interface BadText {
  where: string;
  reason: string;
  sample: string;
}

function checkString(s: string, where: string, out: BadText[]): void {
  if (!s.isWellFormed())
    out.push({ where, reason: "not well-formed (lone surrogate)", sample: JSON.stringify(s.slice(0, 80)) });
  const m = INVISIBLE.exec(s);
  if (m)
    out.push({
      where,
      reason: `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`,
      sample: JSON.stringify(s.slice(0, 80)),
    });
}

function checkJson(v: unknown, where: string, out: BadText[]): void {
  if (typeof v === "string") checkString(v, where, out);
  else if (Array.isArray(v)) v.forEach((x, i) => checkJson(x, `${where}[${i}]`, out));
  else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) {
      checkString(k, `${where}.<key>`, out);
      checkJson(x, `${where}.${k}`, out);
    }
}

/**
 * Every text value in every table, and every string inside a text value that is JSON: malformed
 * Unicode or a refused character is reported. Text is read as bytes and decoded strictly, so a
 * lone surrogate SQLite stored as CESU bytes is caught too.
 */
export function scanStoredText(db: Database.Database): BadText[] {
  const out: BadText[] = [];
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as Array<{ name: string }>;
  for (const { name } of tables) {
    const cols = (db.prepare(`PRAGMA table_info("${name}")`).all() as Array<{ name: string }>).map((c) => c.name);
    for (const col of cols) {
      // The first column identifies the row (some tables are WITHOUT ROWID).
      const stmt = db.prepare(
        `SELECT "${cols[0]}" AS r, CAST("${col}" AS BLOB) AS b FROM "${name}" WHERE typeof("${col}") = 'text'`,
      );
      for (const row of stmt.iterate() as Iterable<{ r: unknown; b: Buffer }>) {
        const where = `${name}.${col}#${String(row.r)}`;
        let s: string;
        try {
          s = decoder.decode(row.b);
        } catch {
          out.push({ where, reason: "invalid UTF-8 bytes", sample: row.b.subarray(0, 40).toString("hex") });
          continue;
        }
        checkString(s, where, out);
        if (s.startsWith("{") || s.startsWith("[")) {
          try {
            checkJson(JSON.parse(s), where, out);
          } catch {
            // not JSON: already checked as text
          }
        }
      }
    }
  }
  return out;
}

/** Resident set size of a process in bytes (Linux), from /proc/PID/status. */
export function rssBytes(pid: number, field: "VmRSS" | "VmHWM" = "VmRSS"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** The p-th percentile (0-100) of a list of numbers (nearest rank). */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

// ---------------------------------------------------------------------------------------------
// An SDK Client on a RecordingStdioTransport, and where the suite's figures go.

export interface RecordingClient {
  client: Client;
  transport: RecordingStdioTransport;
  close(): Promise<void>;
}

/** Spawns the built bin over stdio (`--db db ...args`) and completes the handshake with an SDK Client. */
export async function connectRecording(
  db: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<RecordingClient> {
  const transport = new RecordingStdioTransport(["--db", db, ...args], {
    env: { LEAN_SALES_LOG_LEVEL: "warn", ...env },
  });
  const client = new Client({ name: "lean-sales-reliability", version: "0.0.0" });
  await client.connect(transport, { timeout: 15_000 });
  return { client, transport, close: () => client.close() };
}

/**
 * Keeps a test's measured figures: printed as one line on stderr and written to
 * artifacts/reliability/<id>.json (docs/reliability.md states those of the last full run).
 */
export function recordFigures(id: string, figures: object): void {
  const line = JSON.stringify({
    id,
    mode: process.env.LEAN_SALES_RELIABILITY === "full" ? "full" : "ci",
    at: new Date().toISOString(),
    ...figures,
  });
  process.stderr.write(`reliability ${line}\n`);
  try {
    const dir = new URL("../../artifacts/reliability/", import.meta.url);
    mkdirSync(dir, { recursive: true });
    writeFileSync(new URL(`${id}.json`, dir), `${line}\n`);
  } catch {
    // figures on stderr are enough
  }
}

// ---------------------------------------------------------------------------------------------
// F1: every tool, fuzzed through a real client.

export interface ToolFuzzOptions {
  /** The store file the server writes (read here, read-only, to hash it). */
  db: string;
  /** Runs per tool for each seed. */
  runs: number;
  seeds: number[];
  /** Arbitraries by property name (deal ids that exist, import paths...). */
  byName: Record<string, fc.Arbitrary<unknown>>;
  /** Only these tools (default: every tool the server lists). */
  only?: string[];
  /** Called before each tool's runs, with a read-only connection (e.g. to refresh the ids arbitraries draw from). */
  beforeTool?: (ro: Database.Database) => void;
}

export interface ToolFuzzStats {
  tools: number;
  calls: number;
  ok: number;
  isError: number;
  byTool: Record<string, { calls: number; ok: number; isError: number; ms: number; hash_ms: number }>;
  /** Property failures (with fast-check's counterexample and seed); empty when all held. */
  failures: string[];
  ms: number;
}

const STACK = /\n\s+at |node_modules|\.[cm]?js:\d+:\d+/;
/** Refusals that are about the store's state rather than one argument. */
export const DOMAIN_MESSAGE =
  /\b(?:no|not|closed|open|already|cannot|must|before|after|future|call|give|send|needs?|only|unknown|exists?|outside|empty|too (?:large|long|many))\b|\bD-\d{4,}\b/i;
/** A raw validator dump (JSON issues) instead of a sentence. */
const RAW_DUMP = /^\s*\[\s*\{|"code"\s*:\s*"/;

/** What is wrong with one tools/call answer, or undefined when it is acceptable. */
export function judgeAnswer(
  r: { isError?: boolean; content?: unknown; structuredContent?: unknown },
  fields: Set<string>,
): string | undefined {
  const text = ((r.content as Array<{ text?: string }> | undefined) ?? []).map((c) => c.text ?? "").join("\n");
  if (r.isError) {
    if (!text.trim()) return "isError without a message";
    if (/Output validation error/.test(text))
      return `structuredContent did not match the outputSchema: ${text.slice(0, 300)}`;
    if (/internal error \(ref /.test(text)) return `internal error: ${text.slice(0, 300)}`;
    if (STACK.test(text)) return `stack trace or file path in the message: ${text.slice(0, 300)}`;
    if (RAW_DUMP.test(text)) return `a raw validator dump, not a message: ${text.slice(0, 300)}`;
    const named = [...fields].some((f) => new RegExp(`(^|[^A-Za-z0-9_])${f}([^A-Za-z0-9_]|$)`).test(text));
    if (process.env.FUZZ_DEBUG) process.stderr.write(`fuzz: refusal: ${text.replace(/\n/g, " | ").slice(0, 200)}\n`);
    if (!named && !/\barguments?\b/.test(text) && !DOMAIN_MESSAGE.test(text))
      return `message names no field and is no domain refusal: ${text.slice(0, 300)}`;
    return undefined;
  }
  if (!r.structuredContent || typeof r.structuredContent !== "object") return "success without structuredContent";
  return undefined;
}

/**
 * Calls every tool with schema-derived and hostile arguments (fast-check, `runs` per seed) and
 * checks each answer: isError with a message naming a field (or a domain refusal), or
 * structuredContent the SDK client validated against the tool's outputSchema; a refused write
 * leaves every table unchanged; a read-only tool never changes the file; the server answers ping
 * after each tool.
 */
export async function fuzzEveryTool(c: RecordingClient, opts: ToolFuzzOptions): Promise<ToolFuzzStats> {
  const started = Date.now();
  const { tools } = await c.client.listTools();
  const ro = openReadOnly(opts.db);
  const stats: ToolFuzzStats = { tools: 0, calls: 0, ok: 0, isError: 0, byTool: {}, failures: [], ms: 0 };
  try {
    for (const tool of tools
      .filter((t) => !opts.only || opts.only.includes(t.name))
      .sort((a, b) => a.name.localeCompare(b.name))) {
      stats.tools++;
      opts.beforeTool?.(ro);
      const schema = tool.inputSchema as JsonSchema;
      const fields = fieldNames(schema);
      const writes = tool.annotations?.readOnlyHint !== true;
      const per = (stats.byTool[tool.name] = { calls: 0, ok: 0, isError: 0, ms: 0, hash_ms: 0 });
      const toolStarted = Date.now();
      const common = { byName: opts.byName, maxArray: 4 };
      const args = fc.oneof(
        { weight: 5, arbitrary: argumentsFor(schema, { ...common, hostileRate: 0 }) },
        {
          weight: 4,
          arbitrary: argumentsFor(schema, {
            ...common,
            hostileRate: 0.06,
            unknownKeyRate: 0.08,
            dropRequiredRate: 0.08,
          }),
        },
        {
          weight: 1,
          arbitrary: fc.dictionary(fc.constantFrom(...fields, "x", "__proto__", "constructor"), hostileValue(), {
            maxKeys: 4,
          }),
        },
      ) as fc.Arbitrary<Record<string, unknown>>;
      const versionBeforeTool = dataVersion(ro);
      const hashBeforeTool = writes ? "" : tablesHash(ro);
      // The hash of every table before and after each write call; SQLite's data_version (which
      // moves on every commit by another connection) tells when the cached hash is stale.
      let cached = { version: -1, hash: "" };
      const hashNow = () => {
        const version = dataVersion(ro);
        if (version !== cached.version) {
          const h0 = performance.now();
          cached = { version, hash: tablesHash(ro) };
          per.hash_ms += performance.now() - h0;
        }
        return cached;
      };
      const property = fc.asyncProperty(args, async (a) => {
        const before = writes ? hashNow() : cached;
        let r;
        try {
          r = await c.client.callTool({ name: tool.name, arguments: a }, undefined, { timeout: 30_000 });
        } catch (err) {
          throw new Error(`${tool.name}: the call threw instead of answering: ${(err as Error).message.slice(0, 300)}`);
        } finally {
          stats.calls++;
          per.calls++;
        }
        if (r.isError) {
          stats.isError++;
          per.isError++;
        } else {
          stats.ok++;
          per.ok++;
        }
        const problem = judgeAnswer(r as never, fields);
        if (problem) throw new Error(`${tool.name}: ${problem}`);
        if (r.isError && writes) {
          const after = hashNow();
          if (after.version !== before.version || after.hash !== before.hash)
            throw new Error(
              `${tool.name}: a refused write changed the database: ${JSON.stringify(r.content).slice(0, 300)}`,
            );
        }
      });
      for (const seed of opts.seeds) {
        try {
          await fc.assert(property, { seed, numRuns: opts.runs, endOnFailure: false });
        } catch (err) {
          const cause = (err as Error).cause as Error | undefined;
          stats.failures.push(
            `${tool.name}, seed ${seed}: ${(err as Error).message.replace(/\n\nHint:[^]*$/, "").slice(0, 3000)}${cause ? `\nGot: ${cause.message}` : ""}`,
          );
        }
      }
      per.ms = Date.now() - toolStarted;
      per.hash_ms = Math.round(per.hash_ms);
      if (!writes && (dataVersion(ro) !== versionBeforeTool || tablesHash(ro) !== hashBeforeTool))
        stats.failures.push(`${tool.name} is read-only but the file changed while it was fuzzed`);
      try {
        await c.client.ping({ timeout: 15_000 });
      } catch (err) {
        stats.failures.push(`no ping answer after fuzzing ${tool.name}: ${(err as Error).message}`);
        break;
      }
    }
  } finally {
    ro.close();
  }
  stats.ms = Date.now() - started;
  return stats;
}

/** Writes one raw line on the client's transport and resolves with the message answering `id`. */
export function rawExchange(c: RecordingClient, line: string, id: number | string, timeoutMs = 30_000): Promise<any> {
  return new Promise((resolve, reject) => {
    const previous = c.transport.onmessage;
    const timer = setTimeout(() => {
      c.transport.onmessage = previous;
      reject(new Error(`no answer to ${id}`));
    }, timeoutMs);
    c.transport.onmessage = (m) => {
      if ((m as { id?: unknown }).id === id && !("method" in m)) {
        clearTimeout(timer);
        c.transport.onmessage = previous;
        resolve(m);
        return;
      }
      previous?.(m);
    };
    c.transport.writeRaw(line.endsWith("\n") ? line : `${line}\n`);
  });
}

// ---------------------------------------------------------------------------------------------
// The F1 suite: a seeded store, hints for ids and paths, then fuzzEveryTool with each seed.

export interface FuzzSuite {
  c: RecordingClient;
  db: string;
  runs: Array<{ seed: number; stats: ToolFuzzStats }>;
  cleanup(): Promise<void>;
}

/**
 * Starts the bin over stdio on a fresh store with a few deals (several stages, dated in the past
 * so later dates are valid), an activity, a qualification and a baseline, then fuzzes every tool
 * `runs` times per seed. Deal ids are drawn from the ids in the file (open ones first, refreshed
 * before each tool) and from ids that do not exist; import paths from inside and outside the
 * import folder.
 */
export async function runFuzzSuite(plan: Array<{ seed: number; runs: number }>): Promise<FuzzSuite> {
  const dir = mkdtempSync(join(tmpdir(), "lsm-fuzz-"));
  const db = join(dir, "deals.db");
  const importDir = join(dir, "imports");
  mkdirSync(importDir);
  const goodCsv = join(importDir, "deals.csv");
  writeFileSync(
    goodCsv,
    "external_id,name,account,owner,amount,stage\nX-1,Fuzz import one,Acme,Dana Lee,1000,prospecting\nX-2,Fuzz import two,Globex,Marcus Okafor,2500,discovery\n",
  );
  const c = await connectRecording(db, ["--import-root", importDir]);
  const cleanup = async () => {
    await c.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const seeds = [
      ["Acme - fleet rollout", "prospecting"],
      ["Globex - pilot", "discovery"],
      ["Initech - renewal", "solution_presentation"],
      ["Umbrella - expansion", "proposal_negotiation"],
      ["Hooli - new logo", "closing"],
      ["Vandelay - imports", "discovery"],
    ] as const;
    for (const [i, [name, stage]] of seeds.entries()) {
      const r = await c.client.callTool({
        name: "create_deal",
        arguments: {
          name,
          account: name.split(" ")[0],
          owner: i % 2 ? "Dana Lee" : "Marcus Okafor",
          stage,
          amount: 10000 * (i + 1),
          employees: 50 * (i + 1),
          created_at: "2025-03-01",
          stage_entered_at: "2025-04-01",
        },
      });
      if (r.isError) throw new Error(`seeding the store failed: ${JSON.stringify(r.content)}`);
    }
    await c.client.callTool({
      name: "log_activity",
      arguments: { deal_id: "D-0001", type: "call", summary: "Discovery call", occurred_at: "2025-05-01" },
    });
    await c.client.callTool({
      name: "qualify_prospect",
      arguments: { deal_id: "D-0002", budget: { status: "approved" }, need: { status: "critical" } },
    });
    await c.client.callTool({ name: "record_baseline", arguments: { label: "fuzz-baseline" } });
    const criteria = (
      JSON.parse(readFileSync(join(ROOT, "data", "stages.json"), "utf8")).stages as Array<{
        exit_criteria: Array<{ id: string }>;
      }>
    ).flatMap((st) => st.exit_criteria.map((k) => k.id));

    const live = { open: ["D-0001"], all: ["D-0001"] };
    const refresh = (ro: Database.Database) => {
      const rows = ro.prepare("SELECT id, status FROM deals ORDER BY id").all() as Array<{
        id: number;
        status: string;
      }>;
      const id = (n: number) => `D-${String(n).padStart(4, "0")}`;
      live.all = rows.map((r) => id(r.id));
      live.open = rows.filter((r) => r.status === "open").map((r) => id(r.id));
      if (!live.open.length) live.open = live.all;
    };
    const pick = (list: () => string[]) => fc.nat().map((n) => list()[n % list().length]!);
    const byName: Record<string, fc.Arbitrary<unknown>> = {
      deal_id: fc.oneof(
        { weight: 6, arbitrary: pick(() => live.open) },
        { weight: 2, arbitrary: pick(() => live.all) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 99999 }).map((n) => `D-${String(n).padStart(4, "0")}`) },
        { weight: 1, arbitrary: fc.stringMatching(/^D-\d{4,12}$/) },
      ),
      // A few reused keys, so replays and key conflicts are exercised too.
      request_id: fc.oneof(
        { weight: 9, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.constantFrom("fuzz-request-0001", "fuzz-request-0002", "fuzz-request-0003") },
      ),
      met: fc.subarray(criteria, { maxLength: 6 }),
      unmet: fc.subarray(criteria, { maxLength: 3 }),
      evidence: fc.dictionary(fc.constantFrom(...criteria), fc.lorem({ maxCount: 6 }), { maxKeys: 4 }),
      label: fc.oneof(
        { weight: 4, arbitrary: fc.constant("fuzz-baseline") },
        { weight: 1, arbitrary: fc.lorem({ maxCount: 3 }) },
      ),
      // Mostly the first page (a cursor the server never issued is refused, correctly).
      cursor: fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
      ),
      path: fc.constantFrom(
        goodCsv,
        join(importDir, "missing.csv"),
        importDir,
        "/etc/passwd",
        `${importDir}/../../etc/passwd`,
        "relative.csv",
        "/proc/self/environ",
        `${goodCsv}\u0000.txt`,
        `${importDir}-sibling/deals.csv`,
      ),
      csv: fc.oneof(
        fc.constantFrom(
          "name,account,owner\nFuzz csv,Acme,Dana Lee\n",
          "external_id,name,account,owner,stage\nC-1,Csv deal,Acme,Dana Lee,nowhere\n",
          "",
          "\uFEFF",
          'a,b\n"unterminated',
          `name\n${"x,".repeat(500)}`,
        ),
        fc
          .array(fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 5 }), { maxLength: 5 })
          .map((rows) => ["external_id,name,account,owner,amount", ...rows.map((r) => r.join(","))].join("\n")),
      ),
    };
    const runs: FuzzSuite["runs"] = [];
    for (const p of plan)
      runs.push({
        seed: p.seed,
        stats: await fuzzEveryTool(c, { db, runs: p.runs, seeds: [p.seed], byName, beforeTool: refresh }),
      });
    return { c, db, runs, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** A random seed, or LEAN_SALES_FUZZ_SEED to rerun one; logged either way. */
export function randomSeed(what: string): number {
  const seed = process.env.LEAN_SALES_FUZZ_SEED
    ? Number(process.env.LEAN_SALES_FUZZ_SEED)
    : Math.floor(Math.random() * 2 ** 31);
  process.stderr.write(`${what}: random seed ${seed} (rerun with LEAN_SALES_FUZZ_SEED=${seed})\n`);
  return seed;
}
