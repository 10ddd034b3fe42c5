import { defineConfig } from "vitest/config";

const full = process.env.LEAN_SALES_RELIABILITY === "full";
// Tests with a latency or duration bound (the reliability plan's p99 and backup-time limits) run
// after everything else, one file at a time, so the rest of the suite cannot load the machine
// under them.
const timed = [
  "test/reliability/http-load.test.ts",
  "test/reliability/multiprocess.test.ts",
  ...(full ? ["test/reliability/http-load.long.test.ts", "test/reliability/multiprocess.long.test.ts"] : []),
];
const long = full ? [] : ["test/reliability/**/*.long.test.ts"];

export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: "artifacts/vitest-report.json" },
    projects: [
      {
        extends: true as const,
        test: {
          name: "suite",
          include: ["test/**/*.test.ts"],
          exclude: [...timed, ...long],
          sequence: { groupOrder: 0 },
        },
      },
      ...timed.map((file, i) => ({
        extends: true as const,
        test: { name: `timed-${i + 1}`, include: [file], sequence: { groupOrder: i + 1 } },
      })),
    ],
  },
});
