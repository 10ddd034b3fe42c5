// H3 extras (reliability findings §1.2 GHSA-46jr / CVE-2026-0621, §3.3; plan H3): a tools/call
// whose arguments hold a million array elements is refused by the element cap
// (maxToolInputElements) without the heap blowing up, and resources/read with a 10 KB hostile
// URI answers fast (no ReDoS in URI template matching). Body size, bad JSON and batch limits are
// in test/e2e/http.test.ts.
import { writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { connectRecording, rawExchange, recordFigures, rssBytes } from "../helpers/fuzz.js";
import { cleanupE2E, connectHttp, startHttp, tempDb } from "../helpers/spawn.js";

afterAll(cleanupE2E);

const MB = 1024 * 1024;

/** Resets a process's peak RSS (VmHWM) to its current RSS (Linux: `echo 5 > /proc/PID/clear_refs`). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

describe("H3: element cap and hostile resource URIs", () => {
  it(
    "a tools/call with 1e6 array elements (2 MB over stdio) is refused by the element cap; RSS grows < 200 MB; the server keeps serving",
    { timeout: 60_000 },
    async () => {
      const { db } = tempDb();
      const c = await connectRecording(db);
      try {
        await c.client.callTool({ name: "list_deals", arguments: {} }); // the store is open, the heap warm
        const pid = c.transport.pid!;
        const cases: Array<{ label: string; id: number; args: string }> = [
          { label: "1e6 numbers", id: 9001, args: `{"activities":[${"0,".repeat(999_999)}0]}` },
          { label: "1e6 empty objects", id: 9002, args: `{"activities":[${"{},".repeat(999_999)}{}]}` },
          { label: "200k-deep nesting", id: 9003, args: `{"activities":${"[".repeat(200_000)}${"]".repeat(200_000)}}` },
          {
            label: "300k object keys",
            id: 9004,
            args: `{"filters":{${Array.from({ length: 300_000 }, (_, i) => `"k${i}":0`).join(",")}}}`,
          },
        ];
        const results: Array<{ label: string; bytes: number; ms: number; growth_mb: number; message: string }> = [];
        for (const k of cases) {
          const line = `{"jsonrpc":"2.0","id":${k.id},"method":"tools/call","params":{"name":"find_waste","arguments":${k.args}}}\n`;
          expect(line.length).toBeLessThan(4 * MB); // inside 4 MiB (and under the 8 MiB stdio line limit, so the SDK really parses it)
          // Growth is measured per request: the peak (VmHWM, reset through clear_refs) minus the RSS before.
          resetPeak(pid);
          const rssBefore = rssBytes(pid);
          const t0 = Date.now();
          const a = await rawExchange(c, line, k.id);
          const message =
            a.error?.message ?? (a.result?.content ?? []).map((x: { text?: string }) => x.text ?? "").join(" ");
          const growth = rssBytes(pid, "VmHWM") - rssBefore;
          results.push({
            label: k.label,
            bytes: line.length,
            ms: Date.now() - t0,
            growth_mb: +(growth / MB).toFixed(1),
            message: message.slice(0, 160),
          });
          expect(growth, k.label).toBeLessThan(200 * MB);
          // Refused, either by the element cap or by validation, and never run.
          expect(a.result?.isError ?? a.error !== undefined, k.label).toBe(true);
          if (k.label !== "200k-deep nesting")
            expect(message, k.label).toMatch(/more than the maximum of \d+ elements/);
          await expect(c.client.ping()).resolves.toBeDefined();
        }
        recordFigures("H3-elements", { max_growth_mb: Math.max(...results.map((r) => r.growth_mb)), cases: results });
        expect(c.transport.report.bad).toEqual([]);
      } finally {
        await c.close();
      }
    },
  );

  it(
    "the same over HTTP: 500k elements inside the 1 MB body limit are refused; the server keeps serving",
    { timeout: 60_000 },
    async () => {
      const server = await startHttp(tempDb().db);
      try {
        const c = await connectHttp(server.url);
        try {
          const r = await c.client.callTool({
            name: "find_waste",
            arguments: { activities: new Array(500_000).fill(0) },
          });
          expect(r.isError).toBe(true);
          expect(JSON.stringify(r.content)).toMatch(/more than the maximum of \d+ elements/);
          await expect(c.client.ping()).resolves.toBeDefined();
        } finally {
          await c.close();
        }
      } finally {
        server.kill();
      }
    },
  );

  it(
    "resources/read with 10 KB hostile URIs: each refused (or answered) in < 100 ms, and the server keeps serving",
    { timeout: 60_000 },
    async () => {
      const { db } = tempDb();
      const c = await connectRecording(db);
      try {
        await c.client.callTool({
          name: "create_deal",
          arguments: { name: "Acme", account: "Acme", owner: "Dana Lee" },
        });
        const K = 10 * 1024;
        const uris = [
          `lean-sales://deals/D-${"9".repeat(K)}`,
          `lean-sales://deals/${"a/".repeat(K / 2)}`,
          `lean-sales://deals/${"%2F".repeat(K / 3)}`,
          `lean-sales://deals/D-0001${"?x=1&".repeat(K / 5)}`,
          `lean-sales://deals/${"{deal_id}".repeat(K / 9)}`,
          `lean-sales://methodology/${"a".repeat(K)}`,
          `lean-sales://methodology/${"/".repeat(K)}`,
          `lean-sales://methodology/${",".repeat(K)}x`,
          `lean-sales://${"{".repeat(K)}`,
          `lean-sales://${"a".repeat(K)}/${"b".repeat(K)}`,
          `${"lean-sales://".repeat(K / 13)}`,
          `ui://${"a".repeat(K)}`,
        ];
        const timings: Array<{ uri: string; ms: number; outcome: string }> = [];
        for (const uri of uris) {
          // The best of 3: a scheduling hiccup on a busy machine is not ReDoS, which is slow every time.
          let best = Infinity;
          let outcome = "";
          for (let i = 0; i < 3; i++) {
            const t0 = performance.now();
            try {
              const r = await c.client.readResource({ uri }, { timeout: 10_000 });
              outcome = `answered (${r.contents.length} contents)`;
            } catch (err) {
              outcome = `refused: ${(err as Error).message.slice(0, 80)}`;
            }
            best = Math.min(best, performance.now() - t0);
          }
          timings.push({ uri: `${uri.slice(0, 40)}… (${uri.length} chars)`, ms: +best.toFixed(1), outcome });
        }
        recordFigures("H3-uris", { uris: timings.length, max_ms: Math.max(...timings.map((t) => t.ms)), timings });
        for (const t of timings) expect(t.ms, t.uri).toBeLessThan(100);
        await expect(c.client.ping()).resolves.toBeDefined();
        expect(c.transport.report.bad).toEqual([]);
      } finally {
        await c.close();
      }
    },
  );
});
