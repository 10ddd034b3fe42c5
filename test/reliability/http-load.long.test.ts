// H5, nightly: 50 SDK clients for 60 s over HTTP. Runs only under `npm run test:reliability`.
import { afterAll, describe, expect, it } from "vitest";
import { recordFigures } from "../helpers/fuzz.js";
import { runConcurrentClients } from "../helpers/load.js";
import { cleanupE2E, startHttp, tempDb } from "../helpers/spawn.js";

afterAll(cleanupE2E);

describe("H5 (long): 50 clients x 60 s", () => {
  // The CI bound is p99 < 250 ms with 20 clients. With 50 clients the server and the clients
  // saturate both cores, and latency is queueing: 50 requests in flight at ~600 calls/s is ~85 ms
  // on average by Little's law, before any tail. So the bound scales with the clients in flight:
  // 250 ms x 50/20 = 625 ms. (Measured on 2 cores: p99 297 ms when quiet, up to 954 ms when busy.)
  const P99_BOUND_MS = 250 * (50 / 20);
  it(
    `0 errors, 0 answers to the wrong client, p99 < ${P99_BOUND_MS} ms (the 20-client bound scaled to 50 in flight), RSS within ±20%`,
    { timeout: 300_000 },
    async () => {
      // Bounded old space, as in the CI variant (see http-load.test.ts for why), with room for the
      // state of 50 sessions (about 1 MB each, measured).
      const server = await startHttp(tempDb().db, [], { NODE_OPTIONS: "--max-old-space-size=192" });
      try {
        const r = await runConcurrentClients(server, { clients: 50, durationMs: 60_000, warmupMs: 3_000 });
        recordFigures("H5-long", r);
        expect(r.errors).toEqual([]);
        expect(r.mismatches).toBe(0);
        expect(r.p99Ms).toBeLessThan(P99_BOUND_MS);
        expect(Math.abs(r.rssChange)).toBeLessThanOrEqual(0.2);
      } finally {
        server.kill();
      }
    },
  );
});
