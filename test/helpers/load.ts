// Load runners for the reliability suite's HTTP tests (plan H4, H5): a slowloris attack with
// legitimate MCP traffic alongside, and many concurrent SDK clients each checking it gets its
// own answers. Both measure, the tests assert.
import { randomUUID } from "node:crypto";
import { connect as netConnect, type Socket } from "node:net";
import { percentile, rssBytes } from "./fuzz.js";
import { connectHttp, type Connected, type HttpServer } from "./spawn.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SlowlorisReport {
  sockets: number;
  opened: number;
  /** Closed by the server (not by us) while the attack ran. */
  closedByServer: number;
  /** The longest a slow socket stayed open, from its first byte to the server closing it. */
  slowestCloseMs: number;
  medianCloseMs: number;
  legitCalls: number;
  legitNewSessions: number;
  legitErrors: string[];
  legitP50Ms: number;
  legitP99Ms: number;
  legitMaxMs: number;
  latencies_ms?: number[];
}

/**
 * Opens `sockets` connections that send a request line and then one header line a second,
 * never finishing the headers, for `attackMs`. Meanwhile a client with a session keeps calling
 * tools, and every 2 s a new client connects and initializes.
 */
export async function runSlowloris(
  server: HttpServer,
  opts: { sockets: number; attackMs: number },
): Promise<SlowlorisReport> {
  const legit = await connectHttp(server.url);
  await legit.callOk("create_deal", { name: "Slowloris bystander", account: "Acme", owner: "Dana Lee" });
  const slow: Array<{ socket: Socket; openedAt: number; closedAt?: number }> = [];
  let attacking = true;
  // Open in batches, so the listen backlog is not the thing under test.
  for (let i = 0; i < opts.sockets; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, opts.sockets - i) }, () => {
        return new Promise<void>((resolve) => {
          const entry: { socket: Socket; openedAt: number; closedAt?: number } = {
            socket: netConnect(server.port, "127.0.0.1"),
            openedAt: 0,
          };
          entry.socket.on("connect", () => {
            entry.openedAt = Date.now();
            entry.socket.write(
              `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\n`,
            );
            slow.push(entry);
            resolve();
          });
          entry.socket.on("error", () => resolve());
          entry.socket.on("data", () => undefined); // a 408, if the server sends one
          entry.socket.on("close", () => {
            if (attacking && entry.closedAt === undefined) entry.closedAt = Date.now();
          });
        });
      }),
    );
  }
  const attackStarted = Date.now();
  let line = 0;
  const trickle = setInterval(() => {
    line++;
    for (const s of slow)
      if (s.closedAt === undefined && !s.socket.destroyed) s.socket.write(`X-Slow-${line}: ${"a".repeat(20)}\r\n`);
  }, 1000);

  const latencies: number[] = [];
  const errors: string[] = [];
  let newSessions = 0;
  const calls = (async () => {
    for (let i = 0; Date.now() - attackStarted < opts.attackMs; i++) {
      const t0 = performance.now();
      try {
        if (i % 3 === 0)
          await legit.callOk("create_deal", { name: `During attack ${i}`, account: "Acme", owner: "Dana Lee" });
        else if (i % 3 === 1) await legit.callOk("list_deals", { limit: 5 });
        else await legit.callOk("get_deal", { deal_id: "D-0001" });
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors.push((err as Error).message.slice(0, 200));
      }
      await sleep(20);
    }
  })();
  const sessions = (async () => {
    while (Date.now() - attackStarted < opts.attackMs - 2000) {
      await sleep(2000);
      const t0 = performance.now();
      let c: Connected | undefined;
      try {
        c = await connectHttp(server.url);
        await c.callOk("list_deals", { limit: 1 });
        latencies.push(performance.now() - t0);
        newSessions++;
      } catch (err) {
        errors.push(`new session: ${(err as Error).message.slice(0, 200)}`);
      } finally {
        await c?.close().catch(() => undefined);
      }
    }
  })();
  await Promise.all([calls, sessions]);
  await sleep(Math.max(0, opts.attackMs - (Date.now() - attackStarted)));
  attacking = false;
  clearInterval(trickle);
  for (const s of slow) s.socket.destroy();
  await legit.close();

  const closeTimes = slow.filter((s) => s.closedAt !== undefined).map((s) => s.closedAt! - s.openedAt);
  return {
    sockets: opts.sockets,
    opened: slow.length,
    closedByServer: closeTimes.length,
    slowestCloseMs: closeTimes.length ? Math.max(...closeTimes) : NaN,
    medianCloseMs: percentile(closeTimes, 50),
    legitCalls: latencies.length,
    legitNewSessions: newSessions,
    legitErrors: errors,
    legitP50Ms: +percentile(latencies, 50).toFixed(1),
    legitP99Ms: +percentile(latencies, 99).toFixed(1),
    legitMaxMs: +Math.max(...latencies).toFixed(1),
    latencies_ms: latencies,
  };
}

export interface ConcurrencyReport {
  clients: number;
  seconds: number;
  calls: number;
  callsPerSecond: number;
  errors: string[];
  /** Answers that carried another client's nonce (or a deal other than the one asked for). */
  mismatches: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  rssFirstThirdMb: number;
  rssLastThirdMb: number;
  /** Mean RSS of the last third over the first third, minus 1 (0.1 = 10% more). */
  rssChange: number;
  rssSamples: number;
}

/**
 * `clients` SDK clients, each in its own session: create_deal with a name holding the client's
 * nonce, then get_deal of the id it got back, checking both answers carry that nonce. After a
 * warm-up, calls are timed and the server's RSS is sampled for `durationMs`.
 */
export async function runConcurrentClients(
  server: HttpServer,
  opts: { clients: number; durationMs: number; warmupMs: number },
): Promise<ConcurrencyReport> {
  const pid = server.child.pid!;
  const clients = await Promise.all(Array.from({ length: opts.clients }, () => connectHttp(server.url)));
  const errors: string[] = [];
  const latencies: number[] = [];
  let mismatches = 0;
  let measuring = false;
  const warmupEnd = Date.now() + opts.warmupMs;
  const end = warmupEnd + opts.durationMs;
  const rss: number[] = [];
  const sampler = setInterval(() => {
    if (measuring) rss.push(rssBytes(pid));
  }, 100);
  const timed = async <T>(f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const v = await f();
    if (measuring) latencies.push(performance.now() - t0);
    return v;
  };
  const work = clients.map(async (c, k) => {
    const nonce = `client-${k}-${randomUUID()}`;
    for (let i = 0; Date.now() < end; i++) {
      if (!measuring && Date.now() >= warmupEnd) measuring = true;
      const name = `${nonce} deal ${i}`;
      try {
        const created = await timed(() =>
          c.callOk("create_deal", { name, account: `Account ${k}`, owner: "Dana Lee", amount: i }),
        );
        if (created.deal.name !== name) mismatches++;
        const back = await timed(() => c.callOk("get_deal", { deal_id: created.deal.id }));
        if (back.deal.name !== name || back.deal.id !== created.deal.id) mismatches++;
      } catch (err) {
        errors.push(`client ${k}: ${(err as Error).message.slice(0, 200)}`);
      }
    }
  });
  await Promise.all(work);
  clearInterval(sampler);
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  const third = Math.max(1, Math.floor(rss.length / 3));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean(rss.slice(0, third));
  const last = mean(rss.slice(-third));
  const MB = 1024 * 1024;
  return {
    clients: opts.clients,
    seconds: opts.durationMs / 1000,
    calls: latencies.length,
    callsPerSecond: Math.round(latencies.length / (opts.durationMs / 1000)),
    errors,
    mismatches,
    p50Ms: +percentile(latencies, 50).toFixed(1),
    p99Ms: +percentile(latencies, 99).toFixed(1),
    maxMs: +Math.max(...latencies).toFixed(1),
    rssFirstThirdMb: +(first / MB).toFixed(1),
    rssLastThirdMb: +(last / MB).toFixed(1),
    rssChange: +(last / first - 1).toFixed(3),
    rssSamples: rss.length,
  };
}
