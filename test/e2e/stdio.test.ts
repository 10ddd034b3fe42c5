// The built bin over stdio, as a desktop client spawns it.
import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupE2E,
  connectStdio,
  initializedNotification,
  initializeRequest,
  lines,
  parseJsonRpcLines,
  rawStdio,
  responsesOf,
  runBin,
  runToExit,
  tempDb,
  toolCall,
  type Connected,
  type Proc,
  waitForResponses,
} from "../helpers/spawn.js";

afterAll(cleanupE2E);

/** Rows in `deals` (0 when the file was never created). */
function dealNames(db: string): string[] {
  if (!existsSync(db)) return [];
  const conn = new Database(db, { readonly: true });
  try {
    return (conn.prepare("SELECT name FROM deals ORDER BY id").all() as Array<{ name: string }>).map((r) => r.name);
  } finally {
    conn.close();
  }
}

const createDeal = (id: number, name: string) =>
  toolCall(id, "create_deal", { name, account: "Acme Logistics", owner: "Dana Lee", amount: 1000 + id });

/** Writes `n` create_deal requests (ids 1..n, names `${prefix}-${i}`) in one write. */
function writeCreates(p: Proc, prefix: string, n: number): string[] {
  const names = Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);
  p.child.stdin.write(lines(...names.map((name, i) => createDeal(i + 1, name))));
  return names;
}

describe("stdio: a real SDK client", () => {
  let c: Connected & { stderr(): string };
  beforeAll(async () => {
    c = await connectStdio(tempDb().db);
  });
  afterAll(async () => {
    await c?.close();
  });

  it("lists every registered tool, each with an input and output schema", async () => {
    const { tools } = await c.client.listTools();
    const names = tools.map((t) => t.name);
    expect(names.length).toBeGreaterThanOrEqual(13);
    expect(names).toEqual(
      expect.arrayContaining([
        "qualify_prospect",
        "classify_segment",
        "check_stage_exit",
        "find_waste",
        "core_questions",
        "create_deal",
        "get_deal",
        "list_deals",
      ]),
    );
    for (const t of tools) {
      expect(t.inputSchema.type, t.name).toBe("object");
      expect(t.outputSchema?.type, t.name).toBe("object");
    }
  });

  it("qualify_prospect answers with a verdict, a score and reasons", async () => {
    const r = await c.callOk("qualify_prospect", {
      budget: { status: "approved", amount: 50000 },
      authority: { status: "decision_maker" },
      need: { status: "critical", pain_points: ["manual dispatch"] },
      timeline: { status: "defined", months: 2 },
    });
    expect(["qualified", "needs_discovery", "disqualified"]).toContain(r.verdict);
    expect(r.verdict).toBe("qualified");
    expect(r.score).toBeGreaterThan(0);
    expect(r.reasons.length).toBeGreaterThan(0);
    expect(r.recorded).toBe(false);
  });

  it("classify_segment names the tier, readiness and segment", async () => {
    const r = await c.callOk("classify_segment", {
      employees: 450,
      actively_evaluating: true,
      budget_status: "approved",
      timeline_months: 2,
    });
    expect(r.segment).toBe(`${r.tier}_${r.readiness}`);
    expect(r.reasons.length).toBeGreaterThan(0);
  });

  it("check_stage_exit with only a stage lists that stage's criteria, none decided", async () => {
    const r = await c.callOk("check_stage_exit", { stage: "discovery" });
    expect(r.stage).toBe("discovery");
    expect(r.criteria.length).toBeGreaterThan(0);
    for (const k of r.criteria) expect(k.met).toBeNull();
    expect(r.recorded).toBe(false);
  });

  it("find_waste classifies described work", async () => {
    const r = await c.callOk("find_waste", {
      activities: [
        { description: "Re-keying call notes into the CRM", hours_per_week: 3, kind: "data_entry" },
        { description: "Waiting for legal approval of every discount", hours_per_week: 2, kind: "approval" },
      ],
    });
    expect(Array.isArray(r.findings)).toBe(true);
    expect(r.findings.length).toBeGreaterThan(0);
    expect(typeof r.summary).toBe("string");
  });

  it("core_questions returns questions, with stage-specific ones for a stage", async () => {
    const r = await c.callOk("core_questions", { stage: "discovery" });
    expect(r.questions.length).toBeGreaterThan(0);
    for (const q of r.questions) expect(typeof q.question).toBe("string");
  });

  it("bad input is an isError result naming the field, and the server keeps serving", async () => {
    const r = await c.call("check_stage_exit", { stage: "nowhere" });
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).toContain("stage");
    await expect(c.client.ping()).resolves.toBeDefined();
  });
});

describe("stdio: the wire", () => {
  it("every stdout line is a JSON-RPC message and logs go to stderr only", async () => {
    const { db } = tempDb();
    const p = await rawStdio(db);
    p.child.stdin.write(
      lines(
        { jsonrpc: "2.0", id: 1, method: "tools/list" },
        toolCall(2, "create_deal", { name: "Wire test", account: "Acme", owner: "Dana Lee" }),
        toolCall(3, "check_stage_exit", { stage: "nowhere" }), // an isError result
        toolCall(4, "no_such_tool", {}),
        { jsonrpc: "2.0", id: 5, method: "resources/read", params: { uri: "lean-sales://methodology" } },
        { jsonrpc: "2.0", id: 6, method: "no/such/method" },
      ),
    );
    await waitForResponses(p, 7);
    p.child.stdin.end();
    const exit = await p.exited;
    expect(exit.code).toBe(0);
    const msgs = responsesOf(parseJsonRpcLines(p.stdout()));
    expect(msgs.map((m) => m.id).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(msgs.find((m) => m.id === 6)!.error.code).toBe(-32601);
    // pino writes JSON lines to stderr; none of them reached stdout.
    const logLines = p.stderr().split("\n").filter(Boolean);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.some((l) => /"msg":"shutting down"/.test(l))).toBe(true);
    expect(p.stdout()).not.toMatch(/"level":\d+/);
  });

  it("a tools/call before initialize gets -32600 and writes nothing", async () => {
    const { db } = tempDb();
    // The file exists with its schema first, so "nothing written" is checked against a real store.
    expect((await runToExit(["status", "--db", db])).code).toBe(0);
    const p = runBin(["--db", db]);
    p.child.stdin.write(lines(createDeal(1, "Too early"), { jsonrpc: "2.0", id: 2, method: "ping" }));
    await waitForResponses(p, 2);
    p.child.stdin.end();
    expect((await p.exited).code).toBe(0);
    const [early, ping] = responsesOf(parseJsonRpcLines(p.stdout()));
    expect(early!.id).toBe(1);
    expect(early!.error.code).toBe(-32600);
    expect(early!.error.message).toMatch(/initialize/);
    expect(ping).toMatchObject({ id: 2, result: {} }); // ping is allowed before the handshake
    expect(dealNames(db)).toEqual([]);
  });
});

describe("stdio: hostile lines", () => {
  it("garbage, invalid messages, odd framing and oversized lines never crash the server, and every reply is JSON-RPC", async () => {
    const { db } = tempDb();
    const p = await rawStdio(db);
    const raw = (s: string | Buffer) => p.child.stdin.write(s);
    raw("hello world\n");
    raw('{"foo":1}\n');
    raw('{"jsonrpc":"2.0","id":101,"method":123}\n');
    raw(lines({ jsonrpc: "2.0", id: 102, method: "no/such/method" }));
    raw(lines({ jsonrpc: "2.0", method: "notifications/no_such_thing" }));
    raw(
      lines(toolCall(103, "create_deal", { name: "Bad amount", account: "Acme", owner: "Dana Lee", amount: "lots" })),
    );
    raw(lines(toolCall(104, "no_such_tool", {})));
    raw('[{"jsonrpc":"2.0","id":105,"method":"ping"}]\n'); // batches were removed from the protocol
    raw(lines({ jsonrpc: "2.0", id: 106, method: "ping" }, { jsonrpc: "2.0", id: 106, method: "ping" })); // duplicate ids
    raw(`${JSON.stringify({ jsonrpc: "2.0", id: 107, method: "ping" })}\r\n`);
    raw(Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x0a])); // invalid UTF-8 and a NUL
    raw(lines(toolCall(108, "create_deal", { name: "x".repeat(5_000_000), account: "Acme", owner: "Dana Lee" }))); // 5 MB, valid JSON
    raw(lines(toolCall(109, "create_deal", { name: "y".repeat(11_000_000), account: "Acme", owner: "Dana Lee" }))); // over the SDK's 10 MiB line cap
    // The SDK client writes the id last; a notification has none (dropped without a reply).
    raw(
      `{"method":"tools/call","params":{"name":"create_deal","arguments":{"name":"${"z".repeat(9_000_000)}","account":"A","owner":"O"}},"jsonrpc":"2.0","id":110}\n`,
    );
    raw(`{"method":"notifications/message","params":{"data":"${"n".repeat(9_000_000)}"},"jsonrpc":"2.0"}\n`);
    raw(lines(...Array.from({ length: 1000 }, (_, i) => ({ jsonrpc: "2.0", id: 1000 + i, method: "ping" })))); // 1,000 lines in one write
    raw(lines({ jsonrpc: "2.0", id: 9999, method: "ping" }));

    // initialize + 102, 103, 104, 106 twice, 107, 108, 109, 110, 1,000 pings, the last ping.
    const expected = 1 + 3 + 2 + 1 + 3 + 1000 + 1;
    await waitForResponses(p, expected, 60_000);
    p.child.stdin.end();
    expect((await p.exited).code).toBe(0);

    const msgs = responsesOf(parseJsonRpcLines(p.stdout()));
    expect(msgs).toHaveLength(expected);
    const byId = (id: number) => msgs.filter((m) => m.id === id);
    expect(byId(102)[0]!.error.code).toBe(-32601);
    expect(byId(103)[0]!.result.isError).toBe(true);
    expect(JSON.stringify(byId(103)[0]!.result.content)).toMatch(/amount/);
    // An unknown tool is a protocol error (-32602) on SDK v2, as the specification has it.
    expect(byId(104)[0]!.error.code).toBe(-32602);
    expect(byId(104)[0]!.error.message).toMatch(/no_such_tool/);
    expect(byId(106)).toHaveLength(2);
    expect(byId(107)[0]!.result).toEqual({});
    expect(byId(108)[0]!.result.isError).toBe(true);
    expect(JSON.stringify(byId(108)[0]!.result.content)).toMatch(/name/);
    expect(byId(109)[0]!.error.code).toBe(-32600);
    expect(byId(109)[0]!.error.message).toMatch(/too large/);
    expect(byId(110)[0]!.error.code).toBe(-32600);
    expect(byId(9999)[0]!.result).toEqual({});
    expect(msgs.filter((m) => m.id >= 1000 && m.id < 2000)).toHaveLength(1000);
    // No stack traces or file paths in any reply.
    expect(p.stdout()).not.toMatch(/\bat (?:file:|node:|\/)|node_modules|\.js:\d+/);
    expect(dealNames(db)).toEqual([]);
  });
});

describe("stdio: shutdown", () => {
  it("stdin EOF with 100 create_deal requests written at once: every one answered and stored, exit 0 within 5 s, no -wal left", async () => {
    const { db } = tempDb();
    const p = await rawStdio(db);
    // A client slow to read: the answers back up while the server sees EOF and shuts down.
    p.child.stdout.pause();
    const names = writeCreates(p, "eof", 100);
    p.markExitClock();
    p.child.stdin.end();
    await p.waitForStderr(/"msg":"shutting down"/).catch(() => undefined);
    p.child.stdout.resume();
    const exit = await p.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(5_000);
    const answers = responsesOf(parseJsonRpcLines(p.stdout())).filter((m) => m.id !== 0);
    if (process.env.E2E_DEBUG && answers.length !== 100) {
      const ids = new Set(answers.map((a) => a.id));
      console.error(
        "missing",
        names.map((_, i) => i + 1).filter((i) => !ids.has(i)),
        "stdout lines",
        p.stdout().split("\n").length,
        "\nstderr",
        p.stderr().slice(-3000),
        "\nlast",
        p.stdout().slice(-600),
      );
    }
    expect(answers).toHaveLength(100);
    for (const a of answers) expect(a.result?.isError, JSON.stringify(a)).toBeFalsy();
    expect(new Set(answers.map((a) => a.id)).size).toBe(100);
    expect(existsSync(`${db}-wal`)).toBe(false); // before our own reader opens the file
    expect(dealNames(db)).toEqual(names);
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} amid 100 create_deal requests (30 before it, 70 after): exit 0 within 5 s, each write acknowledged or absent, no -wal left`, async () => {
      const { db } = tempDb();
      const p = await rawStdio(db);
      // 30 requests, the signal, then (once the server says it is shutting down) 70 more.
      const names = Array.from({ length: 100 }, (_, i) => `${signal}-${i + 1}`);
      p.child.stdin.write(lines(...names.slice(0, 30).map((name, i) => createDeal(i + 1, name))));
      p.markExitClock();
      p.child.kill(signal);
      await p.waitForStderr(/"msg":"shutting down"/).catch(() => undefined); // it may already be gone
      p.child.stdin.write(lines(...names.slice(30).map((name, i) => createDeal(i + 31, name))));
      const exit = await p.exited;
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.ms).toBeLessThan(5_000);
      expect(existsSync(`${db}-wal`)).toBe(false); // before our own reader opens the file

      const byId = new Map(responsesOf(parseJsonRpcLines(p.stdout())).map((m) => [m.id, m]));
      const stored = new Set(dealNames(db));
      names.forEach((name, i) => {
        const answer = byId.get(i + 1);
        const acked = answer?.result !== undefined && !answer.result.isError;
        // Acknowledged <=> stored: no acknowledged write is lost, none is stored unacknowledged.
        expect({ name, stored: stored.has(name) }).toEqual({ name, stored: acked });
        if (answer && !acked) expect(answer.error?.message ?? "", name).toMatch(/shutting down/);
      });
      // Sent after shutdown began: refused or never read, and never stored.
      for (const name of names.slice(30)) expect(stored.has(name), name).toBe(false);
      expect(stored.size).toBeLessThanOrEqual(100);
      if (process.env.E2E_DEBUG) console.error(signal, "stored", stored.size, "answers", byId.size - 1);
    });
  }

  it("the process exits when stdin closes, even while idle", async () => {
    const { db } = tempDb();
    const p = await rawStdio(db);
    // Touch the store so the idle server holds an open database.
    p.child.stdin.write(lines(createDeal(1, "Idle")));
    await waitForResponses(p, 2);
    p.markExitClock();
    p.child.stdin.end();
    const exit = await p.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(5_000);
    expect(existsSync(`${db}-wal`)).toBe(false);
  });

  it("a client that goes away mid-answer (closing our stdout) gets no crash: exit 0, no stack trace, no -wal left", async () => {
    const { db } = tempDb();
    const p = await rawStdio(db);
    p.child.stdin.write(lines(...Array.from({ length: 500 }, (_, i) => createDeal(i + 1, `gone-${i + 1}`))));
    p.child.stdout.destroy();
    p.child.stdin.end();
    const exit = await p.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(5_000);
    expect(p.stderr()).not.toMatch(/Unhandled 'error' event|at .*\(node:/);
    expect(existsSync(`${db}-wal`)).toBe(false);
    // Whatever was stored is whole: every row a complete deal.
    for (const name of dealNames(db)) expect(name).toMatch(/^gone-\d+$/);
  });

  it("the process exits when stdin closes before any request", async () => {
    const p = runBin(["--db", tempDb().db]);
    p.child.stdin.end();
    const exit = await p.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(p.stdout()).toBe("");
  });

  it("initialize, 20 create_deal requests and EOF in a single write: every request answered and stored", async () => {
    const { db } = tempDb();
    const p = runBin(["--db", db]);
    const names = Array.from({ length: 20 }, (_, i) => `burst-${i + 1}`);
    p.child.stdin.end(
      lines(initializeRequest(0), initializedNotification, ...names.map((n, i) => createDeal(i + 1, n))),
    );
    const exit = await p.exited;
    expect(exit.code).toBe(0);
    const answers = responsesOf(parseJsonRpcLines(p.stdout()));
    expect(answers).toHaveLength(21);
    expect(dealNames(db)).toEqual(names);
  });
});
