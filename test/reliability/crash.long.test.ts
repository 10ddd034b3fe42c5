// K1 + K2, nightly: 200 rounds of kill -9 under 4 concurrent writers on one file, each round's
// unanswered requests replayed with their request_id. Runs only under `npm run test:reliability`.
import { afterAll, describe, expect, it } from "vitest";
import { crashFigures, realServer, runCrashRounds } from "../helpers/crash.js";
import { recordFigures } from "../helpers/fuzz.js";
import { cleanupE2E, tempDb } from "../helpers/spawn.js";

afterAll(cleanupE2E);

describe("K1 + K2 (long): 200 rounds", () => {
  it(
    "200 rounds x 4 writers: 0 acknowledged writes lost, integrity and invariants hold every round, replays make 0 duplicates",
    { timeout: 3_600_000 },
    async () => {
      const { db } = tempDb();
      const seed = process.env.LEAN_SALES_CRASH_SEED
        ? Number(process.env.LEAN_SALES_CRASH_SEED)
        : Math.floor(Math.random() * 2 ** 31);
      process.stderr.write(`K1 long: seed ${seed} (rerun with LEAN_SALES_CRASH_SEED=${seed})\n`);
      const r = await runCrashRounds({
        db,
        target: realServer(),
        rounds: 200,
        writers: 4,
        killAfter: { acks: [50, 150], jitterMs: 40, maxMs: 10_000 },
        seed,
        replay: true,
        tag: "k1long",
      });
      recordFigures("K1-long", crashFigures(r));
      expect(r.integrityFailures).toBe(0);
      expect(r.invariantViolations).toBe(0);
      expect(r.lost).toBe(0);
      expect(r.refused).toBe(0);
      expect(r.duplicates).toBe(0);
      expect(r.acked).toBeGreaterThanOrEqual(10_000);
    },
  );
});
