// Where an import's CSV comes from (a file inside the import roots, or inline text) and how it is
// read: csv-parse over chunks, handed back in batches so the caller can yield to the event loop.
import { open, realpath } from "node:fs/promises";
import { isAbsolute, relative, sep } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { parse, type CsvError } from "csv-parse";
import { InputError } from "../../methodology/errors.js";

export const MAX_FILE_BYTES = 200 * 1024 * 1024;
/** Inline CSV bound: the HTTP body limit is 1 MB (stdio allows 10 MiB lines); larger files go by path. */
export const MAX_INLINE_CHARS = 1_000_000;
const CHUNK = 64 * 1024;

/** Why a source was refused; `field` is the argument to fix (path or csv). */
export class SourceError extends InputError {
  constructor(
    message: string,
    override readonly field: "path" | "csv",
  ) {
    super(message, field);
  }
}

/** true when `child` is `root` or below it, comparing path components (never string prefixes). */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === "" || (!isAbsolute(rel) && rel !== ".." && !rel.startsWith(`..${sep}`));
}

export interface CsvSource {
  /** Bytes (file) or characters (inline) in total, for progress. */
  size: number;
  /** Decoded text chunks, with their size in the same unit as `size`. */
  chunks(): AsyncIterable<{ text: string; size: number }>;
  close(): Promise<void>;
}

/**
 * Opens a file for import: absolute, inside one of `roots` after symlinks are resolved (null
 * roots: any file, for the command line), a regular file of at most 200 MB.
 */
export async function openFileSource(path: string, roots: string[] | null): Promise<CsvSource> {
  if (!isAbsolute(path))
    throw new SourceError(`path must be absolute, e.g. /home/dana/exports/deals.csv (got "${path}").`, "path");
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SourceError(
      code === "ENOENT" ? `path: no file at ${path}.` : `path: cannot open ${path} (${code ?? "error"}).`,
      "path",
    );
  }
  if (roots) {
    const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => null)));
    if (!realRoots.some((r) => r !== null && isInside(r, real))) {
      throw new SourceError(
        `path ${path} is outside the folders import_deals may read (${roots.join(", ") || "none configured"}). Move the file into one of them, send its text as csv (up to ${MAX_INLINE_CHARS.toLocaleString("en-US")} characters), or start the server with --import-root DIR.`,
        "path",
      );
    }
  }
  const handle = await open(real, "r").catch((err: NodeJS.ErrnoException) => {
    throw new SourceError(`path: cannot open ${path} (${err.code ?? "error"}).`, "path");
  });
  // Checked on the open descriptor, so a file swapped after realpath is still the one we measure.
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    throw new SourceError(`path ${path} is not a regular file.`, "path");
  }
  if (st.size > MAX_FILE_BYTES) {
    await handle.close();
    throw new SourceError(
      `path ${path} is ${(st.size / 1024 / 1024).toFixed(0)} MB; import_deals reads files up to ${MAX_FILE_BYTES / 1024 / 1024} MB. Split the file.`,
      "path",
    );
  }
  return {
    size: st.size,
    async *chunks() {
      const decoder = new StringDecoder("utf8");
      const stream = handle.createReadStream({ autoClose: false, highWaterMark: CHUNK, start: 0 });
      let read = 0;
      for await (const buf of stream as AsyncIterable<Buffer>) {
        read += buf.length;
        // Never past the size measured above, even if the file grows meanwhile.
        if (read > MAX_FILE_BYTES)
          throw new SourceError(`path ${path} grew past ${MAX_FILE_BYTES / 1024 / 1024} MB while it was read.`, "path");
        yield { text: decoder.write(buf), size: buf.length };
      }
      const rest = decoder.end();
      if (rest) yield { text: rest, size: 0 };
    },
    close: () => handle.close(),
  };
}

export function inlineSource(csv: string): CsvSource {
  return {
    size: csv.length,
    async *chunks() {
      for (let i = 0; i < csv.length; i += CHUNK)
        yield { text: csv.slice(i, i + CHUNK), size: Math.min(CHUNK, csv.length - i) };
    },
    close: async () => {},
  };
}

/** The field delimiter, from the header line: comma unless semicolons or tabs clearly dominate. */
export function detectDelimiter(firstChunk: string): string {
  const end = firstChunk.search(/\r?\n/);
  const line = end >= 0 ? firstChunk.slice(0, end) : firstChunk;
  const unquoted = line.replace(/"[^"]*"/g, "");
  const count = (c: string) => unquoted.split(c).length - 1;
  const best = [",", ";", "\t"].map((c) => [c, count(c)] as const).sort((a, b) => b[1] - a[1])[0]!;
  return best[1] > 0 ? best[0] : ",";
}

export interface CsvBatch {
  /** Records with their 1-based record number (the header is record 1). */
  records: Array<{ row: number; cells: string[] }>;
  /** Records csv-parse could not read (bad quoting), reported as row errors. */
  skipped: Array<{ row: number; reason: string }>;
  /** Source units consumed so far. */
  consumed: number;
}

/**
 * Parses CSV in batches of about `batchSize` records (BOM, CRLF and quoted newlines handled by
 * csv-parse). A record with bad quoting is reported in `skipped`; an unreadable file throws.
 */
export async function* csvBatches(source: CsvSource, batchSize = 2000): AsyncGenerator<CsvBatch> {
  let parser: ReturnType<typeof parse> | undefined;
  let records: CsvBatch["records"] = [];
  let skipped: CsvBatch["skipped"] = [];
  let failure: Error | undefined;
  let consumed = 0;
  let ended!: Promise<void>;
  // Record numbers are counted here (csv-parse's per-record info objects cost more than the
  // parse): each emitted or skipped record is the next one, the header being record 1.
  let seen = 0;
  const start = (delimiter: string) => {
    const p = parse({
      bom: true,
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
    });
    p.on("data", (cells: string[]) => records.push({ row: ++seen, cells }));
    p.on("skip", (err: CsvError) => {
      // An unclosed quote swallows the rest of the file: refuse it rather than import half.
      if (err.code === "CSV_QUOTE_NOT_CLOSED") {
        failure = err;
        return;
      }
      skipped.push({ row: ++seen, reason: `cannot be read as CSV (${err.message.slice(0, 200)})` });
    });
    ended = new Promise<void>((resolve) => {
      p.on("end", resolve);
      p.on("error", (err) => {
        failure = err;
        resolve();
      });
    });
    return p;
  };
  const take = (): CsvBatch => {
    const out = { records, skipped, consumed };
    records = [];
    skipped = [];
    return out;
  };
  for await (const chunk of source.chunks()) {
    parser ??= start(detectDelimiter(chunk.text));
    parser.write(chunk.text);
    consumed += chunk.size;
    if (failure) break;
    if (records.length >= batchSize) yield take();
  }
  if (parser && !failure) {
    parser.end();
    await ended;
  }
  if (failure) {
    const e = failure as Error & { lines?: number };
    throw new SourceError(
      `the CSV cannot be read${e.lines ? ` at line ${e.lines}` : ""}: ${e.message}. Nothing was imported.`,
      "csv",
    );
  }
  yield take();
}
