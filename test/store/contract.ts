// The deal store's contract: what every driver of DealStore (src/store/types.ts) must do, written
// against the interface only, so that a second driver (PostgreSQL, node:sqlite...) runs it
// unchanged. A driver's test file calls describeStoreContract with a factory that opens a fresh,
// empty store per test (see sqlite.contract.test.ts). Nothing here knows how a driver stores
// rows: no SQL, no file layout, no driver class.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  parseDealId,
  StoreError,
  type BulkDeal,
  type ClosedStatus,
  type Deal,
  type DealStore,
  type ImportDealRow,
  type NewDeal,
  type Period,
} from "../../src/store/types.js";

/** One store under test. */
export interface StoreFixture {
  /** A fresh, empty store. */
  store: DealStore;
  /** The same store opened again (restoreFrom closes the store it restores into). */
  reopen(): DealStore;
  /** Closes every store this fixture opened and removes what it created. */
  cleanup(): void;
}

// ---------------------------------------------------------------- data

/** The stages of data/stages.json, in order: a stage's index is its position here. */
const STAGES = [
  "prospecting",
  "discovery",
  "solution_presentation",
  "proposal_negotiation",
  "closing",
  "onboarding_success",
] as const;
type Stage = (typeof STAGES)[number];
const idx = (s: Stage) => STAGES.indexOf(s);

/** The clock of every write ("now"), unless a test says otherwise. */
const NOW = "2026-11-28T12:00:00.000Z";
/** Noon UTC of a day: whole days between two of them. */
const t = (day: string) => `${day}T12:00:00.000Z`;

/** A fully qualified deal's BANT snapshot, with the detail recordQualification also keeps. */
const QUALIFIED = {
  budget: "approved",
  authority: "decision_maker",
  need: "critical",
  timeline: "defined",
  score: 100,
  verdict: "qualified",
  detail: {},
};

/** Activity types split as the pipeline rules split them (data/wastes.json). */
const SUMS = {
  internal: ["internal", "approval"],
  customer: ["email", "call", "meeting", "demo", "proposal"],
} as const;

/** A realistic open deal; stage_index and stage_entered_at follow stage and created_at unless given. */
function newDeal(o: Partial<NewDeal> = {}): NewDeal {
  const stage = (o.stage ?? "prospecting") as Stage;
  const created = o.created_at ?? "2026-11-02T09:00:00.000Z";
  return {
    name: "Acme Logistics - fleet rollout",
    account: "Acme Logistics",
    owner: "Dana Lee",
    amount: 48_000,
    currency: "USD",
    tier: "mid_market",
    readiness: "exploring",
    segment: "mid_market_exploring",
    source: "referral",
    ...o,
    stage,
    stage_index: o.stage_index ?? idx(stage),
    created_at: created,
    stage_entered_at: o.stage_entered_at ?? created,
  };
}

/** Creates a deal and walks it through stage moves (and a close) as the tools do. */
function walk(
  store: DealStore,
  d: Partial<NewDeal>,
  moves: Array<[Stage, string]> = [],
  close?: { status: ClosedStatus; reason: string | null; on: string; reached?: Stage },
): Deal {
  let deal = store.createDeal(newDeal(d), NOW);
  for (const [stage, on] of moves)
    deal = store.moveStage(deal.id, { stage, stage_index: idx(stage), at: t(on), gate: "passed" }, NOW);
  if (close)
    deal = store.closeDeal(
      deal.id,
      {
        status: close.status,
        reason: close.reason,
        closed_at: t(close.on),
        ...(close.reached ? { reached_stage_index: idx(close.reached) } : {}),
      },
      NOW,
    );
  return deal;
}

const ids = (deals: Array<{ id: string }>) => deals.map((d) => d.id);
const byJson = <T>(rows: T[]) => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

function expectStoreError(fn: () => unknown, field: string, mention?: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, "expected a StoreError").toBeInstanceOf(StoreError);
  expect((err as StoreError).field).toBe(field);
  if (mention) expect((err as Error).message).toContain(mention);
}

/**
 * A small known pipeline (all times at noon UTC, so cycle days are whole):
 *   D-0001 Acme      Dana  48,000 USD  mid_market_exploring referral  09-01 -> won 10-01 (30 d) from closing, reached onboarding
 *   D-0002 Borealis  Sam  120,000 USD  enterprise_ready     outbound  08-01 -> won 10-31 (91 d) from closing
 *   D-0003 Cedar     Dana   6,500 USD  smb_ready            inbound   09-15 -> lost 10-05 (20 d) at discovery, "  Budget cut "
 *   D-0004 Delta     Priya 30,000 USD  mid_market_exploring referral  09-10 -> lost 11-09 (60 d) at proposal, "budget cut"
 *   D-0005 Evergreen Sam   15,000 EUR  smb_ready            inbound   10-01 -> disqualified 10-11 at prospecting, no reason
 *   D-0006 Fjord     Dana  22,000 USD  mid_market_ready     outbound  10-20, open in solution_presentation
 *   D-0007 Granite   Priya no amount   smb_exploring        inbound   11-01, open in prospecting
 */
function seedPipeline(store: DealStore): void {
  walk(
    store,
    { name: "Acme Logistics - fleet rollout", account: "Acme Logistics", created_at: t("2026-09-01") },
    [
      ["discovery", "2026-09-05"],
      ["solution_presentation", "2026-09-12"],
      ["proposal_negotiation", "2026-09-20"],
      ["closing", "2026-09-25"],
    ],
    { status: "won", reason: "Strong ROI case", on: "2026-10-01", reached: "onboarding_success" },
  );
  walk(
    store,
    {
      name: "Borealis Health - patient portal",
      account: "Borealis Health",
      owner: "Sam Ortiz",
      amount: 120_000,
      tier: "enterprise",
      readiness: "ready",
      segment: "enterprise_ready",
      source: "outbound",
      created_at: t("2026-08-01"),
    },
    [
      ["discovery", "2026-08-15"],
      ["solution_presentation", "2026-09-01"],
      ["proposal_negotiation", "2026-09-20"],
      ["closing", "2026-10-10"],
    ],
    { status: "won", reason: "Executive sponsor", on: "2026-10-31" },
  );
  walk(
    store,
    {
      name: "Cedar Bakery - POS upgrade",
      account: "Cedar Bakery",
      amount: 6_500,
      tier: "smb",
      readiness: "ready",
      segment: "smb_ready",
      source: "inbound",
      created_at: t("2026-09-15"),
    },
    [["discovery", "2026-09-20"]],
    { status: "lost", reason: "  Budget cut ", on: "2026-10-05" },
  );
  walk(
    store,
    {
      name: "Delta Freight - route optimisation",
      account: "Delta Freight",
      owner: "Priya Nair",
      amount: 30_000,
      created_at: t("2026-09-10"),
    },
    [
      ["discovery", "2026-09-17"],
      ["solution_presentation", "2026-10-01"],
      ["proposal_negotiation", "2026-10-15"],
    ],
    { status: "lost", reason: "budget cut", on: "2026-11-09" },
  );
  walk(
    store,
    {
      name: "Evergreen Clinics - scheduling",
      account: "Evergreen Clinics",
      owner: "Sam Ortiz",
      amount: 15_000,
      currency: "EUR",
      tier: "smb",
      readiness: "ready",
      segment: "smb_ready",
      source: "inbound",
      created_at: t("2026-10-01"),
    },
    [],
    { status: "disqualified", reason: null, on: "2026-10-11" },
  );
  const fjord = walk(
    store,
    {
      name: "Fjord Shipping - customs module",
      account: "Fjord Shipping",
      amount: 22_000,
      readiness: "ready",
      segment: "mid_market_ready",
      source: "outbound",
      created_at: t("2026-10-20"),
    },
    [
      ["discovery", "2026-10-27"],
      ["solution_presentation", "2026-11-10"],
    ],
  );
  const granite = walk(store, {
    name: "Granite Labs - LIMS pilot",
    account: "Granite Labs",
    owner: "Priya Nair",
    amount: null,
    tier: "smb",
    segment: "smb_exploring",
    source: "inbound",
    created_at: t("2026-11-01"),
  });
  const log = (id: string, type: string, day: string, summary: string) =>
    store.logActivity(id, { type, occurred_at: t(day), summary }, NOW);
  log("D-0001", "call", "2026-09-03", "Discovery call with the fleet manager");
  log(fjord.id, "meeting", "2026-10-22", "Kick-off with the customs team");
  log(fjord.id, "email", "2026-10-23", "Sent the security questionnaire");
  log(fjord.id, "proposal", "2026-11-12", "Proposal v1: 22k, 12 months");
  log(fjord.id, "internal", "2026-11-13", "Deal desk review");
  log(granite.id, "email", "2026-11-02", "Intro email to the lab director");
  store.recordQualification("D-0001", QUALIFIED, t("2026-09-04"));
}

/** October and November 2026, and everything up to the end of November. */
const Q4: Period = { from: "2026-10-01T00:00:00.000Z", to: "2026-11-30T23:59:59.999Z" };
const ALL_TIME: Period = { from: null, to: "2026-11-30T23:59:59.999Z" };

/** A deal with its whole past, as a bulk load (demo data) gives it. */
function bulkDeal(name: string, o: Partial<BulkDeal["deal"]> = {}): BulkDeal {
  const created = t("2026-06-01");
  return {
    deal: {
      ...newDeal({ name, account: name.split(" - ")[0]!, created_at: created }),
      stage: "discovery",
      stage_index: idx("discovery"),
      stage_entered_at: t("2026-06-11"),
      status: "lost",
      closed_at: t("2026-07-01"),
      close_reason: "No decision",
      bant: {
        budget: "identified",
        authority: "influencer_only",
        need: "latent",
        timeline: "unknown",
        score: 40,
        verdict: "needs_discovery",
      },
      ...o,
    },
    history: [
      {
        stage: "prospecting",
        stage_index: 0,
        from_stage: null,
        entered_at: created,
        exited_at: t("2026-06-11"),
        exit: "advanced",
        gate: "created",
      },
      {
        stage: "discovery",
        stage_index: 1,
        from_stage: "prospecting",
        entered_at: t("2026-06-11"),
        exited_at: t("2026-07-01"),
        exit: "closed",
        gate: "passed",
      },
    ],
    activities: [
      { type: "call", occurred_at: t("2026-06-05"), summary: "First call", duration_minutes: 30, stage: "prospecting" },
      {
        type: "meeting",
        occurred_at: t("2026-06-20"),
        summary: "Discovery workshop",
        duration_minutes: 90,
        stage: "discovery",
      },
    ],
    stakeholders: [{ name: "Mara Quist", role: "Head of Operations", decision_maker: false }],
    qualifications: [
      {
        budget: "identified",
        authority: "influencer_only",
        need: "latent",
        timeline: "unknown",
        score: 40,
        verdict: "needs_discovery",
        recorded_at: t("2026-06-12"),
        detail: { note: "budget holder not met yet" },
      },
    ],
  };
}

/**
 * An import row as the CSV import builds it (a HubSpot export, say): the whole deal as it should be
 * afterwards, status included (an omitted field is compared, and written, as null).
 */
function importTarget(externalId: string, o: Partial<NewDeal> = {}): ImportDealRow["target"] {
  return {
    ...newDeal({ status: "open", created_at: t("2026-10-05"), ...o }),
    external_source: "hubspot",
    external_id: externalId,
  };
}

// ---------------------------------------------------------------- the contract

export function describeStoreContract(driverName: string, open: () => StoreFixture): void {
  describe(`DealStore contract: ${driverName}`, () => {
    let fx: StoreFixture;
    let store: DealStore;
    beforeEach(() => {
      fx = open();
      store = fx.store;
    });
    afterEach(() => fx.cleanup());

    describe("deals: create, read, update", () => {
      it("gives consecutive ids from D-0001 and round-trips every field", () => {
        const input = newDeal({
          industry: "Logistics",
          employees: 420,
          annual_revenue: 65_000_000,
          need_awareness: "high",
          actively_evaluating: true,
          timeline_months: 2.5,
          external_source: "hubspot",
          external_id: "hs-1001",
          expected_close_date: "2026-12-18",
          last_activity_at: "2026-11-01T15:30:00.000Z",
        });
        const d = store.createDeal(input, NOW);
        const expected: Deal = {
          id: "D-0001",
          name: "Acme Logistics - fleet rollout",
          account: "Acme Logistics",
          owner: "Dana Lee",
          amount: 48_000,
          currency: "USD",
          stage: "prospecting",
          stage_index: 0,
          status: "open",
          tier: "mid_market",
          readiness: "exploring",
          segment: "mid_market_exploring",
          source: "referral",
          industry: "Logistics",
          employees: 420,
          annual_revenue: 65_000_000,
          need_awareness: "high",
          actively_evaluating: true,
          timeline_months: 2.5,
          external_source: "hubspot",
          external_id: "hs-1001",
          created_at: "2026-11-02T09:00:00.000Z",
          stage_entered_at: "2026-11-02T09:00:00.000Z",
          expected_close_date: "2026-12-18",
          closed_at: null,
          close_reason: null,
          last_activity_at: "2026-11-01T15:30:00.000Z",
          revisit_on: null,
          updated_at: NOW,
          owner_changes: 0,
          bant: null,
        };
        expect(d).toEqual(expected);
        expect(store.getDeal("D-0001")).toEqual(expected);
        expect(store.requireDeal("D-0001")).toEqual(expected);
        const second = store.createDeal(
          newDeal({ name: "Borealis Health - patient portal", account: "Borealis" }),
          NOW,
        );
        const third = store.createDeal(newDeal({ name: "Cedar Bakery - POS upgrade", account: "Cedar Bakery" }), NOW);
        expect([second.id, third.id]).toEqual(["D-0002", "D-0003"]);
      });

      it("stores omitted optional fields as null, keeps false apart from null, and opens the deal", () => {
        const d = store.createDeal(
          {
            name: "Granite Labs - LIMS pilot",
            account: "Granite Labs",
            owner: "Priya Nair",
            currency: "EUR",
            stage: "discovery",
            stage_index: 1,
            actively_evaluating: false,
            created_at: "2026-11-03T10:00:00.000Z",
            stage_entered_at: "2026-11-04T10:00:00.000Z",
          },
          NOW,
        );
        expect(d).toMatchObject({
          status: "open",
          amount: null,
          currency: "EUR",
          stage: "discovery",
          stage_index: 1,
          tier: null,
          segment: null,
          employees: null,
          actively_evaluating: false,
          timeline_months: null,
          external_id: null,
          expected_close_date: null,
          last_activity_at: null,
          stage_entered_at: "2026-11-04T10:00:00.000Z",
        });
      });

      it("records the first stage row, the stakeholders given and a 'created' event", () => {
        const d = store.createDeal(
          newDeal({
            stakeholders: [
              { name: "Mara Quist", role: "COO", decision_maker: true },
              { name: "Ivo Brandt", role: "Fleet manager", decision_maker: false },
            ],
          }),
          NOW,
        );
        expect(store.stageHistory(d.id)).toEqual([
          {
            stage: "prospecting",
            from_stage: null,
            entered_at: "2026-11-02T09:00:00.000Z",
            exited_at: null,
            days: null,
            gate: "created",
            override_reason: null,
          },
        ]);
        expect(store.stakeholders(d.id)).toEqual([
          { name: "Mara Quist", role: "COO", decision_maker: true },
          { name: "Ivo Brandt", role: "Fleet manager", decision_maker: false },
        ]);
        expect(store.events(d.id, 10).map((e) => [e.kind, e.at])).toEqual([["created", NOW]]);
      });

      it("answers an unknown or malformed id with undefined, and requireDeal with a StoreError naming deal_id", () => {
        store.createDeal(newDeal(), NOW);
        expect(store.getDeal("D-0002")).toBeUndefined();
        expect(store.getDeal("Acme")).toBeUndefined();
        expect(store.getDeal("")).toBeUndefined();
        expectStoreError(() => store.requireDeal("D-0042"), "deal_id", "D-0042");
        expectStoreError(() => store.requireDeal("not-an-id"), "deal_id");
      });

      it("refuses every write on an unknown deal with a StoreError naming deal_id, and writes nothing", () => {
        store.createDeal(newDeal(), NOW);
        const before = store.counts();
        const missing = "D-0099";
        const writes: Array<[string, () => unknown]> = [
          ["updateDeal", () => store.updateDeal(missing, { amount: 1 }, NOW)],
          [
            "moveStage",
            () => store.moveStage(missing, { stage: "discovery", stage_index: 1, at: NOW, gate: "passed" }, NOW),
          ],
          ["closeDeal", () => store.closeDeal(missing, { status: "lost", reason: "x", closed_at: NOW }, NOW)],
          ["logActivity", () => store.logActivity(missing, { type: "call", occurred_at: NOW, summary: "x" }, NOW)],
          ["parkDeal", () => store.parkDeal(missing, "2027-01-15", NOW)],
          ["reopenDeal", () => store.reopenDeal(missing, NOW)],
          ["recordQualification", () => store.recordQualification(missing, QUALIFIED, NOW)],
          [
            "recordStageCheck",
            () =>
              store.recordStageCheck(
                missing,
                { stage: "prospecting", criteria: {}, evidence: {}, can_advance: false },
                NOW,
              ),
          ],
          ["deleteDeal", () => store.deleteDeal(missing)],
          ["dealFacts", () => store.dealFacts(missing, SUMS)],
        ];
        for (const [name, write] of writes) {
          let err: unknown;
          try {
            write();
          } catch (e) {
            err = e;
          }
          expect(err, name).toBeInstanceOf(StoreError);
          expect((err as StoreError).field, name).toBe("deal_id");
        }
        expect(store.counts()).toEqual(before);
      });

      it("updateDeal changes only the fields the patch sets (null clears) and records what changed", () => {
        const d = store.createDeal(newDeal({ industry: "Logistics", expected_close_date: "2026-12-18" }), NOW);
        const later = "2026-11-29T08:00:00.000Z";
        const u = store.updateDeal(d.id, { amount: 52_500, expected_close_date: null, industry: undefined }, later);
        expect(u).toEqual({ ...d, amount: 52_500, expected_close_date: null, updated_at: later });
        expect(store.getDeal(d.id)).toEqual(u);
        const [event] = store.events(d.id, 1);
        expect(event).toEqual({
          at: later,
          kind: "updated",
          detail: { amount: { from: 48_000, to: 52_500 }, expected_close_date: { from: "2026-12-18", to: null } },
        });
      });

      it("updateDeal with nothing new returns the deal as it was and records nothing", () => {
        const d = store.createDeal(newDeal(), NOW);
        const events = store.events(d.id, 10).length;
        const u = store.updateDeal(d.id, { amount: 48_000, owner: "Dana Lee" }, "2026-12-01T00:00:00.000Z");
        expect(u).toEqual(d);
        expect(store.events(d.id, 10)).toHaveLength(events);
      });

      it("updateDeal counts owner changes and logs them as 'owner_changed'", () => {
        const d = store.createDeal(newDeal(), NOW);
        store.updateDeal(d.id, { owner: "Sam Ortiz" }, NOW);
        const u = store.updateDeal(d.id, { owner: "Priya Nair", tier: "enterprise" }, NOW);
        expect(u).toMatchObject({ owner: "Priya Nair", tier: "enterprise", owner_changes: 2 });
        expect(store.events(d.id, 2).map((e) => e.kind)).toEqual(["owner_changed", "owner_changed"]);
        expect(store.events(d.id, 1)[0]!.detail).toEqual({
          owner: { from: "Sam Ortiz", to: "Priya Nair" },
          tier: { from: "mid_market", to: "enterprise" },
        });
      });
    });

    describe("listing and completion", () => {
      beforeEach(() => seedPipeline(store));

      it("filters by owner, stage, status and segment, with the total of matches", () => {
        const list = (f: Parameters<DealStore["listDeals"]>[0]) => {
          const r = store.listDeals(f, 50);
          return { ids: ids(r.deals), total: r.total };
        };
        expect(list({})).toEqual({
          ids: ["D-0001", "D-0002", "D-0003", "D-0004", "D-0005", "D-0006", "D-0007"],
          total: 7,
        });
        expect(list({ owner: "Dana Lee" })).toEqual({ ids: ["D-0001", "D-0003", "D-0006"], total: 3 });
        expect(list({ stage: "closing" })).toEqual({ ids: ["D-0001", "D-0002"], total: 2 });
        expect(list({ status: "lost" })).toEqual({ ids: ["D-0003", "D-0004"], total: 2 });
        expect(list({ status: "open" })).toEqual({ ids: ["D-0006", "D-0007"], total: 2 });
        expect(list({ segment: "smb_ready" })).toEqual({ ids: ["D-0003", "D-0005"], total: 2 });
        expect(list({ owner: "Dana Lee", status: "won" })).toEqual({ ids: ["D-0001"], total: 1 });
        expect(list({ owner: "Nobody" })).toEqual({ ids: [], total: 0 });
      });

      it("q finds words of the name or the account, in any case, and takes % and _ literally", () => {
        const q = (text: string) => ids(store.listDeals({ q: text }, 50).deals);
        expect(q("fleet")).toEqual(["D-0001"]);
        expect(q("BOREALIS")).toEqual(["D-0002"]);
        expect(q("shipping")).toEqual(["D-0006"]);
        expect(q("s - ")).toEqual(["D-0001", "D-0005", "D-0007"]);
        expect(q("%")).toEqual([]);
        expect(q("_")).toEqual([]);
        store.createDeal(newDeal({ name: "Hollis 100% uptime_plan", account: "Hollis" }), NOW);
        expect(q("100%")).toEqual(["D-0008"]);
        expect(q("uptime_plan")).toEqual(["D-0008"]);
      });

      it("from/to bound created_at (default) or closed_at inclusively; a date-only 'to' covers its whole day", () => {
        const list = (f: Parameters<DealStore["listDeals"]>[0]) => ids(store.listDeals(f, 50).deals);
        expect(list({ from: "2026-10-01", to: "2026-10-20" })).toEqual(["D-0005", "D-0006"]);
        expect(list({ from: "2026-09-15T12:00:00.000Z", to: "2026-10-01T12:00:00.000Z" })).toEqual([
          "D-0003",
          "D-0005",
        ]);
        expect(list({ to: "2026-08-31" })).toEqual(["D-0002"]);
        expect(list({ date_field: "closed_at", from: "2026-10-01", to: "2026-10-31" })).toEqual([
          "D-0001",
          "D-0002",
          "D-0003",
          "D-0005",
        ]);
        expect(list({ date_field: "closed_at", from: "2026-11-01" })).toEqual(["D-0004"]);
      });

      it("date_field 'activity' finds deals worked in the bounds: an activity logged or a stage entered", () => {
        const list = (f: Parameters<DealStore["listDeals"]>[0]) => ids(store.listDeals(f, 50).deals);
        // 2026-11-02: Granite's email. 2026-11-10: Fjord entered solution_presentation.
        expect(list({ date_field: "activity", from: "2026-11-02", to: "2026-11-11" })).toEqual(["D-0006", "D-0007"]);
        // 2026-09-01: Acme created (its first stage entered), 09-03 its call; Borealis entered solution_presentation.
        expect(list({ date_field: "activity", from: "2026-09-01", to: "2026-09-03" })).toEqual(["D-0001", "D-0002"]);
        expect(list({ date_field: "activity", from: "2026-12-01" })).toEqual([]);
      });

      it("pages by afterId and limit in id order, with the same total on every page", () => {
        const pages: string[][] = [];
        let after = 0;
        for (;;) {
          const r = store.listDeals({ status: undefined }, 3, after);
          expect(r.total).toBe(7);
          if (r.deals.length === 0) break;
          pages.push(ids(r.deals));
          after = parseDealId(r.deals.at(-1)!.id)!;
        }
        expect(pages).toEqual([["D-0001", "D-0002", "D-0003"], ["D-0004", "D-0005", "D-0006"], ["D-0007"]]);
        const page = store.listDeals({ owner: "Dana Lee" }, 1, 1);
        expect({ ids: ids(page.deals), total: page.total }).toEqual({ ids: ["D-0003"], total: 3 });
      });

      it("the total follows writes between two pages", () => {
        expect(store.listDeals({ owner: "Dana Lee" }, 2).total).toBe(3);
        store.createDeal(newDeal({ name: "Harbor Foods - cold chain" }), NOW);
        expect(store.listDeals({ owner: "Dana Lee" }, 2).total).toBe(4);
        store.updateDeal("D-0001", { owner: "Sam Ortiz" }, NOW);
        expect(store.listDeals({ owner: "Dana Lee" }, 2).total).toBe(3);
      });

      it("dealsLike completes ids by prefix and names or accounts in any case, newest first", () => {
        const like = (text: string, limit = 10) => ids(store.dealsLike(text, limit));
        expect(store.dealsLike("D-0002", 10)).toEqual([
          { id: "D-0002", name: "Borealis Health - patient portal", account: "Borealis Health" },
        ]);
        expect(like("d-3")).toEqual(["D-0003"]);
        expect(like("acme")).toEqual(["D-0001"]);
        expect(like("LABS")).toEqual(["D-0007"]);
        expect(like("s - ")).toEqual(["D-0007", "D-0005", "D-0001"]);
        expect(like("s - ", 2)).toEqual(["D-0007", "D-0005"]);
        expect(like("")).toEqual(["D-0007", "D-0006", "D-0005", "D-0004", "D-0003", "D-0002", "D-0001"]);
        expect(like("zeppelin")).toEqual([]);
      });

      it("dealsLike folds case beyond ASCII (accounts like 'Östra Sjukhuset')", () => {
        store.createDeal(newDeal({ name: "Östra Sjukhuset - bed planning", account: "Östra Sjukhuset" }), NOW);
        store.createDeal(newDeal({ name: "Équipe Médicale - rostering", account: "ÉQUIPE MÉDICALE" }), NOW);
        expect(ids(store.dealsLike("östra", 10))).toEqual(["D-0008"]);
        expect(ids(store.dealsLike("équipe médicale", 10))).toEqual(["D-0009"]);
      });

      it("ownersLike lists distinct owners by prefix, sorted, up to the limit", () => {
        expect(store.ownersLike("", 10)).toEqual(["Dana Lee", "Priya Nair", "Sam Ortiz"]);
        expect(store.ownersLike("Pri", 10)).toEqual(["Priya Nair"]);
        expect(store.ownersLike("", 2)).toEqual(["Dana Lee", "Priya Nair"]);
        expect(store.ownersLike("Zed", 10)).toEqual([]);
      });

      it("findByExternalId(s) finds deals by source and external id only", () => {
        const a = store.createDeal(newDeal({ external_source: "hubspot", external_id: "hs-1" }), NOW);
        const b = store.createDeal(newDeal({ external_source: "hubspot", external_id: "hs-2" }), NOW);
        store.createDeal(newDeal({ external_source: "salesforce", external_id: "hs-1" }), NOW);
        expect(store.findByExternalId("hubspot", "hs-1")).toEqual(a);
        expect(store.findByExternalId("pipedrive", "hs-1")).toBeUndefined();
        const found = store.findByExternalIds("hubspot", ["hs-1", "hs-2", "hs-3"]);
        expect([...found.keys()].sort()).toEqual(["hs-1", "hs-2"]);
        expect(found.get("hs-1")).toEqual(a);
        expect(found.get("hs-2")).toEqual(b);
        expect(store.findByExternalIds("hubspot", []).size).toBe(0);
      });
    });

    describe("transactions and stored requests", () => {
      it("commits what fn writes and returns fn's value", () => {
        const id = store.transaction(() => {
          const d = store.createDeal(newDeal(), NOW);
          store.logActivity(d.id, { type: "call", occurred_at: t("2026-11-03"), summary: "Intro call" }, NOW);
          return d.id;
        });
        expect(id).toBe("D-0001");
        expect(store.activities(id, 10).total).toBe(1);
      });

      it("an exception inside rolls back everything written inside and reaches the caller", () => {
        const keep = store.createDeal(newDeal(), NOW);
        const before = store.counts();
        const boom = new Error("tool failed half way");
        expect(() =>
          store.transaction(() => {
            const d = store.createDeal(newDeal({ name: "Borealis Health - patient portal" }), NOW);
            store.logActivity(d.id, { type: "meeting", occurred_at: t("2026-11-04"), summary: "Demo" }, NOW);
            store.updateDeal(keep.id, { amount: 1 }, NOW);
            store.moveStage(keep.id, { stage: "discovery", stage_index: 1, at: NOW, gate: "passed" }, NOW);
            store.saveRequest({ request_id: "req-1", tool: "create_deal", args_hash: "h", reply: { ok: true } });
            throw boom;
          }),
        ).toThrow(boom);
        expect(store.counts()).toEqual(before);
        expect(store.getDeal(keep.id)).toEqual(keep);
        expect(store.stageHistory(keep.id)).toHaveLength(1);
        expect(store.findRequest("req-1")).toBeUndefined();
        expect(store.listDeals({}, 10).total).toBe(1);
      });

      it("a nested transaction commits with the outer one, and an outer failure undoes it", () => {
        store.transaction(() => {
          store.createDeal(newDeal(), NOW);
          store.transaction(() => store.createDeal(newDeal({ name: "Borealis Health - patient portal" }), NOW));
        });
        expect(store.counts().deals).toBe(2);
        expect(() =>
          store.transaction(() => {
            store.transaction(() => store.createDeal(newDeal({ name: "Cedar Bakery - POS upgrade" }), NOW));
            throw new Error("outer fails");
          }),
        ).toThrow("outer fails");
        expect(ids(store.listDeals({}, 10).deals)).toEqual(["D-0001", "D-0002"]);
      });

      it("a failed nested transaction caught by the outer one undoes only its own writes", () => {
        store.transaction(() => {
          store.createDeal(newDeal(), NOW);
          try {
            store.transaction(() => {
              store.createDeal(newDeal({ name: "Borealis Health - patient portal" }), NOW);
              throw new Error("inner fails");
            });
          } catch {
            // the outer transaction carries on
          }
          store.logActivity("D-0001", { type: "email", occurred_at: t("2026-11-05"), summary: "Follow-up" }, NOW);
        });
        expect(store.listDeals({}, 10).deals.map((d) => d.name)).toEqual(["Acme Logistics - fleet rollout"]);
        expect(store.activities("D-0001", 10).total).toBe(1);
      });

      it("reads inside a transaction see its own writes", () => {
        store.transaction(() => {
          const d = walk(store, { created_at: t("2026-11-01") }, [["discovery", "2026-11-05"]]);
          expect(store.getDeal(d.id)).toMatchObject({ stage: "discovery" });
          expect(ids(store.listDeals({}, 10).deals)).toEqual([d.id]);
          expect(store.stageHistory(d.id)).toHaveLength(2);
        });
      });

      it("inside a transaction, listDeals' total counts the transaction's own writes", () => {
        walk(store, { created_at: t("2026-11-01") });
        store.transaction(() => {
          expect(store.listDeals({}, 10).total).toBe(1);
          store.createDeal(newDeal({ name: "Borealis Health - patient portal" }), NOW);
          const page = store.listDeals({}, 10);
          expect(ids(page.deals)).toEqual(["D-0001", "D-0002"]);
          expect(page.total).toBe(2);
        });
      });

      it("inside a transaction, stageNorms counts the transaction's own stage moves", () => {
        walk(store, { tier: "smb", created_at: t("2026-11-01") }, [["discovery", "2026-11-05"]]);
        store.transaction(() => {
          expect(store.stageNorms()).toEqual([{ tier: "smb", stage: "prospecting", exits: 1, median_days: 4 }]);
          walk(store, { tier: "smb", created_at: t("2026-11-01") }, [["discovery", "2026-11-09"]]);
          expect(store.stageNorms()).toEqual([{ tier: "smb", stage: "prospecting", exits: 2, median_days: 6 }]);
        });
      });

      it("saveRequest/findRequest keep a reply under its request id", () => {
        const reply = {
          structured: { deal: { id: "D-0001", amount: 48_000 }, next_steps: [{ tool: "log_activity" }] },
          text: "Created D-0001",
        };
        store.saveRequest({ request_id: "2f9c-create-acme", tool: "create_deal", args_hash: "sha256:ab12", reply });
        expect(store.findRequest("2f9c-create-acme")).toEqual({
          request_id: "2f9c-create-acme",
          tool: "create_deal",
          args_hash: "sha256:ab12",
          reply,
        });
        expect(store.findRequest("2f9c-create-acmE")).toBeUndefined();
        expect(store.counts().requests).toBe(1);
      });

      it("a request id is stored once: a second save never replaces the first reply", () => {
        const first = { request_id: "retry-7", tool: "close_deal", args_hash: "h1", reply: { status: "won" } };
        store.saveRequest(first);
        try {
          store.saveRequest({ request_id: "retry-7", tool: "close_deal", args_hash: "h2", reply: { status: "lost" } });
        } catch {
          // refusing the second save is fine; replacing the first reply is not
        }
        expect(store.findRequest("retry-7")).toEqual(first);
        expect(store.counts().requests).toBe(1);
      });
    });

    describe("stages and outcomes", () => {
      it("moveStage ends the current stage row and starts the next, and moves the deal", () => {
        const d = store.createDeal(newDeal({ created_at: t("2026-11-01") }), NOW);
        const moved = store.moveStage(
          d.id,
          { stage: "discovery", stage_index: 1, at: t("2026-11-04"), gate: "passed" },
          "2026-11-04T12:00:05.000Z",
        );
        expect(moved).toEqual({
          ...d,
          stage: "discovery",
          stage_index: 1,
          stage_entered_at: t("2026-11-04"),
          updated_at: "2026-11-04T12:00:05.000Z",
        });
        expect(store.stageHistory(d.id)).toEqual([
          {
            stage: "prospecting",
            from_stage: null,
            entered_at: t("2026-11-01"),
            exited_at: t("2026-11-04"),
            days: 3,
            gate: "created",
            override_reason: null,
          },
          {
            stage: "discovery",
            from_stage: "prospecting",
            entered_at: t("2026-11-04"),
            exited_at: null,
            days: null,
            gate: "passed",
            override_reason: null,
          },
        ]);
      });

      it("an override records its reason; the next passed gate has none", () => {
        const d = store.createDeal(newDeal({ created_at: t("2026-11-01") }), NOW);
        store.moveStage(
          d.id,
          {
            stage: "solution_presentation",
            stage_index: 2,
            at: t("2026-11-02"),
            gate: "override",
            override_reason: "Customer asked for a demo before discovery",
          },
          NOW,
        );
        store.moveStage(
          d.id,
          { stage: "proposal_negotiation", stage_index: 3, at: t("2026-11-12"), gate: "passed" },
          NOW,
        );
        expect(store.stageHistory(d.id).map((h) => [h.stage, h.from_stage, h.gate, h.override_reason, h.days])).toEqual(
          [
            ["prospecting", null, "created", null, 1],
            ["solution_presentation", "prospecting", "override", "Customer asked for a demo before discovery", 10],
            ["proposal_negotiation", "solution_presentation", "passed", null, null],
          ],
        );
      });

      it("closeDeal records won, lost and disqualified with their reason and ends the stage row", () => {
        const cases: Array<[ClosedStatus, string | null]> = [
          ["won", "Strong ROI case"],
          ["lost", "Went with a competitor"],
          ["disqualified", null],
        ];
        for (const [status, reason] of cases) {
          const d = store.createDeal(newDeal({ created_at: t("2026-10-01") }), NOW);
          const closed = store.closeDeal(d.id, { status, reason, closed_at: t("2026-10-21") }, NOW);
          expect(closed, status).toEqual({ ...d, status, close_reason: reason, closed_at: t("2026-10-21") });
          expect(store.stageHistory(d.id), status).toEqual([
            expect.objectContaining({ stage: "prospecting", exited_at: t("2026-10-21"), days: 20 }),
          ]);
          expect(store.events(d.id, 1)[0], status).toEqual({
            at: NOW,
            kind: "closed",
            detail: { status, reason, closed_at: t("2026-10-21") },
          });
        }
        expect(store.listDeals({ status: "won" }, 10).total).toBe(1);
      });

      it("reached_stage_index raises the furthest stage a deal reached (a win reaches the stage after the sale)", () => {
        walk(store, { created_at: t("2026-09-01") }, [["closing", "2026-09-20"]], {
          status: "won",
          reason: "Signed",
          on: "2026-10-01",
          reached: "onboarding_success",
        });
        walk(store, { created_at: t("2026-09-01") }, [["closing", "2026-09-20"]], {
          status: "won",
          reason: "Signed",
          on: "2026-10-01",
        });
        const reached = store.analytics().metrics({}, ALL_TIME, "USD").reached;
        expect(byJson(reached)).toEqual([
          { furthest: idx("closing"), n: 1 },
          { furthest: idx("onboarding_success"), n: 1 },
        ]);
      });

      it("parkDeal puts a deal in nurture until a date: its stage row ends and it leaves the open pipeline", () => {
        const d = store.createDeal(newDeal({ created_at: t("2026-11-01") }), NOW);
        const parked = store.parkDeal(d.id, "2027-02-01", t("2026-11-11"));
        expect(parked).toMatchObject({ status: "nurture", revisit_on: "2027-02-01", stage: "prospecting" });
        expect(store.stageHistory(d.id)).toEqual([expect.objectContaining({ exited_at: t("2026-11-11"), days: 10 })]);
        expect([...store.openDealFacts({}, NOW, SUMS)]).toEqual([]);
        expect(store.listDeals({ status: "nurture" }, 10).total).toBe(1);
        expect(store.events(d.id, 1)[0]).toMatchObject({ kind: "parked", at: t("2026-11-11") });
      });

      it("reopenDeal brings a lost deal back: open, no close fields, a new stage row from now", () => {
        const d = walk(store, { created_at: t("2026-10-01") }, [["discovery", "2026-10-05"]], {
          status: "lost",
          reason: "No budget",
          on: "2026-10-20",
        });
        const back = store.reopenDeal(d.id, t("2026-11-15"));
        expect(back).toMatchObject({
          status: "open",
          stage: "discovery",
          closed_at: null,
          close_reason: null,
          revisit_on: null,
          stage_entered_at: t("2026-11-15"),
          updated_at: t("2026-11-15"),
        });
        const history = store.stageHistory(d.id);
        expect(history).toHaveLength(3);
        expect(history[1]).toMatchObject({ stage: "discovery", exited_at: t("2026-10-20"), days: 15 });
        expect(history[2]).toMatchObject({
          stage: "discovery",
          from_stage: "discovery",
          entered_at: t("2026-11-15"),
          exited_at: null,
        });
        expect(store.events(d.id, 1)[0]).toMatchObject({ kind: "reopened", at: t("2026-11-15") });
        expect(ids([...store.openDealFacts({}, NOW, SUMS)].map((r) => ({ id: r.id })))).toEqual([d.id]);
      });

      it("reopenDeal brings a parked deal back and clears its revisit date", () => {
        const d = store.createDeal(newDeal({ created_at: t("2026-11-01") }), NOW);
        store.parkDeal(d.id, "2027-01-10", t("2026-11-05"));
        expect(store.reopenDeal(d.id, t("2026-11-20"))).toMatchObject({ status: "open", revisit_on: null });
        expect(store.nurtureDue({}, "2027-06-01", 10).total).toBe(0);
      });

      it("nurtureDue lists parked deals whose revisit date has come, oldest first, with totals per stage", () => {
        const park = (o: Partial<NewDeal>, revisit: string) => {
          const d = store.createDeal(newDeal(o), NOW);
          store.parkDeal(d.id, revisit, NOW);
          return d.id;
        };
        const a = park({ name: "Acme Logistics - fleet rollout" }, "2027-01-20");
        const b = park({ name: "Cedar Bakery - POS upgrade", owner: "Sam Ortiz", stage: "discovery" }, "2027-01-05");
        const c = park({ name: "Delta Freight - route optimisation" }, "2027-01-15");
        park({ name: "Fjord Shipping - customs module" }, "2027-03-01");
        store.createDeal(newDeal({ name: "Granite Labs - LIMS pilot" }), NOW); // open: never due
        const due = store.nurtureDue({}, "2027-01-20T08:00:00.000Z", 10);
        expect(due.deals).toEqual([
          { id: b, owner: "Sam Ortiz", revisit_on: "2027-01-05" },
          { id: c, owner: "Dana Lee", revisit_on: "2027-01-15" },
          { id: a, owner: "Dana Lee", revisit_on: "2027-01-20" },
        ]);
        expect(due.total).toBe(3);
        expect(byJson(due.by_stage)).toEqual([
          { stage: "discovery", n: 1 },
          { stage: "prospecting", n: 2 },
        ]);
        expect(store.nurtureDue({}, "2027-01-20", 1)).toMatchObject({ deals: [{ id: b }], total: 3 });
        expect(store.nurtureDue({ owner: "Dana Lee" }, "2027-01-16", 10)).toMatchObject({
          deals: [{ id: c }],
          total: 1,
        });
        expect(store.nurtureDue({}, "2027-01-04", 10)).toEqual({ deals: [], total: 0, by_stage: [] });
      });
    });

    describe("activities, events, stakeholders, qualifications, stage checks", () => {
      it("logActivity returns the activity in the deal's current stage and keeps the latest activity date", () => {
        const d = walk(store, { created_at: t("2026-11-01") }, [["discovery", "2026-11-03"]]);
        const a = store.logActivity(
          d.id,
          { type: "meeting", occurred_at: t("2026-11-06"), summary: "Discovery workshop", duration_minutes: 90 },
          NOW,
        );
        expect(a).toEqual({
          id: expect.any(Number),
          deal_id: d.id,
          type: "meeting",
          occurred_at: t("2026-11-06"),
          summary: "Discovery workshop",
          duration_minutes: 90,
          stage: "discovery",
        });
        store.logActivity(d.id, { type: "note", occurred_at: t("2026-11-02"), summary: "Backfilled note" }, NOW);
        expect(store.getDeal(d.id)!.last_activity_at).toBe(t("2026-11-06"));
        expect(store.activities(d.id, 10).activities).toContainEqual(a);
      });

      it("activities lists newest first up to the limit, with the total", () => {
        const d = store.createDeal(newDeal(), NOW);
        const days = ["2026-11-03", "2026-11-09", "2026-11-05", "2026-11-12", "2026-11-07"];
        for (const [i, day] of days.entries())
          store.logActivity(d.id, { type: "email", occurred_at: t(day), summary: `Email ${i + 1}` }, NOW);
        const other = store.createDeal(newDeal({ name: "Borealis Health - patient portal" }), NOW);
        store.logActivity(other.id, { type: "call", occurred_at: t("2026-11-20"), summary: "Other deal" }, NOW);
        const page = store.activities(d.id, 3);
        expect(page.total).toBe(5);
        expect(page.activities.map((a) => a.summary)).toEqual(["Email 4", "Email 2", "Email 5"]);
        expect(page.activities.every((a) => a.deal_id === d.id && a.duration_minutes === null)).toBe(true);
        expect(store.activities(d.id, 0)).toEqual({ activities: [], total: 5 });
      });

      // The kinds are the log's vocabulary: created, updated, owner_changed, closed, parked, reopened
      // (the deal's history, and what a point-in-time analysis reads back, depend on them).
      it("events lists the deal's log newest first up to the limit; recordEvent adds to it", () => {
        const d = store.createDeal(newDeal(), "2026-11-02T09:00:00.000Z");
        store.updateDeal(d.id, { amount: 50_000 }, "2026-11-03T09:00:00.000Z");
        store.recordEvent(d.id, "stakeholders", { names: ["Mara Quist"] }, "2026-11-04T09:00:00.000Z");
        store.closeDeal(d.id, { status: "won", reason: "Signed", closed_at: t("2026-11-20") }, t("2026-11-20"));
        expect(store.events(d.id, 10).map((e) => e.kind)).toEqual(["closed", "stakeholders", "updated", "created"]);
        expect(store.events(d.id, 2)).toEqual([
          {
            at: t("2026-11-20"),
            kind: "closed",
            detail: { status: "won", reason: "Signed", closed_at: t("2026-11-20") },
          },
          { at: "2026-11-04T09:00:00.000Z", kind: "stakeholders", detail: { names: ["Mara Quist"] } },
        ]);
      });

      it("upsertStakeholders adds new names and updates known ones, keeping the others", () => {
        const d = store.createDeal(
          newDeal({ stakeholders: [{ name: "Mara Quist", role: "Head of Operations", decision_maker: false }] }),
          NOW,
        );
        store.upsertStakeholders(d.id, [
          { name: "Ivo Brandt", role: "CFO", decision_maker: true },
          { name: "Mara Quist", role: "COO", decision_maker: true },
        ]);
        store.upsertStakeholders(d.id, [{ name: "Lena Fischer", role: null, decision_maker: false }]);
        expect(store.stakeholders(d.id)).toEqual([
          { name: "Mara Quist", role: "COO", decision_maker: true },
          { name: "Ivo Brandt", role: "CFO", decision_maker: true },
          { name: "Lena Fischer", role: null, decision_maker: false },
        ]);
        expect(store.dealFacts(d.id, SUMS)).toMatchObject({ stakeholders: 3, decision_makers: 2 });
      });

      it("recordQualification keeps every snapshot, the latest one answers, and the deal carries it", () => {
        const d = store.createDeal(newDeal(), NOW);
        expect(store.latestQualification(d.id)).toBeUndefined();
        const q1 = {
          budget: "unknown",
          authority: "influencer_only",
          need: "latent",
          timeline: "unknown",
          score: 25,
          verdict: "needs_discovery",
        };
        const q2 = {
          budget: "approved",
          authority: "decision_maker",
          need: "critical",
          timeline: "defined",
          score: 100,
          verdict: "qualified",
        };
        store.recordQualification(d.id, { ...q1, detail: { note: "first call" } }, "2026-11-03T10:00:00.000Z");
        store.recordQualification(
          d.id,
          { ...q2, detail: { budget: { amount: 50_000, currency: "USD" }, pains: ["fuel cost", "idle trucks"] } },
          "2026-11-10T10:00:00.000Z",
        );
        expect(store.latestQualification(d.id)).toEqual({
          ...q2,
          recorded_at: "2026-11-10T10:00:00.000Z",
          detail: { budget: { amount: 50_000, currency: "USD" }, pains: ["fuel cost", "idle trucks"] },
          // Without a framework it is BANT, whose statuses are its signals.
          framework: "bant",
          statuses: { budget: "approved", authority: "decision_maker", need: "critical", timeline: "defined" },
        });
        expect(store.getDeal(d.id)!.bant).toEqual({ ...q2, framework: "bant" });
        expect(store.counts().qualifications).toBe(2);
      });

      it("a qualification keeps the framework it was made under and its statuses by that framework's dimensions", () => {
        const d = store.createDeal(newDeal(), NOW);
        const statuses = { situation: "partial", pain: "critical", impact: "quantified", critical_event: "possible" };
        const q = {
          budget: "unknown",
          authority: "unknown",
          need: "critical",
          timeline: "tentative",
          score: 70,
          verdict: "needs_discovery",
        };
        store.recordQualification(d.id, { ...q, framework: "spiced", statuses, detail: {} }, NOW);
        expect(store.latestQualification(d.id)).toMatchObject({ ...q, framework: "spiced", statuses });
        expect(store.getDeal(d.id)!.bant).toEqual({ ...q, framework: "spiced" });
      });

      it("recordStageCheck returns the stored check; latestStageCheck answers per stage", () => {
        const d = store.createDeal(newDeal(), NOW);
        const first = store.recordStageCheck(
          d.id,
          {
            stage: "prospecting",
            criteria: { meeting_agreed: true, basic_fit_assessed: null, contact_verified: false },
            evidence: { meeting_agreed: "Call booked for 12 Nov" },
            can_advance: false,
          },
          "2026-11-05T09:00:00.000Z",
        );
        expect(first).toEqual({
          id: expect.any(Number),
          stage: "prospecting",
          recorded_at: "2026-11-05T09:00:00.000Z",
          criteria: { meeting_agreed: true, basic_fit_assessed: null, contact_verified: false },
          evidence: { meeting_agreed: "Call booked for 12 Nov" },
          can_advance: false,
        });
        const second = store.recordStageCheck(
          d.id,
          {
            stage: "prospecting",
            criteria: { meeting_agreed: true, basic_fit_assessed: true, contact_verified: true },
            evidence: {},
            can_advance: true,
          },
          "2026-11-06T09:00:00.000Z",
        );
        expect(second.id).not.toBe(first.id);
        expect(store.latestStageCheck(d.id, "prospecting")).toEqual(second);
        expect(store.latestStageCheck(d.id, "discovery")).toBeUndefined();
        const other = store.createDeal(newDeal({ name: "Borealis Health - patient portal" }), NOW);
        expect(store.latestStageCheck(other.id, "prospecting")).toBeUndefined();
      });
    });

    describe("bulk writes: insertDeals and importDeals", () => {
      it("insertDeals writes whole deals with consecutive ids after the highest stored one", () => {
        store.createDeal(newDeal(), NOW);
        const r = store.insertDeals(
          [bulkDeal("Harbor Foods - cold chain"), bulkDeal("Ironclad Security - SOC rollout", { owner: "Sam Ortiz" })],
          NOW,
        );
        expect(r).toEqual({ first: "D-0002", last: "D-0003", count: 2 });
        expect(store.getDeal("D-0003")).toMatchObject({
          name: "Ironclad Security - SOC rollout",
          account: "Ironclad Security",
          owner: "Sam Ortiz",
          status: "lost",
          stage: "discovery",
          closed_at: t("2026-07-01"),
          close_reason: "No decision",
          bant: { budget: "identified", score: 40, verdict: "needs_discovery" },
          updated_at: NOW,
        });
        expect(store.stageHistory("D-0002")).toEqual([
          {
            stage: "prospecting",
            from_stage: null,
            entered_at: t("2026-06-01"),
            exited_at: t("2026-06-11"),
            days: 10,
            gate: "created",
            override_reason: null,
          },
          {
            stage: "discovery",
            from_stage: "prospecting",
            entered_at: t("2026-06-11"),
            exited_at: t("2026-07-01"),
            days: 20,
            gate: "passed",
            override_reason: null,
          },
        ]);
        const acts = store.activities("D-0002", 10);
        expect(acts.total).toBe(2);
        expect(acts.activities.map((a) => [a.type, a.stage, a.duration_minutes])).toEqual([
          ["meeting", "discovery", 90],
          ["call", "prospecting", 30],
        ]);
        expect(store.stakeholders("D-0002")).toEqual([
          { name: "Mara Quist", role: "Head of Operations", decision_maker: false },
        ]);
        expect(store.latestQualification("D-0002")).toMatchObject({
          recorded_at: t("2026-06-12"),
          verdict: "needs_discovery",
          detail: { note: "budget holder not met yet" },
        });
        expect(store.createDeal(newDeal(), NOW).id).toBe("D-0004");
      });

      it("insertDeals of nothing writes nothing", () => {
        expect(store.insertDeals([], NOW)).toEqual({ first: null, last: null, count: 0 });
        expect(store.counts().deals).toBe(0);
      });

      it("insertDeals is all or nothing: a failure part way leaves the store as it was", () => {
        store.createDeal(newDeal(), NOW);
        const before = store.counts();
        function* failing(): Generator<BulkDeal> {
          yield bulkDeal("Harbor Foods - cold chain");
          yield bulkDeal("Ironclad Security - SOC rollout");
          throw new Error("source file truncated");
        }
        expect(() => store.insertDeals(failing(), NOW)).toThrow("source file truncated");
        expect(store.counts()).toEqual(before);
        expect(store.getDeal("D-0002")).toBeUndefined();
        expect(store.insertDeals([bulkDeal("Harbor Foods - cold chain")], NOW).first).toBe("D-0002");
      });

      it("importDeals creates deals for new external ids, with an imported first stage row", () => {
        store.createDeal(newDeal(), NOW);
        const out = store.transaction(() =>
          store.importDeals(
            [
              { target: importTarget("hs-501", { name: "Juniper Retail - loyalty app", account: "Juniper Retail" }) },
              {
                target: importTarget("hs-502", {
                  name: "Kestrel Air - crew scheduling",
                  account: "Kestrel Air",
                  stage: "proposal_negotiation",
                  stage_entered_at: t("2026-10-20"),
                }),
              },
            ],
            NOW,
          ),
        );
        expect(out).toEqual([
          { id: "D-0002", action: "created" },
          { id: "D-0003", action: "created" },
        ]);
        expect(store.findByExternalId("hubspot", "hs-502")).toMatchObject({
          id: "D-0003",
          name: "Kestrel Air - crew scheduling",
          stage: "proposal_negotiation",
          stage_index: 3,
          external_source: "hubspot",
          external_id: "hs-502",
          status: "open",
        });
        expect(store.stageHistory("D-0003")).toEqual([
          {
            stage: "proposal_negotiation",
            from_stage: null,
            entered_at: t("2026-10-20"),
            exited_at: null,
            days: null,
            gate: "imported",
            override_reason: null,
          },
        ]);
        expect(store.events("D-0003", 10).map((e) => e.kind)).toEqual(["created"]);
      });

      it("importDeals updates by external id and never duplicates: a re-import changes nothing", () => {
        const rows = [
          importTarget("hs-601", { name: "Lumen Energy - meter analytics", account: "Lumen Energy" }),
          importTarget("hs-602", { name: "Maple Insurance - claims portal", account: "Maple Insurance" }),
        ];
        const run = (targets: ImportDealRow["target"][]) =>
          store.transaction(() => {
            const existing = store.findByExternalIds(
              "hubspot",
              targets.map((r) => r.external_id),
            );
            return store.importDeals(
              targets.map((target) => {
                const e = existing.get(target.external_id);
                return e ? { target, existing: e } : { target };
              }),
              NOW,
            );
          });
        expect(run(rows).map((o) => o.action)).toEqual(["created", "created"]);
        const counts = store.counts();
        expect(run(rows)).toEqual([
          { id: "D-0001", action: "unchanged" },
          { id: "D-0002", action: "unchanged" },
        ]);
        expect(store.counts()).toEqual(counts);

        const changed = [{ ...rows[0]!, amount: 61_000, owner: "Sam Ortiz" }, rows[1]!];
        expect(run(changed)).toEqual([
          { id: "D-0001", action: "updated" },
          { id: "D-0002", action: "unchanged" },
        ]);
        expect(store.getDeal("D-0001")).toMatchObject({ amount: 61_000, owner: "Sam Ortiz", owner_changes: 1 });
        expect(store.counts().deals).toBe(2);
        expect(store.listDeals({ q: "Lumen" }, 10).total).toBe(1);
      });

      it("an imported stage move or close is recorded in the stage history", () => {
        const first = importTarget("hs-701", { name: "Nimbus Cloud - backup", account: "Nimbus Cloud" });
        store.transaction(() => store.importDeals([{ target: first }], NOW));
        const existing = store.findByExternalId("hubspot", "hs-701")!;
        const moved = {
          ...first,
          stage: "solution_presentation",
          stage_index: 2,
          stage_entered_at: t("2026-10-25"),
          status: "lost" as const,
          closed_at: t("2026-11-04"),
          close_reason: "Chose a cheaper vendor",
        };
        expect(store.transaction(() => store.importDeals([{ target: moved, existing }], NOW))).toEqual([
          { id: existing.id, action: "updated" },
        ]);
        expect(store.getDeal(existing.id)).toMatchObject({
          stage: "solution_presentation",
          status: "lost",
          closed_at: t("2026-11-04"),
          close_reason: "Chose a cheaper vendor",
        });
        expect(store.stageHistory(existing.id).map((h) => [h.stage, h.from_stage, h.exited_at, h.days])).toEqual([
          ["prospecting", null, t("2026-10-25"), 20],
          ["solution_presentation", "prospecting", t("2026-11-04"), 10],
        ]);
      });

      it("importDeals with dryRun decides each row's action and writes nothing", () => {
        const first = importTarget("hs-801", { name: "Orchid Hotels - booking engine", account: "Orchid Hotels" });
        store.transaction(() => store.importDeals([{ target: first }], NOW));
        const existing = store.findByExternalId("hubspot", "hs-801")!;
        const before = store.counts();
        const out = store.transaction(() =>
          store.importDeals(
            [
              { target: { ...first, amount: 99_000 }, existing },
              { target: first, existing },
              { target: importTarget("hs-802", { name: "Pioneer Mining - fleet telemetry" }) },
            ],
            NOW,
            { dryRun: true },
          ),
        );
        expect(out).toEqual([
          { id: existing.id, action: "updated" },
          { id: existing.id, action: "unchanged" },
          { id: null, action: "created" },
        ]);
        expect(store.counts()).toEqual(before);
        expect(store.getDeal(existing.id)).toEqual(existing);
      });
    });

    describe("deleteDeal", () => {
      it("never gives a deleted deal's id to a new deal (old references must not come to mean another deal)", () => {
        const first = store.createDeal(newDeal(), NOW);
        const last = store.createDeal(newDeal({ name: "Delete me - pilot" }), NOW);
        store.deleteDeal(last.id);
        const next = store.createDeal(newDeal({ name: "Fresh deal - rollout" }), NOW);
        expect(next.id).not.toBe(last.id);
        expect(parseDealId(next.id)).toBeGreaterThan(parseDealId(last.id)!);
        expect(store.getDeal(last.id)).toBeUndefined();
        expect(store.getDeal(first.id)).toBeDefined();
      });

      it("removes the deal and everything recorded on it, and says what it removed", () => {
        const keep = walk(store, { name: "Borealis Health - patient portal", account: "Borealis Health" }, [
          ["discovery", "2026-11-04"],
        ]);
        store.logActivity(keep.id, { type: "call", occurred_at: t("2026-11-05"), summary: "Keep me" }, NOW);
        const gone = walk(store, { created_at: t("2026-11-01") }, [["discovery", "2026-11-03"]]);
        store.logActivity(gone.id, { type: "call", occurred_at: t("2026-11-04"), summary: "Call with Mara" }, NOW);
        store.logActivity(gone.id, { type: "email", occurred_at: t("2026-11-05"), summary: "Mail to Mara" }, NOW);
        store.upsertStakeholders(gone.id, [{ name: "Mara Quist", role: "COO", decision_maker: true }]);
        store.recordQualification(gone.id, { ...QUALIFIED, detail: { note: "Mara signs" } }, NOW);
        store.recordStageCheck(
          gone.id,
          { stage: "discovery", criteria: { challenge_understood: true }, evidence: {}, can_advance: false },
          NOW,
        );
        const keepBefore = {
          deal: store.getDeal(keep.id),
          history: store.stageHistory(keep.id),
          activities: store.activities(keep.id, 10),
          events: store.events(keep.id, 10),
        };
        const before = store.counts();
        const events = store.events(gone.id, 100).length;

        const removed = store.deleteDeal(gone.id);
        expect(removed).toMatchObject({
          deals: 1,
          stage_history: 2,
          activities: 2,
          stakeholders: 1,
          qualifications: 1,
          stage_checks: 1,
        });
        expect(removed.deal_events).toBe(events);
        const after = store.counts();
        for (const [table, n] of Object.entries(removed)) expect(after[table], table).toBe(before[table]! - n);

        expect(store.getDeal(gone.id)).toBeUndefined();
        expect(store.stageHistory(gone.id)).toEqual([]);
        expect(store.activities(gone.id, 10)).toEqual({ activities: [], total: 0 });
        expect(store.stakeholders(gone.id)).toEqual([]);
        expect(store.latestQualification(gone.id)).toBeUndefined();
        expect(store.latestStageCheck(gone.id, "discovery")).toBeUndefined();
        expect(store.events(gone.id, 10)).toEqual([]);
        expect(store.dealsLike("Acme", 10)).toEqual([]);
        expect({
          deal: store.getDeal(keep.id),
          history: store.stageHistory(keep.id),
          activities: store.activities(keep.id, 10),
          events: store.events(keep.id, 10),
        }).toEqual(keepBefore);
        expect(store.listDeals({}, 10).total).toBe(1);
      });

      it("removes stored replies that mention the deal and keeps the others", () => {
        const gone = store.createDeal(newDeal(), NOW);
        const keep = store.createDeal(newDeal({ name: "Borealis Health - patient portal" }), NOW);
        store.saveRequest({
          request_id: "r-gone",
          tool: "log_activity",
          args_hash: "h1",
          reply: { structured: { deal_id: gone.id, activity_id: 1 }, text: "Logged." },
        });
        store.saveRequest({
          request_id: "r-keep",
          tool: "log_activity",
          args_hash: "h2",
          reply: { structured: { deal_id: keep.id, activity_id: 2 }, text: "Logged." },
        });
        expect(store.deleteDeal(gone.id).requests).toBe(1);
        expect(store.findRequest("r-gone")).toBeUndefined();
        expect(store.findRequest("r-keep")).toMatchObject({ request_id: "r-keep" });
      });
    });

    describe("pipeline facts", () => {
      it("openDealFacts streams one row per open deal created by as_of, filtered", () => {
        seedPipeline(store);
        // Each row is read before the next is taken (the same object may be refilled).
        const read = (f: Parameters<DealStore["openDealFacts"]>[0], asOf: string) => {
          const out: string[] = [];
          for (const row of store.openDealFacts(f, asOf, SUMS)) out.push(row.id);
          return out;
        };
        expect(read({}, NOW)).toEqual(["D-0006", "D-0007"]);
        expect(read({}, "2026-10-31T00:00:00.000Z")).toEqual(["D-0006"]);
        expect(read({ owner: "Priya Nair" }, NOW)).toEqual(["D-0007"]);
        expect(read({ segment: "smb_ready" }, NOW)).toEqual([]);
        expect(read({}, "2026-01-01T00:00:00.000Z")).toEqual([]);
      });

      it("an open deal's facts are what the pipeline rules read", () => {
        const d = walk(
          store,
          {
            name: "Fjord Shipping - customs module",
            account: "Fjord Shipping",
            amount: 22_000,
            readiness: "ready",
            segment: "mid_market_ready",
            created_at: t("2026-10-20"),
            expected_close_date: "2026-12-15",
            stakeholders: [
              { name: "Nils Berg", role: "Customs lead", decision_maker: false },
              { name: "Ane Dahl", role: "CFO", decision_maker: true },
            ],
          },
          [
            ["discovery", "2026-10-27"],
            ["solution_presentation", "2026-11-10"],
          ],
        );
        const log = (type: string, day: string, summary: string) =>
          store.logActivity(d.id, { type, occurred_at: t(day), summary }, NOW);
        log("meeting", "2026-10-22", "Kick-off (before this stage)");
        log("meeting", "2026-11-11", "Solution walkthrough");
        log("proposal", "2026-11-12", "Proposal v1: 22k");
        log("internal", "2026-11-13", "Deal desk review");
        log("proposal", "2026-11-14", "Proposal v2: 20k");
        log("approval", "2026-11-15", "Discount approval");
        log("email", "2026-11-16", "Sent v2");
        store.updateDeal(d.id, { owner: "Sam Ortiz" }, NOW);
        store.recordQualification(
          d.id,
          {
            budget: "identified",
            authority: "access_to_decision_maker",
            need: "confirmed",
            timeline: "tentative",
            score: 60,
            verdict: "needs_discovery",
            detail: {},
          },
          NOW,
        );
        const rows: Array<Record<string, unknown>> = [];
        for (const row of store.openDealFacts({}, NOW, SUMS)) rows.push({ ...row });
        expect(rows).toHaveLength(1);
        const f = rows[0]!;
        const { stage_entered_ms, last_activity_ms, expected_close_ms, proposal_notes, ...rest } = f;
        expect(rest).toEqual({
          id: d.id,
          owner: "Sam Ortiz",
          amount: 22_000,
          currency: "USD",
          tier: "mid_market",
          readiness: "ready",
          stage_index: 2,
          owner_changes: 1,
          bant_budget: "identified",
          bant_timeline: "tentative",
          bant_verdict: "needs_discovery",
          stakeholders: 2,
          decision_makers: 1,
          meetings_in_stage: 1,
          proposals_in_stage: 2,
          internal_activities: 2,
          customer_activities: 5,
        });
        expect(Math.abs((stage_entered_ms as number) - Date.parse(t("2026-11-10")))).toBeLessThan(1);
        expect(Math.abs((last_activity_ms as number) - Date.parse(t("2026-11-16")))).toBeLessThan(1);
        expect(Math.abs((expected_close_ms as number) - Date.parse("2026-12-15T00:00:00.000Z"))).toBeLessThan(1);
        expect((proposal_notes as string).split(" | ").sort()).toEqual(["Proposal v1: 22k", "Proposal v2: 20k"]);
        expect(store.dealFacts(d.id, SUMS)).toEqual(f);
      });

      it("dealFacts answers for a deal whatever its status", () => {
        seedPipeline(store);
        expect(store.dealFacts("D-0004", SUMS)).toMatchObject({
          id: "D-0004",
          owner: "Priya Nair",
          amount: 30_000,
          stage_index: idx("proposal_negotiation"),
          customer_activities: 0,
          last_activity_ms: null,
          expected_close_ms: null,
          proposal_notes: "",
        });
        expect(store.dealFacts("D-0007", SUMS)).toMatchObject({ amount: null, customer_activities: 1, tier: "smb" });
      });

      it("closedFacts groups closed deals: empty reasons by stage with sample ids, lost reasons normalised", () => {
        seedPipeline(store);
        expect(store.closedFacts({}, NOW, 5)).toEqual({
          total: 5,
          without_reason: { by_stage: [], ids: [], owners: [] },
          lost_reasons: expect.any(Array),
        });
        expect(byJson(store.closedFacts({}, NOW, 5).lost_reasons)).toEqual([
          { reason: "budget cut", stage: "discovery", n: 1 },
          { reason: "budget cut", stage: "proposal_negotiation", n: 1 },
        ]);
      });

      it("closedFacts counts won and lost deals closed without a reason, by stage, and respects as_of", () => {
        const close = (o: Partial<NewDeal>, stage: Stage, status: ClosedStatus, reason: string | null) =>
          walk(store, { created_at: t("2026-10-01"), ...o }, stage === "prospecting" ? [] : [[stage, "2026-10-10"]], {
            status,
            reason,
            on: "2026-10-20",
          });
        close({ owner: "Dana Lee" }, "discovery", "lost", null);
        close({ owner: "Sam Ortiz" }, "closing", "won", "   ");
        close({ owner: "Priya Nair" }, "discovery", "lost", "");
        close({}, "prospecting", "disqualified", null);
        close({ owner: "Sam Ortiz" }, "proposal_negotiation", "lost", "Went with a competitor");
        close({ created_at: t("2026-11-20") }, "discovery", "lost", "went with a COMPETITOR ");
        store.createDeal(newDeal(), NOW);

        const facts = store.closedFacts({}, NOW, 2);
        expect(facts.total).toBe(6);
        expect(byJson(facts.without_reason.by_stage)).toEqual([
          { stage: "closing", n: 1 },
          { stage: "discovery", n: 2 },
        ]);
        expect(facts.without_reason.ids).toEqual(["D-0001", "D-0002"]);
        expect(facts.without_reason.owners).toEqual(["Dana Lee", "Sam Ortiz"]);
        expect(byJson(facts.lost_reasons)).toEqual([
          { reason: "went with a competitor", stage: "discovery", n: 1 },
          { reason: "went with a competitor", stage: "proposal_negotiation", n: 1 },
        ]);

        const before = store.closedFacts({}, "2026-11-01T00:00:00.000Z", 10);
        expect(before.total).toBe(5);
        expect(before.lost_reasons).toEqual([
          { reason: "went with a competitor", stage: "proposal_negotiation", n: 1 },
        ]);
        expect(store.closedFacts({ owner: "Sam Ortiz" }, NOW, 10)).toMatchObject({
          total: 2,
          without_reason: { ids: ["D-0002"] },
        });
      });

      it("lostDealsWithReasons finds lost deals by trimmed, lower-case reason, in id order", () => {
        seedPipeline(store);
        walk(store, { owner: "Sam Ortiz", created_at: t("2026-10-02") }, [], {
          status: "lost",
          reason: "Went dark",
          on: "2026-10-30",
        });
        walk(store, { created_at: t("2026-10-02") }, [], { status: "won", reason: "budget cut", on: "2026-10-30" });
        expect(store.lostDealsWithReasons({}, NOW, ["budget cut", "went dark"], 10)).toEqual([
          { id: "D-0003", reason: "budget cut", owner: "Dana Lee" },
          { id: "D-0004", reason: "budget cut", owner: "Priya Nair" },
          { id: "D-0008", reason: "went dark", owner: "Sam Ortiz" },
        ]);
        expect(store.lostDealsWithReasons({}, NOW, ["budget cut"], 1)).toEqual([
          { id: "D-0003", reason: "budget cut", owner: "Dana Lee" },
        ]);
        expect(store.lostDealsWithReasons({ owner: "Priya Nair" }, NOW, ["budget cut"], 10)).toEqual([
          { id: "D-0004", reason: "budget cut", owner: "Priya Nair" },
        ]);
        expect(store.lostDealsWithReasons({}, "2026-09-12T00:00:00.000Z", ["budget cut"], 10)).toEqual([
          { id: "D-0004", reason: "budget cut", owner: "Priya Nair" },
        ]);
        expect(store.lostDealsWithReasons({}, NOW, [], 10)).toEqual([]);
      });

      it("stageNorms gives the median days a tier spent in a stage before advancing", () => {
        const smb = (days: number) =>
          walk(store, { tier: "smb", created_at: t("2026-11-01") }, [
            ["discovery", `2026-11-${String(1 + days).padStart(2, "0")}`],
          ]);
        smb(2);
        smb(4);
        const slow = smb(10);
        for (const days of [6, 9])
          walk(store, { tier: "mid_market", created_at: t("2026-11-01") }, [
            ["discovery", "2026-11-03"],
            ["solution_presentation", `2026-11-${String(3 + days).padStart(2, "0")}`],
          ]);
        // Not advancing: a close, a parked deal, and a deal without a tier never count.
        walk(store, { tier: "smb", created_at: t("2026-11-01") }, [], {
          status: "lost",
          reason: "x",
          on: "2026-11-30",
        });
        store.parkDeal(store.createDeal(newDeal({ tier: "smb" }), NOW).id, "2027-01-01", NOW);
        walk(store, { tier: null, created_at: t("2026-11-01") }, [["discovery", "2026-11-20"]]);

        const norms = (tier: string, stage: Stage) =>
          store.stageNorms().find((n) => n.tier === tier && n.stage === stage);
        expect(byJson(store.stageNorms().map((n) => `${n.tier}:${n.stage}:${n.exits}:${n.median_days}`))).toEqual([
          "mid_market:discovery:2:7.5",
          "mid_market:prospecting:2:2",
          "smb:prospecting:3:4",
        ]);
        // A deal's history follows its tier.
        store.updateDeal(slow.id, { tier: "mid_market" }, NOW);
        expect(norms("smb", "prospecting")).toEqual({ tier: "smb", stage: "prospecting", exits: 2, median_days: 3 });
        expect(norms("mid_market", "prospecting")).toEqual({
          tier: "mid_market",
          stage: "prospecting",
          exits: 3,
          median_days: 2,
        });
      });
    });

    describe("analytics", () => {
      it("metrics: closed deals by status and segment, cycle times, the won median, in the period and currency", () => {
        seedPipeline(store);
        const m = store.analytics().metrics({}, Q4, "USD");
        expect(byJson(m.closed)).toEqual(
          byJson([
            { status: "won", segment: "mid_market_exploring", n: 1, amount_n: 1, amount_sum: 48_000 },
            { status: "won", segment: "enterprise_ready", n: 1, amount_n: 1, amount_sum: 120_000 },
            { status: "lost", segment: "smb_ready", n: 1, amount_n: 1, amount_sum: 6_500 },
            { status: "lost", segment: "mid_market_exploring", n: 1, amount_n: 1, amount_sum: 30_000 },
            // Evergreen's amount is in EUR: counted, but not summed in USD.
            { status: "disqualified", segment: "smb_ready", n: 1, amount_n: 0, amount_sum: 0 },
          ]),
        );
        expect(m.won_amount_median).toBe(84_000);
        expect(byJson(m.cycle)).toEqual(
          byJson([
            { key: "won", n: 2, sum: 121, median: 60.5 },
            { key: "won|mid_market_exploring", n: 1, sum: 30, median: 30 },
            { key: "won|enterprise_ready", n: 1, sum: 91, median: 91 },
            { key: "lost", n: 2, sum: 80, median: 40 },
            { key: "lost|smb_ready", n: 1, sum: 20, median: 20 },
            { key: "lost|mid_market_exploring", n: 1, sum: 60, median: 60 },
          ]),
        );
      });

      it("metrics: reached stages of deals created in the period, stage time, open pipeline, activities, owners", () => {
        seedPipeline(store);
        const m = store.analytics().metrics({}, Q4, "USD");
        expect(byJson(m.reached)).toEqual([
          { furthest: 0, n: 2 },
          { furthest: 2, n: 1 },
        ]);
        expect(byJson(m.stage_time)).toEqual(
          byJson([
            { key: "prospecting", n: 2, sum: 17, median: 8.5 },
            { key: "discovery", n: 3, sum: 43, median: 14 },
            { key: "solution_presentation", n: 1, sum: 14, median: 14 },
            { key: "proposal_negotiation", n: 2, sum: 45, median: 22.5 },
            { key: "closing", n: 2, sum: 27, median: 13.5 },
          ]),
        );
        expect(m.open).toEqual({ n: 2, amount_n: 1, amount_sum: 22_000 });
        expect(byJson(m.activities)).toEqual([
          { type: "email", n: 2 },
          { type: "internal", n: 1 },
          { type: "meeting", n: 1 },
          { type: "proposal", n: 1 },
        ]);
        expect(m.owners).toEqual([
          { owner: "Sam Ortiz", won: 1, lost: 0, won_amount: 120_000 },
          { owner: "Dana Lee", won: 1, lost: 1, won_amount: 48_000 },
          { owner: "Priya Nair", won: 0, lost: 1, won_amount: 0 },
        ]);
        const all = store.analytics().metrics({}, ALL_TIME, "USD");
        // Granite and Evergreen never left prospecting; Acme's win reached onboarding_success.
        expect(byJson(all.reached)).toEqual([
          { furthest: 0, n: 2 },
          { furthest: 1, n: 1 },
          { furthest: 2, n: 1 },
          { furthest: 3, n: 1 },
          { furthest: 4, n: 1 },
          { furthest: 5, n: 1 },
        ]);
        expect(all.activities).toContainEqual({ type: "call", n: 1 });
      });

      it("metrics honours the deal filters (and ignores date filters: the period decides)", () => {
        seedPipeline(store);
        const m = store.analytics().metrics({ owner: "Dana Lee", from: "2030-01-01" }, Q4, "USD");
        expect(byJson(m.closed)).toEqual([
          { status: "lost", segment: "smb_ready", n: 1, amount_n: 1, amount_sum: 6_500 },
          { status: "won", segment: "mid_market_exploring", n: 1, amount_n: 1, amount_sum: 48_000 },
        ]);
        expect(m.open).toEqual({ n: 1, amount_n: 1, amount_sum: 22_000 });
        expect(byJson(m.activities)).toEqual([
          { type: "email", n: 1 },
          { type: "internal", n: 1 },
          { type: "meeting", n: 1 },
          { type: "proposal", n: 1 },
        ]);
        expect(m.owners).toEqual([{ owner: "Dana Lee", won: 1, lost: 1, won_amount: 48_000 }]);
        const eur = store.analytics().metrics({}, Q4, "EUR");
        expect(eur.closed.find((g) => g.status === "disqualified")).toMatchObject({ amount_n: 1, amount_sum: 15_000 });
        expect(eur.won_amount_median).toBeNull();
      });

      it("winLoss: reasons, the stage lost at, cycles, segments and sources of won and lost deals", () => {
        seedPipeline(store);
        const w = store.analytics().winLoss({}, Q4);
        expect(w.reasons[0]).toEqual({ status: "lost", reason: "budget cut", n: 2 });
        expect(byJson(w.reasons)).toEqual(
          byJson([
            { status: "lost", reason: "budget cut", n: 2 },
            { status: "won", reason: "strong roi case", n: 1 },
            { status: "won", reason: "executive sponsor", n: 1 },
          ]),
        );
        expect(byJson(w.lost_at_stage)).toEqual([
          { stage: "discovery", n: 1 },
          { stage: "proposal_negotiation", n: 1 },
        ]);
        expect(w.cycle).toEqual([
          { key: "won", n: 2, sum: 121, median: 60.5 },
          { key: "lost", n: 2, sum: 80, median: 40 },
        ]);
        expect(byJson(w.by_segment)).toEqual(
          byJson([
            { status: "won", segment: "mid_market_exploring", n: 1 },
            { status: "won", segment: "enterprise_ready", n: 1 },
            { status: "lost", segment: "smb_ready", n: 1 },
            { status: "lost", segment: "mid_market_exploring", n: 1 },
          ]),
        );
        expect(byJson(w.by_source)).toEqual(
          byJson([
            { source: "referral", status: "won", n: 1 },
            { source: "outbound", status: "won", n: 1 },
            { source: "inbound", status: "lost", n: 1 },
            { source: "referral", status: "lost", n: 1 },
          ]),
        );
        expect(w.lost_reasons_sample).toEqual(["budget cut"]);
        const october: Period = { from: "2026-10-01T00:00:00.000Z", to: "2026-10-31T23:59:59.999Z" };
        expect(store.analytics().winLoss({ owner: "Priya Nair" }, october).by_segment).toEqual([]);
      });

      it("monthlyOutcomes: won and lost deals by close month with their cycle days", () => {
        seedPipeline(store);
        expect(byJson(store.analytics().monthlyOutcomes({}, Q4))).toEqual(
          byJson([
            { month: "2026-10", status: "won", day: 30, n: 1, sum: 30 },
            { month: "2026-10", status: "won", day: 91, n: 1, sum: 91 },
            { month: "2026-10", status: "lost", day: 20, n: 1, sum: 20 },
            { month: "2026-11", status: "lost", day: 60, n: 1, sum: 60 },
          ]),
        );
        const rows = store.analytics().monthlyOutcomes({ segment: "mid_market_exploring" }, Q4);
        expect(rows.map((r) => r.month)).toEqual(["2026-10", "2026-11"]);
      });

      it("scoringRows: one row per won or lost deal with its features; every holdoutEvery-th held out", () => {
        seedPipeline(store);
        const rows = [...store.analytics().scoringRows([10_000, 50_000], 2, "all")];
        const none = {
          bant_budget: null,
          bant_authority: null,
          bant_need: null,
          bant_timeline: null,
          bant_score: null,
        };
        expect(byJson(rows)).toEqual(
          byJson([
            {
              status: "won",
              holdout: 0,
              segment: "mid_market_exploring",
              source: "referral",
              bant_budget: "approved",
              bant_authority: "decision_maker",
              bant_need: "critical",
              bant_timeline: "defined",
              bant_score: 100,
              amount_bucket: 1,
              reached_stage: idx("onboarding_success"),
            },
            {
              status: "won",
              holdout: 1,
              segment: "enterprise_ready",
              source: "outbound",
              ...none,
              amount_bucket: 2,
              reached_stage: idx("closing"),
            },
            {
              status: "lost",
              holdout: 0,
              segment: "smb_ready",
              source: "inbound",
              ...none,
              amount_bucket: 0,
              reached_stage: idx("discovery"),
            },
            {
              status: "lost",
              holdout: 1,
              segment: "mid_market_exploring",
              source: "referral",
              ...none,
              amount_bucket: 1,
              reached_stage: idx("proposal_negotiation"),
            },
          ]),
        );
        const held = [...store.analytics().scoringRows([10_000, 50_000], 2, "holdout")];
        expect(byJson(held)).toEqual(byJson(rows.filter((r) => r.holdout)));
        expect(held).toHaveLength(2);
      });

      it("version() is stable across reads and changes after every write", () => {
        const a = store.analytics();
        const d = store.createDeal(newDeal(), NOW);
        const writes: Array<[string, () => unknown]> = [
          ["createDeal", () => store.createDeal(newDeal({ name: "Borealis Health - patient portal" }), NOW)],
          ["updateDeal", () => store.updateDeal(d.id, { amount: 50_000 }, NOW)],
          ["logActivity", () => store.logActivity(d.id, { type: "call", occurred_at: NOW, summary: "Call" }, NOW)],
          [
            "moveStage",
            () => store.moveStage(d.id, { stage: "discovery", stage_index: 1, at: NOW, gate: "passed" }, NOW),
          ],
          [
            "upsertStakeholders",
            () => store.upsertStakeholders(d.id, [{ name: "Mara", role: null, decision_maker: true }]),
          ],
          ["recordQualification", () => store.recordQualification(d.id, QUALIFIED, NOW)],
          [
            "recordStageCheck",
            () =>
              store.recordStageCheck(d.id, { stage: "discovery", criteria: {}, evidence: {}, can_advance: false }, NOW),
          ],
          ["parkDeal", () => store.parkDeal(d.id, "2027-01-01", NOW)],
          ["reopenDeal", () => store.reopenDeal(d.id, NOW)],
          ["closeDeal", () => store.closeDeal(d.id, { status: "won", reason: "Signed", closed_at: NOW }, NOW)],
          ["insertDeals", () => store.insertDeals([bulkDeal("Harbor Foods - cold chain")], NOW)],
          ["importDeals", () => store.transaction(() => store.importDeals([{ target: importTarget("hs-9") }], NOW))],
          ["deleteDeal", () => store.deleteDeal("D-0002")],
        ];
        for (const [name, write] of writes) {
          const before = a.version();
          store.listDeals({}, 10);
          a.metrics({}, ALL_TIME, "USD");
          expect(a.version(), `${name}: a read`).toBe(before);
          write();
          expect(a.version(), name).not.toBe(before);
        }
      });

      const bareWrites: Array<[string, (s: DealStore, dealId: string) => unknown]> = [
        ["recordEvent", (s, id) => s.recordEvent(id, "stakeholders", { names: ["Mara Quist"] }, NOW)],
        ["saveRequest", (s) => s.saveRequest({ request_id: "r-1", tool: "create_deal", args_hash: "h", reply: {} })],
        [
          "saveBaseline",
          (s) => s.analytics().saveBaseline({ label: "q4", recorded_at: NOW, as_of: NOW, filters: {}, metrics: {} }),
        ],
      ];
      for (const [name, write] of bareWrites) {
        it(`version() changes after ${name} made outside transaction()`, () => {
          const d = store.createDeal(newDeal(), NOW);
          const before = store.analytics().version();
          write(store, d.id);
          expect(store.analytics().version()).not.toBe(before);
        });
      }

      it("version() changes after an event, a request or a baseline written inside transaction()", () => {
        const d = store.createDeal(newDeal(), NOW);
        for (const [name, write] of bareWrites) {
          const before = store.analytics().version();
          store.transaction(() => write(store, d.id));
          expect(store.analytics().version(), name).not.toBe(before);
        }
      });

      it("baselines are kept by label (a second save replaces it) and listed by prefix, newest first", () => {
        const a = store.analytics();
        const metrics = { win_rate: 0.5, deals_closed: { won: 2, lost: 2, disqualified: 1 } };
        a.saveBaseline({
          label: "2026-q3",
          recorded_at: "2026-10-01T09:00:00.000Z",
          as_of: "2026-09-30",
          filters: { owner: "Dana Lee" },
          metrics,
        });
        a.saveBaseline({
          label: "2026-q4",
          recorded_at: "2026-12-01T09:00:00.000Z",
          as_of: "2026-11-30",
          filters: {},
          metrics,
        });
        a.saveBaseline({
          label: "2026_pilot",
          recorded_at: "2026-11-01T09:00:00.000Z",
          as_of: "2026-10-31",
          filters: {},
          metrics,
        });
        a.saveBaseline({
          label: "kaizen-1",
          recorded_at: "2026-11-15T09:00:00.000Z",
          as_of: "2026-11-14",
          filters: {},
          metrics,
        });
        expect(a.baseline("2026-q3")).toEqual({
          label: "2026-q3",
          recorded_at: "2026-10-01T09:00:00.000Z",
          as_of: "2026-09-30",
          filters: { owner: "Dana Lee" },
          metrics,
        });
        expect(a.baseline("2026-q5")).toBeUndefined();
        expect(a.baselineLabels("2026", 10)).toEqual(["2026-q4", "2026_pilot", "2026-q3"]);
        expect(a.baselineLabels("", 2)).toEqual(["2026-q4", "kaizen-1"]);
        expect(a.baselineLabels("2026_", 10)).toEqual(["2026_pilot"]);
        expect(a.baselineLabels("2026%", 10)).toEqual([]);

        a.saveBaseline({
          label: "2026-q3",
          recorded_at: "2026-12-02T09:00:00.000Z",
          as_of: "2026-09-30",
          filters: {},
          metrics: { win_rate: 0.6 },
        });
        expect(a.baseline("2026-q3")).toMatchObject({
          recorded_at: "2026-12-02T09:00:00.000Z",
          metrics: { win_rate: 0.6 },
        });
        expect(a.baselineLabels("2026", 10)).toEqual(["2026-q3", "2026-q4", "2026_pilot"]);
      });
    });

    describe("deal histories and assessment evidence", () => {
      it("dealHistories gives each deal's whole life: stage entries in order, parked periods and the final outcome", () => {
        const won = walk(
          store,
          { name: "Acme Logistics - fleet rollout", created_at: t("2026-09-01") },
          [
            ["discovery", "2026-09-05"],
            ["proposal_negotiation", "2026-09-20"],
          ],
          { status: "won", reason: "ROI", on: "2026-10-01" },
        );
        const open = walk(
          store,
          { name: "Borealis Health - portal", owner: "Sam Ortiz", created_at: t("2026-10-01") },
          [["discovery", "2026-10-10"]],
        );
        store.parkDeal(open.id, "2027-02-01", t("2026-10-20"));
        const all = store.dealHistories({});
        expect(all.map((h) => h.id)).toEqual([won.id, open.id]);
        const w = all[0]!;
        expect(w.stages.map((x) => x.stage_index)).toEqual([
          idx("prospecting"),
          idx("discovery"),
          idx("proposal_negotiation"),
        ]);
        expect(w.stages.map((x) => x.entered_at)).toEqual([t("2026-09-01"), t("2026-09-05"), t("2026-09-20")]);
        expect(w.outcome).toEqual({ status: "won", closed_at: t("2026-10-01") });
        expect(w.tier).toBe("mid_market");
        const o = all[1]!;
        expect(o.outcome).toBeNull();
        expect(o.parked).toEqual([{ from: t("2026-10-20"), to: null }]);
        store.reopenDeal(open.id, t("2026-11-05"));
        expect(store.dealHistories({ owner: "Sam Ortiz" }).map((h) => h.parked)).toEqual([
          [{ from: t("2026-10-20"), to: t("2026-11-05") }],
        ]);
        // A history is whole or absent: date bounds do not cut it.
        expect(store.dealHistories({ from: "2026-11-01", date_field: "created_at" })).toHaveLength(2);
      });

      it("sellingEvidence reads how a deal was sold: research before contact, discovery calls, qualification before the proposal", () => {
        const d = walk(store, { name: "Cedar Bakery - POS", source: "Paid Search", created_at: t("2026-09-01") });
        store.logActivity(d.id, { type: "note", occurred_at: t("2026-09-01"), summary: "Read their site" }, NOW);
        store.logActivity(d.id, { type: "call", occurred_at: t("2026-09-02"), summary: "Intro" }, NOW);
        store.upsertStakeholders(d.id, [
          { name: "Ines Roy", role: "Owner", decision_maker: true },
          { name: "Tom Roy", role: "Manager", decision_maker: false },
        ]);
        store.moveStage(
          d.id,
          { stage: "discovery", stage_index: idx("discovery"), at: t("2026-09-03"), gate: "passed" },
          NOW,
        );
        store.logActivity(d.id, { type: "meeting", occurred_at: t("2026-09-04"), summary: "Discovery" }, NOW);
        store.logActivity(d.id, { type: "call", occurred_at: t("2026-09-06"), summary: "Follow-up" }, NOW);
        store.recordQualification(d.id, { ...QUALIFIED, detail: {} }, t("2026-09-07"));
        store.logActivity(d.id, { type: "proposal", occurred_at: t("2026-09-10"), summary: "Proposal" }, NOW);
        const reading = {
          contact_types: ["call", "meeting", "demo", "proposal"],
          research_types: ["note", "email"],
          conversation_types: ["call", "meeting"],
          discovery_stage: "discovery",
          proposal_stage: "proposal_negotiation",
        };
        const [e] = store.sellingEvidence({}, reading);
        expect(e).toMatchObject({
          id: d.id,
          source: "paid_search",
          stakeholders: 2,
          decision_makers: 1,
          first_proposal_at: t("2026-09-10"),
          discovery_entered_at: t("2026-09-03"),
          proposal_stage_entered_at: null,
          first_activity_type: "call",
          qualified_before_proposal: true,
          activities_before_first_proposal: { discovery: 2, research: 1, total: 4 },
        });
      });

      it("maturityFacts counts what the maturity assessment reads", () => {
        seedPipeline(store);
        const f = store.maturityFacts(idx("discovery"));
        const c = store.counts();
        expect(f.deals).toBe(c.deals);
        expect(f.moves).toBe(f.moves_passed + f.moves_overridden);
        expect(f.closed_won_lost_with_reason).toBeLessThanOrEqual(f.closed_won_lost);
        expect(f.open + f.closed).toBeLessThanOrEqual(f.deals);
        expect(f.activities).toBe(c.activities);
        expect(f.baselines).toBe(0);
        store
          .analytics()
          .saveBaseline({ label: "win-loss-2026-Q3", recorded_at: NOW, as_of: NOW, filters: {}, metrics: {} });
        expect(store.maturityFacts(idx("discovery"))).toMatchObject({
          baselines: 1,
          win_loss_baselines: 1,
          last_baseline_at: NOW,
        });
      });
    });

    describe("health, backup and restore", () => {
      let dir: string;
      beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), "lsm-contract-backup-"));
      });
      afterEach(() => rmSync(dir, { recursive: true, force: true }));

      const snapshot = (s: DealStore) => ({
        deals: s.listDeals({}, 100).deals,
        history: s.stageHistory("D-0001"),
        activities: s.activities("D-0006", 10),
        counts: s.counts(),
      });

      it("counts() gives the rows per table", () => {
        expect(Object.values(store.counts()).every((n) => n === 0)).toBe(true);
        seedPipeline(store);
        store.saveRequest({ request_id: "r-1", tool: "create_deal", args_hash: "h", reply: {} });
        store.upsertStakeholders("D-0006", [{ name: "Nils Berg", role: "Customs lead", decision_maker: false }]);
        store.recordStageCheck(
          "D-0006",
          { stage: "solution_presentation", criteria: {}, evidence: {}, can_advance: false },
          NOW,
        );
        expect(store.counts()).toMatchObject({
          deals: 7,
          // 7 first rows + 4 + 4 + 1 + 3 + 0 + 2 + 0 moves
          stage_history: 21,
          activities: 6,
          qualifications: 1,
          stage_checks: 1,
          stakeholders: 1,
          requests: 1,
        });
      });

      it("status() reports a current schema and a clean integrity check", () => {
        seedPipeline(store);
        const s = store.status();
        expect(s.schema_version).toBe(s.schema_version_supported);
        expect(s.schema_version).toBeGreaterThan(0);
        expect(s.integrity).toBe("ok");
        expect(typeof s.driver).toBe("object");
      });

      it("backupTo writes a copy that another store restores with the same deals", async () => {
        seedPipeline(store);
        const dest = join(dir, "before-q4-review.backup");
        store.backupTo(dest);
        const other = open();
        try {
          expect(await other.store.restoreFrom(dest)).toEqual({ deals: 7 });
          const copy = other.reopen();
          expect(snapshot(copy)).toEqual(snapshot(store));
          expect(copy.status().integrity).toBe("ok");
        } finally {
          other.cleanup();
        }
      });

      it("backupTo refuses an existing destination, leaving it as it was and nothing else", () => {
        seedPipeline(store);
        const dest = join(dir, "precious.txt");
        writeFileSync(dest, "not a backup: keep me");
        expectStoreError(() => store.backupTo(dest), "dest", dest);
        expect(readFileSync(dest, "utf8")).toBe("not a backup: keep me");
        expect(readdirSync(dir)).toEqual(["precious.txt"]);
      });

      it("backupTo into a missing folder fails and leaves nothing", () => {
        const dest = join(dir, "no-such-folder", "deals.backup");
        expect(() => store.backupTo(dest)).toThrow();
        expect(readdirSync(dir)).toEqual([]);
      });

      it("restoreFrom brings back the backup's contents (backup, change, restore)", async () => {
        seedPipeline(store);
        const dest = join(dir, "deals.backup");
        store.backupTo(dest);
        const saved = snapshot(store);
        store.createDeal(newDeal({ name: "Harbor Foods - cold chain" }), NOW);
        store.closeDeal("D-0006", { status: "lost", reason: "Went dark", closed_at: NOW }, NOW);
        store.deleteDeal("D-0001");
        store.logActivity("D-0006", { type: "email", occurred_at: NOW, summary: "Breakup email" }, NOW);
        expect(await store.restoreFrom(dest)).toEqual({ deals: 7 });
        const restored = fx.reopen();
        expect(snapshot(restored)).toEqual(saved);
        expect(restored.createDeal(newDeal({ name: "Harbor Foods - cold chain" }), NOW).id).toBe("D-0008");
      });

      it("restoreFrom refuses a missing file and leaves the store untouched and usable", async () => {
        seedPipeline(store);
        const saved = snapshot(store);
        await expect(store.restoreFrom(join(dir, "missing.backup"))).rejects.toBeInstanceOf(StoreError);
        expect(snapshot(store)).toEqual(saved);
      });

      it("restoreFrom refuses a garbage or truncated file with a StoreError, the store untouched and usable", async () => {
        seedPipeline(store);
        const dest = join(dir, "deals.backup");
        store.backupTo(dest);
        store.createDeal(newDeal({ name: "Harbor Foods - cold chain" }), NOW);
        const saved = snapshot(store);
        const garbage = join(dir, "deals-export.csv");
        writeFileSync(garbage, "deal_id,name\nD-0001,Acme Logistics - fleet rollout\n".repeat(200));
        const truncated = join(dir, "truncated.backup");
        const bytes = readFileSync(dest);
        writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
        for (const bad of [garbage, truncated]) {
          await expect(store.restoreFrom(bad), bad).rejects.toBeInstanceOf(StoreError);
          expect(snapshot(store), bad).toEqual(saved);
        }
      });

      it("restoreFrom of an empty file fails and leaves the stored deals as they were", async () => {
        seedPipeline(store);
        const saved = snapshot(store);
        const empty = join(dir, "empty.backup");
        writeFileSync(empty, "");
        await expect(store.restoreFrom(empty)).rejects.toThrow();
        store.close();
        expect(snapshot(fx.reopen())).toEqual(saved);
      });

      it("restoreFrom refuses an empty file like any other non-backup: a StoreError, the store still open", async () => {
        seedPipeline(store);
        const saved = snapshot(store);
        const empty = join(dir, "empty.backup");
        writeFileSync(empty, "");
        await expect(store.restoreFrom(empty)).rejects.toBeInstanceOf(StoreError);
        expect(snapshot(store)).toEqual(saved);
      });
    });
  });
}
