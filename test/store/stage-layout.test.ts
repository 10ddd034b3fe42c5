// Moving a store onto a team's stages (app/stage-layout.ts over the SQLite store): the README's
// worked example merges Solution Presentation and Proposal & Negotiation into "proposal" and
// renames Onboarding & Success "success". A deal's stays in the merged stages become one stay;
// only the rows that name a moved stage (or whose position changes) are written; a second
// process finds the move done inside the write lock; a process still serving the old stages
// refuses to write.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { syncStageLayout } from "../../src/app/stage-layout.js";
import { loadMethodology } from "../../src/methodology/load.js";
import { dataDir } from "../../src/paths.js";
import { SqliteDealStore } from "../../src/store/sqlite/store.js";
import type { DealStore, NewDeal } from "../../src/store/types.js";
import { methodology, tempDir } from "../helpers/connect.js";

const shipped = methodology();
const team = loadMethodology(dataDir(), {
  team: join(import.meta.dirname, "..", "..", "examples", "five-stage-meddicc"),
});
const NOW = "2026-11-28T12:00:00.000Z";
const day = (d: string) => `2026-11-${d}T12:00:00.000Z`;
const at = (stage: string) => shipped.stages.findIndex((s) => s.id === stage);

function deal(store: DealStore, name: string, stage: string, created: string) {
  const d: NewDeal = {
    name,
    account: name,
    owner: "Dana Lee",
    amount: 10_000,
    currency: "USD",
    stage,
    stage_index: at(stage),
    created_at: created,
    stage_entered_at: created,
  };
  return store.createDeal(d, NOW);
}
const move = (store: DealStore, id: string, stage: string, on: string) =>
  store.moveStage(id, { stage, stage_index: at(stage), at: on, gate: "passed" }, NOW);

const tmp = tempDir("lsm-layout-");
afterAll(() => tmp.cleanup());
let n = 0;
/** A store written with the reference's six stages. */
function sixStageStore(): { path: string; store: SqliteDealStore } {
  const path = join(tmp.dir, `s${++n}.db`);
  const store = SqliteDealStore.open(path);
  expect(syncStageLayout(store, shipped, { now: NOW })).toBeUndefined();
  return { path, store };
}

describe("merged stages", () => {
  it("make one stay of a deal's stays in them, with its days summed and its stage entered when the stay began", () => {
    const { store } = sixStageStore();
    const open = deal(store, "Open in the merged stage", "solution_presentation", day("02"));
    store.logActivity(open.id, { type: "meeting", occurred_at: day("05"), summary: "Demo prep call" }, NOW);
    move(store, open.id, "proposal_negotiation", day("10"));
    store.logActivity(open.id, { type: "meeting", occurred_at: day("12"), summary: "Pricing call" }, NOW);
    const won = deal(store, "Through the merged stage", "discovery", day("01"));
    move(store, won.id, "solution_presentation", day("03"));
    move(store, won.id, "proposal_negotiation", day("07"));
    move(store, won.id, "closing", day("11"));
    const kept = deal(store, "Never in a moved stage", "discovery", day("04"));

    const change = syncStageLayout(store, team, { now: NOW })!;
    expect(change).toMatchObject({ deals: 2, folded: 2 });
    expect(change.moved).toEqual({
      solution_presentation: "proposal",
      proposal_negotiation: "proposal",
      onboarding_success: "success",
    });

    const o = store.requireDeal(open.id);
    expect(o).toMatchObject({ stage: "proposal", stage_index: 2, stage_entered_at: day("02") });
    expect(store.stageHistory(open.id)).toEqual([
      expect.objectContaining({
        stage: "proposal",
        entered_at: day("02"),
        exited_at: null,
        days: null,
        gate: "created",
      }),
    ]);
    // Both meetings were in the (merged) stage: the stage's meeting count starts from the stay's start.
    expect(
      store.db
        .prepare("SELECT stage_meetings FROM deals WHERE id = ?")
        .pluck()
        .get(Number(open.id.slice(2))),
    ).toBe(2);

    expect(store.stageHistory(won.id).map((h) => [h.stage, h.entered_at, h.exited_at, h.days])).toEqual([
      ["discovery", day("01"), day("03"), 2],
      ["proposal", day("03"), day("11"), 8],
      ["closing", day("11"), null, null],
    ]);
    expect(store.requireDeal(won.id)).toMatchObject({ stage: "closing", stage_index: 3 });
    expect(store.stageHistory(kept.id)).toHaveLength(1);
    expect(store.stageRemaps(kept.id)).toEqual([]);
    expect(store.stageLayout()).toEqual(team.stages.map((s) => s.id));
    store.close();
  });

  it("keep a deal closed and reopened in one stage as two stays: only the move's merges fold", () => {
    const { store } = sixStageStore();
    const d = deal(store, "Lost, then back", "solution_presentation", day("01"));
    move(store, d.id, "closing", day("03"));
    store.logActivity(d.id, { type: "meeting", occurred_at: day("04"), summary: "Pricing call" }, NOW);
    store.closeDeal(d.id, { status: "lost", reason: "budget cut", closed_at: day("06") }, NOW);
    const reopened = store.reopenDeal(d.id, day("20"));
    const before = store.stageHistory(d.id).filter((h) => h.stage === "closing");
    expect(before).toHaveLength(2);

    const change = syncStageLayout(store, team, { now: NOW })!;
    expect(change.folded).toBe(0);
    const after = store.stageHistory(d.id);
    expect(after.map((h) => [h.stage, h.entered_at, h.exited_at])).toEqual([
      ["proposal", day("01"), day("03")],
      ...before.map((h) => ["closing", h.entered_at, h.exited_at]),
    ]);
    expect(store.requireDeal(d.id).stage_entered_at).toBe(reopened.stage_entered_at);
    expect(
      store.db
        .prepare("SELECT stage_meetings FROM deals WHERE id = ?")
        .pluck()
        .get(Number(d.id.slice(2))),
    ).toBe(0);
    store.close();
  });

  it("rewrites only the rows that name a moved stage or whose position changed", () => {
    const { store } = sixStageStore();
    store.transaction(() => {
      for (let i = 0; i < 200; i++) deal(store, `Discovery ${i}`, i % 2 ? "discovery" : "prospecting", day("02"));
    });
    const one = deal(store, "The only moved deal", "proposal_negotiation", day("03"));
    const change = syncStageLayout(store, team, { now: NOW })!;
    expect(change.deals).toBe(1);
    // Its row (furthest position, stage, position) and its one history row (stage, position).
    expect(change.rows).toBe(5);
    expect(store.requireDeal(one.id)).toMatchObject({ stage: "proposal", stage_index: 2 });
    store.close();
  });
});

describe("two processes", () => {
  it("the second finds the move done inside the write lock and moves nothing again", () => {
    const { path, store: first } = sixStageStore();
    deal(first, "In a merged stage", "solution_presentation", day("02"));
    const second = SqliteDealStore.open(path);
    // The second process saw the old stages, then waited for the write lock while the first moved them.
    const racing: DealStore = Object.create(second, {
      transaction: {
        value: <T>(fn: () => T): T => {
          expect(syncStageLayout(first, team, { now: NOW })).toMatchObject({ deals: 1 });
          return second.transaction(fn);
        },
      },
    });
    expect(syncStageLayout(racing, team, { now: NOW })).toBeUndefined();
    expect(second.db.prepare("SELECT count(*) FROM stage_remaps").pluck().get()).toBe(1);
    first.close();
    second.close();
  });

  it("a move between a process's look at the stages and its following them is caught, not missed", () => {
    const { path, store: early } = sixStageStore();
    const later = SqliteDealStore.open(path);
    // The early process saw the six stages; before it follows them, the later one moves the store.
    const racing: DealStore = Object.create(early, {
      followStages: {
        value: (stages: readonly string[]) => {
          syncStageLayout(later, team, { now: NOW });
          return early.followStages(stages);
        },
      },
    });
    expect(() => syncStageLayout(racing, shipped, { now: NOW })).toThrow(
      /Another lean-sales-mcp process moved this store/,
    );
    early.close();
    later.close();
  });

  it("a process still serving the old stages refuses to write once another moved the store, and writes nothing", () => {
    const { path, store: early } = sixStageStore();
    const d = deal(early, "In discovery", "discovery", day("02"));
    const later = SqliteDealStore.open(path);
    syncStageLayout(later, team, { now: NOW });
    const refusal =
      /Another lean-sales-mcp process moved this store onto the stages prospecting, discovery, proposal, closing, success; this server was started with prospecting, discovery, solution_presentation/;
    expect(() => early.assertStages()).toThrow(refusal);
    expect(() => move(early, d.id, "solution_presentation", day("03"))).toThrow(refusal);
    expect(() => deal(early, "Late", "solution_presentation", day("03"))).toThrow(refusal);
    expect(later.requireDeal(d.id)).toMatchObject({ stage: "discovery" });
    expect(later.db.prepare("SELECT count(*) FROM deals").pluck().get()).toBe(1);
    // The later process, on the stages the store now has, writes as usual.
    expect(move(later, d.id, "proposal", day("03")).stage).toBe("proposal");
    early.close();
    later.close();
  });
});
