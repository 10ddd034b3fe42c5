// Crash harness for the reliability suite (plan K1, K1n, K2; findings §2.2): several concurrent
// writers send create_deal / log_activity with a request_id to one server process over stdio,
// the process is SIGKILLed at a random moment, and the file is checked: every acknowledged write
// present, integrity_check ok, foreign_key_check empty, invariants hold. Each following round
// first replays every request that was sent but never answered, with its request_id: a write
// that had committed must come back as the stored answer, not as a second row.
// The same harness pointed at test/fixtures/broken-writer.mjs (which answers before COMMIT) must
// report loss: that is what shows it has teeth.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { tmpdir } from "node:os";
import Database from "better-sqlite3";
import { mulberry32 } from "../../src/app/demo/generate.js";
import { binPath, childEnv, initializedNotification, initializeRequest } from "./spawn.js";

// ---------------------------------------------------------------------------------------------
// A JSON-RPC peer over a child's stdio, without the SDK: exact control over ids, and answers are
// read even after the child died (they sit in the pipe).

export interface RpcAnswer {
  id: number;
  result?: { isError?: boolean; structuredContent?: any; content?: Array<{ text?: string }> };
  error?: { code: number; message: string };
}

export class RpcChild {
  readonly child: ChildProcessWithoutNullStreams;
  private buf = "";
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(a: RpcAnswer): void; reject(e: Error): void }>();
  private err = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stdout lines that were not JSON-RPC. */
  readonly badLines: string[] = [];

  constructor(command: string, args: string[], env: Record<string, string> = {}) {
    this.child = spawn(command, args, {
      env: childEnv({ LEAN_SALES_LOG_LEVEL: "warn", ...env }),
      cwd: tmpdir(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stdout.setEncoding("utf8").on("data", (s: string) => this.onData(s));
    this.child.stderr.setEncoding("utf8").on("data", (s: string) => {
      this.err = (this.err + s).slice(-100_000);
    });
    this.child.stdin.on("error", () => undefined);
    this.exited = new Promise((resolve) =>
      this.child.on("close", (code, signal) => {
        for (const p of this.pending.values()) p.reject(new Error(`server gone (${signal ?? code})`));
        this.pending.clear();
        resolve({ code, signal });
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  stderr(): string {
    return this.err;
  }

  private onData(s: string): void {
    this.buf += s;
    for (let nl = this.buf.indexOf("\n"); nl !== -1; nl = this.buf.indexOf("\n")) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      let m: any;
      try {
        m = JSON.parse(line);
      } catch {
        this.badLines.push(line.slice(0, 200));
        continue;
      }
      if (m?.jsonrpc !== "2.0") this.badLines.push(line.slice(0, 200));
      if (m && typeof m.id === "number" && !("method" in m)) {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(m as RpcAnswer);
      }
    }
  }

  request(method: string, params: unknown): Promise<RpcAnswer> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`, (e) => {
        if (e && this.pending.delete(id)) reject(e);
      });
    });
  }

  notify(message: unknown): void {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  async initialize(): Promise<void> {
    const { params } = initializeRequest(0);
    const a = await this.request("initialize", params);
    if (!a.result) throw new Error(`initialize failed: ${JSON.stringify(a.error)}\n${this.err}`);
    this.notify(initializedNotification);
  }

  callTool(name: string, args: Record<string, unknown>): Promise<RpcAnswer> {
    return this.request("tools/call", { name, arguments: args });
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  /** Ends stdin and waits for a clean exit (SIGKILL after the deadline). */
  async close(deadlineMs = 5_000): Promise<void> {
    this.child.stdin.end();
    const t = setTimeout(() => this.kill(), deadlineMs);
    await this.exited;
    clearTimeout(t);
  }
}

// ---------------------------------------------------------------------------------------------
// The harness.

/** What to start for each round: the built bin (default) or another command speaking the same tools. */
export interface CrashTarget {
  name: string;
  command: string;
  /** Arguments; the db path is appended as `--db <path>`. */
  args: string[];
}

export const realServer = (): CrashTarget => ({ name: "lean-sales-mcp", command: process.execPath, args: [binPath()] });

export interface CrashOptions {
  db: string;
  target: CrashTarget;
  rounds: number;
  writers: number;
  /**
   * When the kill comes: once a random number of writes in [min, max] were acknowledged (so a
   * slow, busy machine still acknowledges enough), then after a random 0-jitterMs more, while the
   * writers keep going; at the latest maxMs after the writers start.
   */
  killAfter: { acks: [number, number]; jitterMs: number; maxMs: number };
  seed: number;
  /** Replay every unanswered request at the start of the next round (and after the last). */
  replay: boolean;
  /** Tag in names and request ids, so several harness runs can share a file. */
  tag: string;
}

interface SentWrite {
  rid: string;
  tool: "create_deal" | "log_activity";
  args: Record<string, unknown>;
  /** The value that identifies the row: the deal name or the activity summary. */
  key: string;
  acked: boolean;
}

export interface RoundReport {
  round: number;
  killAtMs: number;
  /** Spawn to initialize answered. */
  startMs: number;
  roundMs: number;
  sent: number;
  acked: number;
  /** Acknowledged writes missing from the file. */
  lost: number;
  /** Committed (found in the file) but never acknowledged: the ones a retry would duplicate. */
  committedUnacked: number;
  replayed: number;
  /** Refusals (isError) seen by the writers: should stay 0. */
  refused: number;
  integrity: string;
  foreignKeyViolations: number;
  invariantViolations: string[];
  duplicates: number;
}

export interface CrashReport {
  target: string;
  seed: number;
  rounds: RoundReport[];
  acked: number;
  lost: number;
  roundsWithLoss: number;
  committedUnacked: number;
  replayed: number;
  duplicates: number;
  integrityFailures: number;
  invariantViolations: number;
  refused: number;
  ms: number;
}

/** A small seeded PRNG (the demo generator's), so a failing round can be rerun with the same kill times. */
export const prng = mulberry32;

/** Invariants a crash must never break, and the integrity checks, on a closed file. */
export function checkFile(
  db: string,
  tag: string,
): { integrity: string; foreignKeyViolations: number; invariantViolations: string[]; duplicates: number } {
  // A read-write connection: opening a file a killed process left runs WAL recovery, as the next
  // server start would. Nothing is written.
  const conn = new Database(db, { fileMustExist: true, timeout: 5000 });
  try {
    const integrity = String(conn.pragma("integrity_check", { simple: true }));
    const foreignKeyViolations = (conn.pragma("foreign_key_check") as unknown[]).length;
    const n = (sql: string, ...p: unknown[]) => (conn.prepare(sql).get(...p) as { n: number }).n;
    const like = `${tag}-%`;
    const invariantViolations: string[] = [];
    const noHistory = n(
      "SELECT count(*) AS n FROM deals d WHERE NOT EXISTS (SELECT 1 FROM stage_history h WHERE h.deal_id = d.id)",
    );
    if (noHistory) invariantViolations.push(`${noHistory} deals without a stage_history row`);
    // The reply to a request_id is stored in the transaction of its write: one row per request.
    const deals = n("SELECT count(*) AS n FROM deals WHERE name LIKE ?", like);
    const dealRequests = n("SELECT count(*) AS n FROM requests WHERE tool = 'create_deal' AND request_id LIKE ?", like);
    if (deals !== dealRequests)
      invariantViolations.push(`${deals} harness deals but ${dealRequests} create_deal requests stored`);
    const acts = n("SELECT count(*) AS n FROM activities WHERE summary LIKE ?", like);
    const actRequests = n("SELECT count(*) AS n FROM requests WHERE tool = 'log_activity' AND request_id LIKE ?", like);
    if (acts !== actRequests)
      invariantViolations.push(`${acts} harness activities but ${actRequests} log_activity requests stored`);
    const staleLast = n(
      "SELECT count(*) AS n FROM deals d WHERE EXISTS (SELECT 1 FROM activities a WHERE a.deal_id = d.id) AND coalesce(d.last_activity_at, '') <> (SELECT max(occurred_at) FROM activities a WHERE a.deal_id = d.id)",
    );
    if (staleLast) invariantViolations.push(`${staleLast} deals whose last_activity_at is not their latest activity`);
    // Per-deal counters kept by the writes themselves (schema 4 on: n_<activity type>,
    // stakeholder_count): a torn transaction would leave them off by one.
    const cols = (conn.prepare("PRAGMA table_info(deals)").all() as Array<{ name: string }>).map((c) => c.name);
    for (const col of cols.filter((c) => /^n_[a-z_]+$/.test(c))) {
      const off = n(
        `SELECT count(*) AS n FROM deals d WHERE d."${col}" <> (SELECT count(*) FROM activities a WHERE a.deal_id = d.id AND a.type = ?)`,
        col.slice(2),
      );
      if (off) invariantViolations.push(`${off} deals whose ${col} is not their count of ${col.slice(2)} activities`);
    }
    if (cols.includes("stakeholder_count")) {
      const off = n(
        "SELECT count(*) AS n FROM deals d WHERE d.stakeholder_count <> (SELECT count(*) FROM stakeholders s WHERE s.deal_id = d.id)",
      );
      if (off) invariantViolations.push(`${off} deals whose stakeholder_count is not their count of stakeholders`);
    }
    const duplicates =
      n(
        "SELECT coalesce(sum(c - 1), 0) AS n FROM (SELECT count(*) AS c FROM deals WHERE name LIKE ? GROUP BY name HAVING c > 1)",
        like,
      ) +
      n(
        "SELECT coalesce(sum(c - 1), 0) AS n FROM (SELECT count(*) AS c FROM activities WHERE summary LIKE ? GROUP BY summary HAVING c > 1)",
        like,
      );
    return { integrity, foreignKeyViolations, invariantViolations, duplicates };
  } finally {
    conn.close();
  }
}

/** The request ids among `writes` whose row is in the file (one query per table, not per write). */
function present(db: string, writes: SentWrite[], prefix: string): Set<string> {
  const conn = new Database(db, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const like = `${prefix}%`;
    const names = new Set(conn.prepare("SELECT name FROM deals WHERE name LIKE ?").pluck().all(like) as string[]);
    const summaries = new Set(
      conn.prepare("SELECT summary FROM activities WHERE summary LIKE ?").pluck().all(like) as string[],
    );
    return new Set(writes.filter((w) => (w.tool === "create_deal" ? names : summaries).has(w.key)).map((w) => w.rid));
  } finally {
    conn.close();
  }
}

/** Runs the rounds on one file; never throws for what it measures (the caller asserts). */
export async function runCrashRounds(opts: CrashOptions): Promise<CrashReport> {
  const started = Date.now();
  const random = prng(opts.seed);
  const rounds: RoundReport[] = [];
  let unanswered: SentWrite[] = [];
  const spawnTarget = () => new RpcChild(opts.target.command, [...opts.target.args, "--db", opts.db]);

  const replay = async (server: RpcChild, writes: SentWrite[]) => {
    let refused = 0;
    // In the order sent: an activity was only sent once its deal was acknowledged.
    for (const w of writes) {
      const a = await server.callTool(w.tool, { ...w.args, request_id: w.rid });
      if (!a.result || a.result.isError) refused++;
    }
    return refused;
  };

  for (let round = 1; round <= opts.rounds; round++) {
    const t0 = Date.now();
    const server = spawnTarget();
    await server.initialize();
    const startMs = Date.now() - t0;
    const replayRefused = opts.replay ? await replay(server, unanswered) : 0;
    const replayed = opts.replay ? unanswered.length : 0;
    unanswered = [];

    const sent: SentWrite[] = [];
    let refused = replayRefused;
    let stop = false;
    let ackCount = 0;
    let onAck: (n: number) => void = () => undefined;
    const writer = async (w: number) => {
      let dealId: string | undefined;
      for (let i = 0; !stop; i++) {
        const rid = `${opts.tag}-r${round}-w${w}-${i}`;
        const write: SentWrite =
          dealId && i % 2 === 1
            ? {
                rid,
                tool: "log_activity",
                key: rid,
                args: { deal_id: dealId, type: "note", summary: rid },
                acked: false,
              }
            : {
                rid,
                tool: "create_deal",
                key: rid,
                args: { name: rid, account: `Account ${w}`, owner: "Dana Lee", amount: 1000 + i },
                acked: false,
              };
        sent.push(write);
        let a: RpcAnswer;
        try {
          a = await server.callTool(write.tool, { ...write.args, request_id: rid });
        } catch {
          return; // killed
        }
        if (!a.result || a.result.isError) {
          refused++;
          continue;
        }
        write.acked = true;
        onAck(++ackCount);
        if (write.tool === "create_deal") dealId = a.result.structuredContent?.deal?.id;
      }
    };
    const [lo, hi] = opts.killAfter.acks;
    const threshold = Math.round(lo + random() * (hi - lo));
    const jitter = random() * opts.killAfter.jitterMs;
    const writersStarted = Date.now();
    let killAtMs = -1;
    const killed = new Promise<void>((resolve) => {
      const kill = () => {
        if (killAtMs >= 0) return;
        killAtMs = Date.now() - writersStarted;
        server.kill("SIGKILL");
        stop = true;
        resolve();
      };
      const deadline = setTimeout(kill, opts.killAfter.maxMs);
      onAck = (n) => {
        if (n !== threshold) return;
        clearTimeout(deadline);
        setTimeout(kill, jitter);
      };
    });
    const writers = Array.from({ length: opts.writers }, (_, w) => writer(w));
    await killed;
    await server.exited;
    await Promise.all(writers);

    const check = checkFile(opts.db, opts.tag); // first: its read-write open recovers the WAL
    const acked = sent.filter((w) => w.acked);
    const found = present(opts.db, sent, `${opts.tag}-r${round}-`);
    const lost = acked.filter((w) => !found.has(w.rid)).length;
    const notAcked = sent.filter((w) => !w.acked);
    const committedUnacked = notAcked.filter((w) => found.has(w.rid)).length;
    unanswered = notAcked;
    rounds.push({
      round,
      killAtMs,
      startMs,
      sent: sent.length,
      acked: acked.length,
      lost,
      committedUnacked,
      replayed,
      refused,
      ...check,
      roundMs: Date.now() - t0,
    });
  }

  // The last round's unanswered requests, replayed on a server that then closes cleanly.
  if (opts.replay && unanswered.length) {
    const server = spawnTarget();
    await server.initialize();
    const refused = await replay(server, unanswered);
    await server.close();
    const check = checkFile(opts.db, opts.tag);
    rounds.push({
      round: opts.rounds + 1,
      killAtMs: -1,
      startMs: 0,
      roundMs: 0,
      sent: 0,
      acked: 0,
      lost: 0,
      committedUnacked: 0,
      replayed: unanswered.length,
      refused,
      ...check,
    });
  }

  const sum = (f: (r: RoundReport) => number) => rounds.reduce((s, r) => s + f(r), 0);
  return {
    target: opts.target.name,
    seed: opts.seed,
    rounds,
    acked: sum((r) => r.acked),
    lost: sum((r) => r.lost),
    roundsWithLoss: rounds.filter((r) => r.lost > 0).length,
    committedUnacked: sum((r) => r.committedUnacked),
    replayed: sum((r) => r.replayed),
    duplicates: Math.max(...rounds.map((r) => r.duplicates)),
    integrityFailures: rounds.filter((r) => r.integrity !== "ok" || r.foreignKeyViolations > 0).length,
    invariantViolations: sum((r) => r.invariantViolations.length),
    refused: sum((r) => r.refused),
    ms: Date.now() - started,
  };
}

// ---------------------------------------------------------------------------------------------
// K4: several server processes writing one file at once.

export interface ConcurrentOptions {
  db: string;
  processes: number;
  writersPerProcess: number;
  durationMs: number;
  tag: string;
}

export interface ConcurrentReport {
  processes: number;
  calls: number;
  acked: number;
  /** Answers that mention busy/locked (SQLITE_BUSY reaching a client). */
  busy: number;
  /** Other refusals or JSON-RPC errors. */
  otherErrors: string[];
  lost: number;
  integrity: string;
  foreignKeyViolations: number;
  invariantViolations: string[];
  duplicates: number;
  callsPerProcess: number[];
  ms: number;
}

/**
 * Each process gets its writers: create_deal, log_activity on the deals it created, and a
 * read-modify-write (update_deal of the owner of a deal every process shares), all with
 * request ids. Then every server closes cleanly and the file is checked.
 */
export async function runConcurrentProcesses(
  opts: ConcurrentOptions,
  target: CrashTarget = realServer(),
): Promise<ConcurrentReport> {
  const started = Date.now();
  const servers = Array.from(
    { length: opts.processes },
    () => new RpcChild(target.command, [...target.args, "--db", opts.db]),
  );
  await Promise.all(servers.map((s) => s.initialize()));
  // The deal every process updates (created through the first server).
  const shared = await servers[0]!.callTool("create_deal", {
    name: `${opts.tag}-shared`,
    account: "Shared",
    owner: "Owner 0",
    request_id: `${opts.tag}-shared-deal`,
  });
  const sharedId = shared.result?.structuredContent?.deal?.id as string;
  const sent: SentWrite[] = [];
  const report: ConcurrentReport = {
    processes: opts.processes,
    calls: 0,
    acked: 0,
    busy: 0,
    otherErrors: [],
    lost: 0,
    integrity: "",
    foreignKeyViolations: 0,
    invariantViolations: [],
    duplicates: 0,
    callsPerProcess: servers.map(() => 0),
    ms: 0,
  };
  const deadline = Date.now() + opts.durationMs;
  const writer = async (p: number, w: number) => {
    const server = servers[p]!;
    let dealId: string | undefined;
    for (let i = 0; Date.now() < deadline; i++) {
      const rid = `${opts.tag}-p${p}-w${w}-${i}`;
      let write: SentWrite | undefined;
      let call: [string, Record<string, unknown>];
      if (i % 3 === 2) {
        call = ["update_deal", { deal_id: sharedId, owner: `Owner ${p}-${w}-${i % 2}`, request_id: rid }];
      } else if (dealId && i % 3 === 1) {
        write = {
          rid,
          tool: "log_activity",
          key: rid,
          args: { deal_id: dealId, type: "call", summary: rid },
          acked: false,
        };
      } else {
        write = {
          rid,
          tool: "create_deal",
          key: rid,
          args: { name: rid, account: `Account ${p}`, owner: "Dana Lee" },
          acked: false,
        };
      }
      if (write) {
        sent.push(write);
        call = [write.tool, { ...write.args, request_id: rid }];
      }
      const a = await server.callTool(call![0], call![1]);
      report.calls++;
      report.callsPerProcess[p]!++;
      const text =
        a.error?.message ?? (a.result?.isError ? (a.result.content ?? []).map((c) => c.text ?? "").join(" ") : "");
      if (text) {
        if (/busy|locked/i.test(text)) report.busy++;
        else report.otherErrors.push(`${call![0]}: ${text.slice(0, 200)}`);
        continue;
      }
      report.acked++;
      if (write) {
        write.acked = true;
        if (write.tool === "create_deal") dealId = a.result?.structuredContent?.deal?.id;
      }
    }
  };
  await Promise.all(servers.flatMap((_, p) => Array.from({ length: opts.writersPerProcess }, (_, w) => writer(p, w))));
  await Promise.all(servers.map((s) => s.close()));
  const check = checkFile(opts.db, opts.tag);
  const found = present(opts.db, sent, `${opts.tag}-p`);
  report.lost = sent.filter((w) => w.acked && !found.has(w.rid)).length;
  // Nothing stored that was not acknowledged either: every write was answered (no kill here).
  const strays = sent.filter((w) => !w.acked && found.has(w.rid)).length;
  // Read-modify-write under contention: the owner_changes counter equals the recorded owner changes.
  const conn = new Database(opts.db, { readonly: true, fileMustExist: true });
  try {
    const n = Number(sharedId.slice(2));
    const counter = (conn.prepare("SELECT owner_changes AS n FROM deals WHERE id = ?").get(n) as { n: number }).n;
    const events = (
      conn.prepare("SELECT count(*) AS n FROM deal_events WHERE deal_id = ? AND kind = 'owner_changed'").get(n) as {
        n: number;
      }
    ).n;
    if (counter !== events)
      check.invariantViolations.push(`shared deal: owner_changes ${counter} but ${events} owner_changed events`);
  } finally {
    conn.close();
  }
  if (strays) check.invariantViolations.push(`${strays} writes stored although their answer was an error`);
  Object.assign(report, check, { ms: Date.now() - started });
  return report;
}

/** The figures every crash run records (short and long variants alike). */
export function crashFigures(r: CrashReport) {
  return {
    target: r.target,
    seed: r.seed,
    rounds: r.rounds.filter((x) => x.killAtMs >= 0).length,
    acked: r.acked,
    lost: r.lost,
    rounds_with_loss: r.roundsWithLoss,
    committed_unacked: r.committedUnacked,
    replayed: r.replayed,
    duplicates: r.duplicates,
    integrity_failures: r.integrityFailures,
    invariant_violations: r.invariantViolations,
    refused: r.refused,
    ms: r.ms,
  };
}

/** The figures of a two-process run (K4 and its long variant). */
export function concurrentFigures(r: ConcurrentReport, seconds: number) {
  return {
    processes: r.processes,
    seconds,
    calls: r.calls,
    acked: r.acked,
    busy: r.busy,
    other_errors: r.otherErrors.length,
    lost: r.lost,
    calls_per_process: r.callsPerProcess,
    integrity: r.integrity,
    invariant_violations: r.invariantViolations.length,
    ms: r.ms,
  };
}
