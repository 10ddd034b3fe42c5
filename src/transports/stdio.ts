// stdio: what desktop clients spawn. One process serves 2026-07-28 clients (server/discover, an
// envelope on every request) and 2025-11-25 clients (initialize) from the same factory: the
// SDK's serveStdio picks the era from the opening message. On stdin EOF the SDK would abort the
// requests in flight unanswered, so it never sees EOF: on EOF, SIGINT or SIGTERM we stop
// reading, let requests in flight finish and answer, then close.
import { EventEmitter } from "node:events";
import type { Readable } from "node:stream";
import { serveStdio as serveStdioSdk, StdioServerTransport } from "@modelcontextprotocol/server/stdio";
import { createServer } from "../mcp/server.js";
import type { Deps } from "../app/deps.js";
import { GuardedTransport, InFlight } from "./lifecycle.js";
import { tuneForServing } from "./jit.js";

/**
 * The longest stdin line handed to the SDK. Its reader closes the whole transport on a line over
 * 10 MiB, and the process then quietly exits (test/reliability/limits.test.ts shows it); we drop such a line
 * ourselves, answer its id with an error, and keep serving.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

export interface RunningStdio {
  /** Stops reading, waits for answers in flight (up to 5 s), closes the transport. */
  stop(why: string): Promise<void>;
}

/**
 * `onClientGone` is called once when the client closes our stdout (it exited or was killed):
 * writes then fail with EPIPE, which without a listener is an unhandled 'error' that crashes
 * the process with a stack trace (exit 1) while answers are still being written.
 */
export async function serveStdio(
  deps: Deps,
  onClientGone: (why: string) => void = () => undefined,
): Promise<RunningStdio> {
  const input = new LineLimit(MAX_LINE_BYTES, (bytes, id) => {
    deps.log.warn({ bytes, id }, "stdin message over the size limit dropped");
    if (id === undefined) return;
    void inner.send({
      jsonrpc: "2.0",
      id,
      error: {
        code: -32600,
        message: `Request too large: a message may be at most ${MAX_LINE_BYTES} bytes (this one was ${bytes}). Send less per call; import large CSV files with import_deals path.`,
      },
    });
  });
  const inner = new StdioServerTransport(input as unknown as Readable);
  const inFlight = new InFlight();
  let accepting = true;
  // Start-up ends with the first answer (initialize, or a 2026 client's first request): from then
  // on V8 is tuned for answering calls (see jit.ts).
  const transport = new GuardedTransport(inner, inFlight, { accepting: () => accepting, firstAnswer: tuneForServing });
  let isGone = false;
  let markGone!: () => void;
  const gone = new Promise<false>((resolve) => (markGone = () => resolve(false)));
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (isGone) return;
    isGone = true;
    markGone();
    deps.log.warn({ code: err.code }, "stdout closed by the client; answers can no longer be delivered");
    onClientGone("stdout closed");
  });
  // The SDK adds one 'drain' listener per answer waiting on a slow reader; more than 10 is
  // normal under load, not the leak Node's default warning suggests.
  process.stdout.setMaxListeners(0);
  const served = serveStdioSdk((rc) => createServer(deps, rc), {
    transport,
    onerror: (err: Error & { code?: string }) => {
      // Writes after the client closed our stdout fail with EPIPE: expected, already reported once.
      if (isGone || err.code === "EPIPE") return;
      deps.log.warn({ message: err.message, code: err.code }, "stdio transport error");
    },
  });
  // serveStdio starts the transport (which then listens to `input`) on its own schedule.
  await new Promise((resolve) => setImmediate(resolve));
  // Reading starts only now, with the gate in place. Same events, same tick: the limiter hands
  // each chunk on synchronously, so EOF still comes after every line it read.
  process.stdin.on("data", (chunk: Buffer) => input.feed(chunk));
  process.stdin.on("error", (err) => {
    // Emitting 'error' with no listener (the transport has closed) would throw.
    if (input.listenerCount("error") > 0) input.emit("error", err);
    else deps.log.warn({ err }, "stdin error after the transport closed");
  });
  let stopping: Promise<void> | undefined;
  return {
    stop(why) {
      stopping ??= (async () => {
        accepting = false;
        // Lines already read were dispatched; answers to them still go out (unless nobody can
        // read them any more: then waiting would only delay the exit).
        process.stdin.pause();
        const drained = await Promise.race([inFlight.drain(5_000), gone]);
        deps.log.info({ why, drained, in_flight: inFlight.size }, "stdio stopping");
        await served.close().catch(() => undefined);
        // "Sent" only means handed to the stream: when the client reads slowly, the last answers
        // still sit in stdout's buffer, and exiting now drops them (seen: the last 4 to 6 of 100
        // answers lost on EOF under load). Wait for the buffer to empty, within a deadline.
        if (!isGone) await flushed(process.stdout, 2_000);
      })();
      return stopping;
    },
  };
}

/** Resolves once everything written so far has left the stream's buffer, or after the deadline. */
function flushed(stream: NodeJS.WriteStream, deadlineMs: number): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, deadlineMs);
    // Writes complete in order: this callback runs after every earlier write has completed.
    stream.write("", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const KEEP = 512;
// The id is first ({"jsonrpc":"2.0","id":…) or last (the SDK client writes …,"jsonrpc":"2.0","id":7}).
const ID_AT_START = /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d{1,15}|"[^"\\]{0,200}")/;
const ID_AT_END = /"id"\s*:\s*(-?\d{1,15}|"[^"\\]{0,200}")\s*\}\s*$/;

/**
 * Stands in for stdin before the SDK transport (which never sees its end) and hands it whole lines only: a line longer
 * than `limit` is dropped (its id, when it can be read off the line's start or end, goes to
 * `onDropped`). Whole lines also spare the SDK's reader its quadratic work on a long line, which
 * it re-copies and re-scans on every 64 KB chunk (a 5 MB line took a second).
 */
export class LineLimit extends EventEmitter {
  private partial: Buffer[] = [];
  private lineBytes = 0;
  private dropping = false;
  private head = "";
  private tail = "";

  constructor(
    private readonly limit: number,
    private readonly onDropped: (bytes: number, id: string | number | undefined) => void,
  ) {
    super();
  }

  /** The transport pauses its stdin when it closes. */
  pause(): this {
    process.stdin.pause();
    return this;
  }

  feed(chunk: Buffer): void {
    const out: Buffer[] = [];
    const dropped: Array<[number, string | number | undefined]> = [];
    for (let start = 0; start < chunk.length;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl + 1;
      const piece = chunk.subarray(start, end);
      const content = nl === -1 ? piece : piece.subarray(0, piece.length - 1);
      if (!this.dropping && this.lineBytes + content.length > this.limit) {
        this.dropping = true;
        this.head = Buffer.concat([...this.partial, content.subarray(0, KEEP)])
          .subarray(0, KEEP)
          .toString("latin1");
        this.partial = [];
      }
      this.lineBytes += content.length;
      if (this.dropping) {
        this.tail = (this.tail + content.subarray(Math.max(0, content.length - KEEP)).toString("latin1")).slice(-KEEP);
      } else if (nl === -1) {
        this.partial.push(piece);
      } else {
        out.push(...this.partial, piece);
        this.partial = [];
      }
      if (nl !== -1) {
        if (this.dropping) dropped.push([this.lineBytes, this.idOf()]);
        this.dropping = false;
        this.lineBytes = 0;
        this.head = this.tail = "";
      }
      start = end;
    }
    if (out.length) this.emit("data", out.length === 1 ? out[0] : Buffer.concat(out));
    for (const [bytes, id] of dropped) this.onDropped(bytes, id);
  }

  private idOf(): string | number | undefined {
    const m = ID_AT_START.exec(this.head) ?? ID_AT_END.exec(this.tail.replace(/\r$/, ""));
    if (!m) return undefined;
    try {
      return JSON.parse(m[1]!) as string | number;
    } catch {
      return undefined;
    }
  }
}
