// Both protocol revisions against the built bin. A 2026-07-28 client (the v2 SDK's, pinned: no
// initialize, an envelope on every request) and a 2025-11-25 client (the v1 SDK's, what most
// clients in the field run) each take a deal through its whole life, over stdio and over one
// running HTTP server; two HTTP processes on one database file answer a 2026 client's requests
// alternately, since nothing of a 2026 conversation lives in a process between requests.
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupE2E,
  connect2026,
  connectHttp,
  connectStdio,
  rawRequest,
  request2026,
  rpcBody,
  startHttp,
  tempDb,
  type Connected,
  type HttpServer,
} from "../helpers/spawn.js";

afterAll(cleanupE2E);

const JSON_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

/** Create, log, qualify, check, advance, close and read back one deal; returns its id. */
async function dealLife(c: Connected, tag: string): Promise<string> {
  const { deal } = await c.callOk("create_deal", {
    name: `${tag} - fleet rollout`,
    account: `${tag} Logistics`,
    owner: "Dana Lee",
    amount: 48000,
    employees: 450,
  });
  await c.callOk("log_activity", {
    deal_id: deal.id,
    type: "call",
    summary: "Discovery call: VP Ops wants to go live by Q2",
    duration_minutes: 45,
  });
  const q = await c.callOk("qualify_prospect", {
    deal_id: deal.id,
    budget: { status: "approved", amount: 50000 },
    authority: { status: "decision_maker" },
    need: { status: "confirmed", note: "go-live by Q2" },
    timeline: { status: "defined", months: 4 },
  });
  expect(q.verdict).toBe("qualified");
  expect(q.recorded).toBe(true);
  const moved = await c.callOk("advance_stage", {
    deal_id: deal.id,
    override_reason: `${tag}: the buyer asked for the demo now`,
  });
  expect(moved).toMatchObject({ moved: true, from_stage: "prospecting", to_stage: "discovery" });
  const closed = await c.callOk("close_deal", { deal_id: deal.id, outcome: "won", reason: "Fastest rollout" });
  expect(closed.deal.status).toBe("won");
  const got = await c.callOk("get_deal", { deal_id: deal.id });
  expect(got.deal).toMatchObject({ id: deal.id, status: "won", close_reason: "Fastest rollout" });
  expect(got.stage_history.map((h: any) => h.stage)).toEqual(["prospecting", "discovery"]);
  expect(got.activities.map((a: any) => a.summary)).toContain("Discovery call: VP Ops wants to go live by Q2");
  expect(got.qualification.verdict).toBe("qualified");
  return deal.id;
}

const dealsIn = (db: string) => {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare("SELECT id, name, status FROM deals ORDER BY id").all() as any[];
  } finally {
    d.close();
  }
};

describe("stdio: a deal's whole life in each revision", () => {
  it("a 2026-07-28 client and a 2025-11-25 client, on the same database file", async () => {
    const { db } = tempDb();
    const modern = await connect2026({ db });
    const legacy = await connectStdio(db);
    try {
      expect(modern.version()).toBe("2026-07-28");
      const a = await dealLife(modern, "Modern");
      const b = await dealLife(legacy, "Legacy");
      // Each sees the other's deal: one store.
      expect((await legacy.callOk("get_deal", { deal_id: a })).deal.name).toBe("Modern - fleet rollout");
      expect((await modern.callOk("get_deal", { deal_id: b })).deal.name).toBe("Legacy - fleet rollout");
    } finally {
      await modern.close();
      await legacy.close();
    }
    expect(dealsIn(db).map((d) => [d.name, d.status])).toEqual([
      ["Modern - fleet rollout", "won"],
      ["Legacy - fleet rollout", "won"],
    ]);
  });
});

describe("HTTP: both revisions against one running server", () => {
  let server: HttpServer;
  let db: string;
  beforeAll(async () => {
    db = tempDb().db;
    server = await startHttp(db);
  });
  afterAll(() => server?.kill());

  it("a 2026-07-28 client and a 2025-11-25 client each take a deal through its whole life", async () => {
    const modern = await connect2026({ url: server.url });
    const legacy = await connectHttp(server.url);
    try {
      expect(modern.version()).toBe("2026-07-28");
      const [a, b] = await Promise.all([dealLife(modern, "Modern"), dealLife(legacy, "Legacy")]);
      expect((await legacy.callOk("get_deal", { deal_id: a })).deal.status).toBe("won");
      expect((await modern.callOk("get_deal", { deal_id: b })).deal.status).toBe("won");
      // 2025 keeps a session; 2026 never gets one.
      expect(legacy.transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await modern.close();
      await legacy.close();
    }
  });

  it("2026 requests are stateless: no session id, each request alone, the revision's headers checked", async () => {
    const discover = request2026(1, "server/discover");
    const res = await rawRequest(server.port, {
      headers: { ...JSON_HEADERS, ...discover.headers },
      body: JSON.stringify(discover.body),
    });
    expect(res.status).toBe(200);
    expect(res.headers["mcp-session-id"]).toBeUndefined();
    const found = rpcBody(res).result;
    expect(found.supportedVersions).toContain("2026-07-28");
    expect(found.capabilities.tools).toBeDefined();
    expect(found.instructions).toMatch(/Lean Sales/);

    // A tools/call on a fresh connection, with no discover before it.
    const call = request2026(2, "tools/call", {
      name: "classify_segment",
      arguments: { employees: 450, actively_evaluating: true },
    });
    const answered = await rawRequest(server.port, {
      headers: { ...JSON_HEADERS, ...call.headers },
      body: JSON.stringify(call.body),
    });
    expect(answered.status).toBe(200);
    expect(rpcBody(answered).result.structuredContent.tier).toBe("mid_market");

    // The Mcp-Name header must agree with the body.
    const lying = await rawRequest(server.port, {
      headers: { ...JSON_HEADERS, ...call.headers, "mcp-name": "delete_deal" },
      body: JSON.stringify(call.body),
    });
    expect(lying.status).toBe(400);
    expect(lying.json().error.code).toBe(-32020);
  });

  it("cache hints: the static lists and the methodology resources may be cached, the deal list may not; a missing resource is -32602", async () => {
    const post = async (id: number, method: string, params: Record<string, unknown> = {}) => {
      const r = request2026(id, method, params);
      return rpcBody(
        await rawRequest(server.port, { headers: { ...JSON_HEADERS, ...r.headers }, body: JSON.stringify(r.body) }),
      ).result;
    };
    for (const method of ["tools/list", "prompts/list", "resources/templates/list"]) {
      const r = await post(3, method);
      expect(r.cacheScope, method).toBe("public");
      expect(r.ttlMs, method).toBeGreaterThan(0);
    }
    // The resource list names the stored deals, which change with every write.
    expect(await post(3, "resources/list")).toMatchObject({ ttlMs: 0, cacheScope: "private" });
    const stages = await post(4, "resources/read", { uri: "lean-sales://methodology/stages" });
    expect(stages).toMatchObject({ cacheScope: "public" });
    expect(stages.ttlMs).toBeGreaterThan(0);
    const missing = request2026(5, "resources/read", { uri: "lean-sales://deals/D-9999" });
    const res = await rawRequest(server.port, {
      headers: { ...JSON_HEADERS, ...missing.headers },
      body: JSON.stringify(missing.body),
    });
    // The 2026 resource-not-found error: -32602 with the uri in data.
    expect(rpcBody(res).error).toMatchObject({ code: -32602, data: { uri: "lean-sales://deals/D-9999" } });
  });

  it("2026: no log message without a requested level; the level asked for in _meta is honoured", async () => {
    const call = (id: number, level?: string) => {
      const r = request2026(id, "tools/call", { name: "core_questions", arguments: {} });
      if (level) (r.body.params._meta as Record<string, unknown>)["io.modelcontextprotocol/logLevel"] = level;
      return rawRequest(server.port, {
        headers: { ...JSON_HEADERS, ...r.headers },
        body: JSON.stringify(r.body),
      });
    };
    const messages = (body: string) =>
      body
        .split("\n")
        .filter((l) => l.startsWith("data:"))
        .map((l) => JSON.parse(l.slice(5)))
        .filter((m) => m.method === "notifications/message");
    const quiet = await call(6);
    expect(quiet.status).toBe(200);
    expect(rpcBody(quiet).result.isError).toBeFalsy();
    expect(messages(quiet.body)).toEqual([]);
    const logged = messages((await call(7, "debug")).body);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0].params.data).toMatchObject({ tool: "core_questions", outcome: "ok" });
  });
});

describe("HTTP: two processes on one database file", () => {
  let a: HttpServer;
  let b: HttpServer;
  let db: string;
  beforeAll(async () => {
    db = tempDb().db;
    [a, b] = await Promise.all([startHttp(db), startHttp(db)]);
  });
  afterAll(() => {
    a?.kill();
    b?.kill();
  });

  it("a 2026-07-28 client whose requests alternate between them (a round-robin balancer) takes deals through their whole lives", async () => {
    const seen = { [a.port]: 0, [b.port]: 0 };
    let n = 0;
    // The balancer: every request goes to the other process than the last one.
    const balance: typeof fetch = (input, init) => {
      const target = n++ % 2 === 0 ? a : b;
      seen[target.port]!++;
      const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
      url.port = String(target.port);
      return fetch(url, init);
    };
    const c = await connect2026({ url: a.url, fetch: balance });
    try {
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push(await dealLife(c, `Balanced ${i}`));
      const listed = await c.callOk("list_deals", { filters: { status: "won" } });
      expect(listed.total).toBe(3);
      expect(listed.deals.map((d: any) => d.id)).toEqual(ids);
    } finally {
      await c.close();
    }
    // Both processes answered a fair share, and the file holds exactly what was acknowledged.
    expect(seen[a.port]).toBeGreaterThanOrEqual(8);
    expect(seen[b.port]).toBeGreaterThanOrEqual(8);
    expect(dealsIn(db).map((d) => d.status)).toEqual(["won", "won", "won"]);
  });

  it("a 2026 request carries everything it needs: the same raw request gets the same answer from either process", async () => {
    const r = request2026(1, "tools/call", { name: "get_deal", arguments: { deal_id: "D-0001" } });
    const answers = [];
    for (const s of [a, b]) {
      const res = await fetch(s.url, {
        method: "POST",
        headers: { ...JSON_HEADERS, ...r.headers },
        body: JSON.stringify(r.body),
      });
      expect(res.status).toBe(200);
      answers.push(((await res.json()) as any).result.structuredContent.deal);
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toMatchObject({ id: "D-0001", status: "won" });
  });
});
