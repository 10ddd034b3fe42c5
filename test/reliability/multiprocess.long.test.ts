// K4, nightly: two server processes writing one file for 60 s. Runs only under
// `npm run test:reliability`.
import { afterAll, describe, expect, it } from "vitest";
import { concurrentFigures, runConcurrentProcesses } from "../helpers/crash.js";
import { recordFigures } from "../helpers/fuzz.js";
import { cleanupE2E, runToExit, tempDb } from "../helpers/spawn.js";

afterAll(cleanupE2E);

describe("K4 (long): two processes for 60 s", () => {
  it("0 busy errors, nothing lost, counts consistent", { timeout: 300_000 }, async () => {
    const { db } = tempDb();
    expect((await runToExit(["status", "--db", db])).code).toBe(0);
    const r = await runConcurrentProcesses({
      db,
      processes: 2,
      writersPerProcess: 3,
      durationMs: 60_000,
      tag: "k4long",
    });
    recordFigures("K4-long", concurrentFigures(r, 60));
    expect(r.busy).toBe(0);
    expect(r.otherErrors).toEqual([]);
    expect(r.lost).toBe(0);
    expect(r.integrity).toBe("ok");
    expect(r.foreignKeyViolations).toBe(0);
    expect(r.invariantViolations).toEqual([]);
    expect(r.duplicates).toBe(0);
  });
});
