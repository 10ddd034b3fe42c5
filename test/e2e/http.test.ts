// The built bin serving Streamable HTTP (`--http`): SDK clients, the guard (Host, Origin, token,
// body limits), sessions, and shutdown. Raw sockets are used where a header must be forged.
import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupE2E,
  connectHttp,
  connect2026,
  httpPost,
  initializeRequest,
  OPENING,
  rawInitialize,
  rawRequest,
  request2026,
  REVISIONS,
  rpcBody,
  runBin,
  startHttp,
  tempDb,
  type HttpServer,
} from "../helpers/spawn.js";

afterAll(cleanupE2E);

const JSON_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };
const TOKEN = "e2e-token-0123456789abcdef";

const post = (port: number, body: unknown, headers: Record<string, string> = {}) =>
  rawRequest(port, {
    headers: { ...JSON_HEADERS, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("HTTP: SDK clients", () => {
  let server: HttpServer;
  beforeAll(async () => {
    server = await startHttp(tempDb().db);
  });
  afterAll(() => server?.kill());

  it("a StreamableHTTPClientTransport client lists the tools and calls each methodology tool", async () => {
    const c = await connectHttp(server.url);
    try {
      const { tools } = await c.client.listTools();
      expect(tools.length).toBeGreaterThanOrEqual(13);
      const q = await c.callOk("qualify_prospect", { budget: { status: "none" }, need: { status: "none" } });
      expect(q.verdict).toBe("disqualified");
      const s = await c.callOk("classify_segment", { employees: 20, actively_evaluating: false });
      expect(s.segment).toBe(`${s.tier}_${s.readiness}`);
      const k = await c.callOk("check_stage_exit", { stage: "prospecting" });
      expect(k.criteria.every((x: { met: unknown }) => x.met === null)).toBe(true);
      const w = await c.callOk("find_waste", {
        activities: [
          { description: "Weekly internal status meeting nobody acts on", hours_per_week: 2, kind: "internal_meeting" },
        ],
      });
      expect(w.findings.length).toBeGreaterThan(0);
      const cq = await c.callOk("core_questions", { focus: "waste" });
      expect(cq.questions.length).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });

  it("two clients at once each get their own answers", async () => {
    const clients = await Promise.all([connectHttp(server.url), connectHttp(server.url)]);
    try {
      expect(clients[0]!.transport.sessionId).not.toBe(clients[1]!.transport.sessionId);
      const rounds = await Promise.all(
        clients.map(async (c, n) => {
          const seen: string[] = [];
          for (let i = 0; i < 10; i++) {
            const name = `client-${n}-deal-${i}-${Math.random().toString(36).slice(2)}`;
            const { deal } = await c.callOk("create_deal", { name, account: `Account ${n}`, owner: "Dana Lee" });
            const back = await c.callOk("get_deal", { deal_id: deal.id });
            expect(back.deal.name).toBe(name);
            seen.push(name);
          }
          return seen;
        }),
      );
      expect(new Set(rounds.flat()).size).toBe(20);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});

// Every guard test runs against both revisions: a 2025-11-25 client opens with initialize, a
// 2026-07-28 client with server/discover (no session; the revision's headers on every request).
describe.each(REVISIONS)("HTTP: the guard (%s)", (revision) => {
  const legacy = revision === "2025-11-25";
  const opening = (id: number) => OPENING[revision](id);
  const postOpening = (port: number, id: number, headers: Record<string, string> = {}) => {
    const o = opening(id);
    return post(port, o.body, { ...o.headers, ...headers });
  };
  let server: HttpServer;
  beforeAll(async () => {
    server = await startHttp(tempDb().db);
  });
  afterAll(() => server?.kill());

  it.each([
    ["http://evil.example", 403],
    ["null", 403],
    ["https://localhost.evil.example", 403],
    ["http://localhost:5173", 200],
    ["http://127.0.0.1:8080", 200],
  ])("Origin: %s -> %i", async (origin, status) => {
    const res = await postOpening(server.port, 1, { origin });
    expect(res.status).toBe(status);
    if (status === 403) expect(res.json().error.message).toMatch(/Origin/);
  });

  it("a request without Origin (a non-browser client) is allowed", async () => {
    const res = await postOpening(server.port, 1);
    expect(res.status).toBe(200);
    const result = rpcBody(res).result;
    expect((legacy ? result.serverInfo : result._meta["io.modelcontextprotocol/serverInfo"]).name).toBe(
      "lean-sales-mcp",
    );
  });

  it.runIf(legacy)("a foreign Origin is refused on GET and DELETE too, even with a valid session", async () => {
    const sid = await rawInitialize(server.port);
    for (const method of ["GET", "DELETE"]) {
      const res = await rawRequest(server.port, {
        method,
        headers: { accept: "text/event-stream", "mcp-session-id": sid, origin: "http://evil.example" },
      });
      expect(res.status, method).toBe(403);
    }
  });

  it.each([["evil.example:PORT"], ["evil.example"], ["127.0.0.1.evil.example:PORT"]])(
    "Host: %s (DNS rebinding) -> 403",
    async (host) => {
      const res = await rawRequest(server.port, {
        host: host.replace("PORT", String(server.port)),
        headers: { ...JSON_HEADERS, ...opening(1).headers },
        body: JSON.stringify(opening(1).body),
      });
      expect(res.status).toBe(403);
      expect(res.json().error.message).toMatch(/Host/);
    },
  );

  it("Host: localhost:PORT is this server", async () => {
    const res = await rawRequest(server.port, {
      host: `localhost:${server.port}`,
      headers: JSON_HEADERS,
      body: JSON.stringify(initializeRequest(1)),
    });
    expect(res.status).toBe(200);
  });

  it("a body over 1 MB gets 413, declared or streamed, and the server keeps serving", async () => {
    const big = Buffer.from(JSON.stringify({ ...opening(1).body, pad: "x".repeat(1024 * 1024 + 10) }));
    // A client still writing its body must see the 413, not a reset (EPIPE): try it a few times.
    for (let i = 0; i < 10; i++) {
      const declared = await httpPost(server.port, { body: big });
      expect(declared.status).toBe(413);
    }
    const eightMb = await httpPost(server.port, { body: Buffer.alloc(8 * 1024 * 1024, 0x20) });
    expect(eightMb.status).toBe(413);
    const streamed = await httpPost(server.port, { body: big, chunked: true });
    expect(streamed.status).toBe(413);
    expect(streamed.json().error.message).toMatch(/too large/);
    expect((await postOpening(server.port, 2)).status).toBe(200);
  });

  it("malformed JSON gets 400 with JSON-RPC -32700, and the server keeps serving", async () => {
    const res = await post(server.port, '{"jsonrpc":"2.0","id":1,"method":');
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toMatch(/application\/json/);
    expect(res.json().error.code).toBe(-32700);
    expect((await postOpening(server.port, 2)).status).toBe(200);
  });

  it("a batch of 101 messages gets 400", async () => {
    const sid = legacy ? await rawInitialize(server.port) : undefined;
    const batch = Array.from({ length: 101 }, (_, i) =>
      legacy ? { jsonrpc: "2.0", id: i + 10, method: "ping" } : request2026(i + 10, "tools/list").body,
    );
    const res = await post(server.port, batch, sid ? { "mcp-session-id": sid } : opening(1).headers);
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe(-32600);
  });

  it.runIf(legacy)("an unknown session id gets 404", async () => {
    const res = await post(
      server.port,
      { jsonrpc: "2.0", id: 1, method: "tools/list" },
      { "mcp-session-id": "6b0f1d5e-0000-4000-8000-000000000000" },
    );
    expect(res.status).toBe(404);
    for (const method of ["GET", "DELETE"]) {
      const r = await rawRequest(server.port, {
        method,
        headers: { accept: "text/event-stream", "mcp-session-id": "nope" },
      });
      expect(r.status, method).toBe(404);
    }
  });

  it.runIf(legacy)("a non-initialize POST without a session gets 400", async () => {
    const res = await post(server.port, { jsonrpc: "2.0", id: 1, method: "tools/list" });
    expect(res.status).toBe(400);
    expect(res.json().error.message).toMatch(/initialize/);
  });

  it.runIf(legacy)("session ids are random UUIDs, and DELETE ends a session (then 404)", async () => {
    const sid = await rawInitialize(server.port);
    expect(sid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await post(server.port, { jsonrpc: "2.0", method: "notifications/initialized" }, { "mcp-session-id": sid });
    const listed = await post(server.port, { jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": sid });
    expect(listed.status).toBe(200);
    const del = await rawRequest(server.port, { method: "DELETE", headers: { "mcp-session-id": sid } });
    expect(del.status).toBe(200);
    const after = await post(server.port, { jsonrpc: "2.0", id: 3, method: "tools/list" }, { "mcp-session-id": sid });
    expect(after.status).toBe(404);
  });

  it.runIf(legacy)("an SDK client's terminateSession ends its session", async () => {
    const c = await connectHttp(server.url);
    const sid = c.transport.sessionId!;
    await c.transport.terminateSession();
    await c.close();
    const after = await post(server.port, { jsonrpc: "2.0", id: 3, method: "tools/list" }, { "mcp-session-id": sid });
    expect(after.status).toBe(404);
  });

  it.runIf(!legacy)("no session is ever opened, and a 2026 request without its headers is refused (400)", async () => {
    const o = opening(1);
    const res = await post(server.port, o.body, o.headers);
    expect(res.headers["mcp-session-id"]).toBeUndefined();
    const call = request2026(2, "tools/call", { name: "core_questions", arguments: {} });
    const bare = await post(server.port, call.body);
    expect(bare.status).toBe(400);
    expect((await post(server.port, call.body, call.headers)).status).toBe(200);
  });

  it("a path other than /mcp is 404 and an unsupported method is 405", async () => {
    expect((await rawRequest(server.port, { method: "GET", path: "/" })).status).toBe(404);
    expect((await rawRequest(server.port, { method: "PUT", body: "{}" })).status).toBe(405);
  });
});

describe("HTTP: bind policy and bearer token", () => {
  it("--host 0.0.0.0 without a token exits non-zero within 2 s, naming the token", async () => {
    const p = runBin(["--http", "--host", "0.0.0.0", "--port", "0", "--db", tempDb().db]);
    p.child.stdin.end();
    const exit = await p.exited;
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(exit.ms).toBeLessThan(2_000);
    expect(p.stderr()).toMatch(/token/i);
    expect(p.stderr()).toMatch(/--token|LEAN_SALES_HTTP_TOKEN/);
  });

  it("a token shorter than 16 characters is refused at start", async () => {
    const p = runBin(["--http", "--port", "0", "--token", "short", "--db", tempDb().db]);
    const exit = await p.exited;
    expect(exit.code).toBe(2);
    expect(p.stderr()).toMatch(/16 characters/);
    expect(p.stderr()).not.toContain("short\n");
  });

  describe.each(REVISIONS)("with --token (%s)", (revision) => {
    const legacy = revision === "2025-11-25";
    const postOpening = (port: number, id: number, headers: Record<string, string> = {}) => {
      const o = OPENING[revision](id);
      return post(port, o.body, { ...o.headers, ...headers });
    };
    let server: HttpServer;
    beforeAll(async () => {
      server = await startHttp(tempDb().db, ["--token", TOKEN]);
    });
    afterAll(() => server?.kill());

    it("no token gets 401 with WWW-Authenticate: Bearer", async () => {
      const res = await postOpening(server.port, 1);
      expect(res.status).toBe(401);
      expect(res.headers["www-authenticate"]).toMatch(/^Bearer\b/);
    });

    it("a wrong token gets 401", async () => {
      for (const auth of [
        `Bearer ${TOKEN}x`,
        `Bearer ${TOKEN.slice(0, -1)}`,
        "Bearer ",
        `Basic ${Buffer.from(`u:${TOKEN}`).toString("base64")}`,
        TOKEN,
      ]) {
        const res = await postOpening(server.port, 1, { authorization: auth });
        expect(res.status, auth).toBe(401);
        expect(res.headers["www-authenticate"]).toMatch(/^Bearer\b/);
      }
    });

    it("the token in the query string gets 401, with or without the header", async () => {
      for (const path of [`/mcp?token=${TOKEN}`, `/mcp?access_token=${TOKEN}`]) {
        const bare = await rawRequest(server.port, {
          path,
          headers: { ...JSON_HEADERS, ...OPENING[revision](1).headers },
          body: JSON.stringify(OPENING[revision](1).body),
        });
        expect(bare.status, path).toBe(401);
        const both = await rawRequest(server.port, {
          path,
          headers: { ...JSON_HEADERS, ...OPENING[revision](1).headers, authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify(OPENING[revision](1).body),
        });
        expect(both.status, path).toBe(401);
      }
    });

    it("the right token gets 200, and an SDK client with it works", async () => {
      const res = await postOpening(server.port, 1, { authorization: `Bearer ${TOKEN}` });
      expect(res.status).toBe(200);
      const c = legacy
        ? await connectHttp(server.url, { authorization: `Bearer ${TOKEN}` })
        : await connect2026({ url: server.url, headers: { authorization: `Bearer ${TOKEN}` } });
      try {
        const { deal } = await c.callOk("create_deal", { name: "Token deal", account: "Acme", owner: "Dana Lee" });
        expect(deal.id).toMatch(/^D-\d+/);
      } finally {
        await c.close();
      }
    });

    it.runIf(!legacy)("the token is checked on every request", async () => {
      const call = request2026(2, "tools/call", { name: "core_questions", arguments: {} });
      expect((await post(server.port, call.body, { ...call.headers, authorization: `Bearer ${TOKEN}` })).status).toBe(
        200,
      );
      expect((await post(server.port, call.body, call.headers)).status).toBe(401);
    });

    it.runIf(legacy)("the token is checked on every request, not only at initialize", async () => {
      const sid = await rawInitialize(server.port, { authorization: `Bearer ${TOKEN}` });
      const res = await post(server.port, { jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": sid });
      expect(res.status).toBe(401);
      const del = await rawRequest(server.port, { method: "DELETE", headers: { "mcp-session-id": sid } });
      expect(del.status).toBe(401);
    });

    it("the token never appears on stderr", async () => {
      await postOpening(server.port, 1, { authorization: `Bearer ${TOKEN}` });
      await postOpening(server.port, 1, { authorization: `Bearer ${TOKEN}x` });
      await rawRequest(server.port, { path: `/mcp?token=${TOKEN}`, headers: JSON_HEADERS, body: "{}" });
      expect(server.stderr()).toMatch(/bearer/i);
      expect(server.stderr()).not.toContain(TOKEN.slice(0, 12));
    });
  });

  it("--host 0.0.0.0 with a token (from LEAN_SALES_HTTP_TOKEN) starts and requires it", async () => {
    const server = await startHttp(tempDb().db, ["--host", "0.0.0.0"], { LEAN_SALES_HTTP_TOKEN: TOKEN });
    try {
      expect((await post(server.port, initializeRequest(1))).status).toBe(401);
      expect((await post(server.port, initializeRequest(1), { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
      expect(server.stderr()).not.toContain(TOKEN.slice(0, 12));
    } finally {
      server.kill();
    }
  });
});

describe("HTTP: shutdown", () => {
  it("SIGTERM while four clients are writing: exit 0 within 5 s, every acknowledged write stored and nothing stored unacknowledged", async () => {
    const { db } = tempDb();
    const server = await startHttp(db);
    const clients = await Promise.all([1, 2, 3, 4].map(() => connectHttp(server.url)));
    const acked = new Set<string>();
    let signalled = false;
    const writers = clients.map(async (c, k) => {
      for (let i = 0; i < 200; i++) {
        const name = `writer-${k}-${i}`;
        try {
          const r = await c.call("create_deal", { name, account: "Acme", owner: "Dana Lee" });
          if (r.isError) return; // refused while shutting down
          acked.add(name);
        } catch {
          return; // connection refused or cut after shutdown
        }
        if (acked.size >= 20 && !signalled) {
          signalled = true;
          server.markExitClock();
          server.child.kill("SIGTERM");
        }
      }
    });
    await Promise.all(writers);
    const exit = await server.exited;
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    expect(signalled).toBe(true);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(5_000);
    expect(existsSync(`${db}-wal`)).toBe(false);
    const conn = new Database(db, { readonly: true });
    try {
      const stored = new Set(
        (conn.prepare("SELECT name FROM deals").all() as Array<{ name: string }>).map((r) => r.name),
      );
      expect([...acked].filter((n) => !stored.has(n))).toEqual([]);
      expect([...stored].filter((n) => !acked.has(n))).toEqual([]);
    } finally {
      conn.close();
    }
  });

  it("SIGTERM with a connected client closes cleanly: exit 0, no -wal left, writes kept", async () => {
    const { db } = tempDb();
    const server = await startHttp(db);
    const c = await connectHttp(server.url);
    for (let i = 0; i < 5; i++)
      await c.callOk("create_deal", { name: `Before SIGTERM ${i}`, account: "Acme", owner: "Dana Lee" });
    server.markExitClock();
    server.child.kill("SIGTERM");
    const exit = await server.exited;
    await c.close().catch(() => undefined);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(5_000);
    expect(existsSync(`${db}-wal`)).toBe(false);
    const conn = new Database(db, { readonly: true });
    try {
      expect((conn.prepare("SELECT count(*) AS n FROM deals").get() as { n: number }).n).toBe(5);
    } finally {
      conn.close();
    }
  });
});
