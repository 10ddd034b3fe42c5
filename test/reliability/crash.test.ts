// K1, K2 and K1n: kill -9 under concurrent writes through the built bin (reliability findings
// §2.2; plan K1, K1n, K2). 20 rounds on one file, 4 writers, a SIGKILL at a random moment each
// round; then every unanswered request is replayed with its request_id. The negative control runs
// the same harness against a writer that answers before COMMIT: it must report loss.
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { crashFigures, realServer, runCrashRounds, type CrashReport } from "../helpers/crash.js";
import { recordFigures } from "../helpers/fuzz.js";
import { cleanupE2E, runToExit, tempDb } from "../helpers/spawn.js";

afterAll(cleanupE2E);

const BROKEN_WRITER = fileURLToPath(new URL("../fixtures/broken-writer.mjs", import.meta.url));
const seedFromEnv = () =>
  process.env.LEAN_SALES_CRASH_SEED ? Number(process.env.LEAN_SALES_CRASH_SEED) : Math.floor(Math.random() * 2 ** 31);

const summary = (r: CrashReport) => ({
  ...crashFigures(r),
  per_round_acked: r.rounds.map((x) => x.acked),
  per_round_lost: r.rounds.map((x) => x.lost),
  per_round_start_ms: r.rounds.map((x) => x.startMs),
  per_round_ms: r.rounds.map((x) => x.roundMs),
});

describe("K1 + K2: SIGKILL during concurrent writes, then replay", () => {
  it(
    "20 rounds x 4 writers on one file: >= 1,000 acknowledged, 0 lost, integrity and invariants hold every round, replays make 0 duplicates",
    { timeout: 180_000 },
    async () => {
      const { db } = tempDb();
      const seed = seedFromEnv();
      process.stderr.write(`K1 crash harness seed ${seed} (rerun with LEAN_SALES_CRASH_SEED=${seed})\n`);
      const r = await runCrashRounds({
        db,
        target: realServer(),
        rounds: 20,
        writers: 4,
        killAfter: { acks: [50, 80], jitterMs: 25, maxMs: 10_000 },
        seed,
        replay: true,
        tag: "k1",
      });
      recordFigures("K1", summary(r));
      for (const round of r.rounds) {
        expect(round.integrity, `round ${round.round}`).toBe("ok");
        expect(round.foreignKeyViolations, `round ${round.round}`).toBe(0);
        expect(round.invariantViolations, `round ${round.round}`).toEqual([]);
      }
      expect(r.acked).toBeGreaterThanOrEqual(1_000);
      expect(r.lost).toBe(0);
      expect(r.refused).toBe(0);
      // K2: every unanswered request was replayed with its request_id, and nothing was written twice.
      expect(r.replayed).toBeGreaterThan(0);
      expect(r.duplicates).toBe(0);
    },
  );
});

describe("K1n: the harness has teeth", () => {
  it(
    "against a writer that answers before COMMIT, the same harness reports lost writes",
    { timeout: 120_000 },
    async () => {
      const { db } = tempDb();
      // The file gets the real schema first; the broken writer writes the same tables.
      expect((await runToExit(["status", "--db", db])).code).toBe(0);
      const seed = seedFromEnv();
      const r = await runCrashRounds({
        db,
        target: { name: "broken-writer (ack before commit)", command: process.execPath, args: [BROKEN_WRITER] },
        rounds: 20,
        writers: 4,
        killAfter: { acks: [30, 300], jitterMs: 25, maxMs: 10_000 },
        seed,
        replay: false,
        tag: "k1n",
      });
      recordFigures("K1n", summary(r));
      expect(r.roundsWithLoss).toBeGreaterThanOrEqual(1);
      expect(r.lost).toBeGreaterThan(0);
      // What it did commit is still whole: the loss is the harness's finding, not a corrupt file.
      for (const round of r.rounds) expect(round.integrity).toBe("ok");
    },
  );
});
