// A year of pipeline built through the store API, deterministic from a seed: deals in every
// segment, wins and losses each month, open deals (some stuck in their stage), activities,
// qualifications, stakeholders, a few deal names that try to inject markup, and a baseline.
import type { Harness } from "../helpers/connect.js";

export const NOW = "2026-11-28T12:00:00.000Z";
const DAY = 86_400_000;

/** Stored text that must come out escaped everywhere. */
export const HOSTILE_NAMES = [
  `<script>alert("x")</script>`,
  `"><img src=x onerror=alert(1)>`,
  `</svg><svg onload=alert(2)>`,
  `Acme & Sons <b>bold</b> 'quoted'`,
];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const iso = (t: number) => new Date(t).toISOString();

export interface Built {
  ids: string[];
  hostile: string[];
}

/** Builds about `n` deals; returns their ids and the ids of the hostile-named ones. */
export async function buildPipeline(
  h: Harness,
  opts: { seed?: number; n?: number; baseline?: boolean } = {},
): Promise<Built> {
  const rand = rng(opts.seed ?? 7);
  const m = h.deps.methodology;
  const now = Date.parse(NOW);
  const tiers = ["enterprise", "mid_market", "smb"] as const;
  const readiness = ["ready", "exploring", "not_ready"] as const;
  const stageDays = { enterprise: 24, mid_market: 14, smb: 6 };
  const owners = ["Dana Lee", "Sam Ortiz", "Kim Park"];
  const ids: string[] = [];
  const hostile: string[] = [];
  const n = opts.n ?? 90;

  h.store.transaction(() => {
    for (let i = 0; i < n; i++) {
      const tier = tiers[i % 3]!;
      const ready = readiness[Math.floor(i / 3) % 3]!;
      // The hostile-named deals are the oldest, stuck for most of a year.
      const created = i < HOSTILE_NAMES.length ? now - 400 * DAY : now - (8 + Math.floor(rand() * 360)) * DAY;
      const name = i < HOSTILE_NAMES.length ? HOSTILE_NAMES[i]! : `Deal ${i + 1}`;
      const deal = h.store.createDeal(
        {
          name,
          account: i < HOSTILE_NAMES.length ? `<i>Account</i> ${i}` : `Account ${i % 23}`,
          owner: owners[i % owners.length]!,
          amount: Math.round(
            (tier === "enterprise" ? 80_000 : tier === "mid_market" ? 25_000 : 6_000) * (0.5 + rand()),
          ),
          currency: "USD",
          stage: "prospecting",
          stage_index: 0,
          tier,
          readiness: ready,
          segment: `${tier}_${ready}`,
          source: rand() < 0.5 ? "inbound" : "outbound",
          created_at: iso(created),
          stage_entered_at: iso(created),
        },
        NOW,
      );
      ids.push(deal.id);
      if (i < HOSTILE_NAMES.length) hostile.push(deal.id);

      // The hostile deals are open and stuck in discovery: they must reach the stalled table.
      const stuck = i < HOSTILE_NAMES.length;
      const target = stuck ? 0 : 1 + Math.floor(rand() * 4); // furthest stage 1..4 before closing
      let t = created;
      let stage = 0;
      for (let k = 1; k <= target; k++) {
        const next = t + Math.round(stageDays[tier] * (0.5 + rand())) * DAY;
        if (next >= now - 2 * DAY) break;
        t = next;
        stage = k;
        h.store.moveStage(deal.id, { stage: m.stages[k]!.id, stage_index: k, at: iso(t), gate: "passed" }, NOW);
      }
      if (stuck) {
        // In discovery since 300-360 days ago.
        t = now - (360 - i * 20) * DAY;
        stage = 1;
        h.store.moveStage(deal.id, { stage: "discovery", stage_index: 1, at: iso(t), gate: "passed" }, NOW);
      }
      const verdict = stage >= 2 || rand() < 0.5 ? "qualified" : "needs_discovery";
      h.store.recordQualification(
        deal.id,
        {
          budget: "approved",
          authority: "decision_maker",
          need: "confirmed",
          timeline: "defined",
          score: verdict === "qualified" ? 80 : 45,
          verdict,
          detail: {},
        },
        NOW,
      );
      h.store.upsertStakeholders(deal.id, [
        { name: "Champion", role: "champion", decision_maker: false },
        { name: "Buyer", role: "economic_buyer", decision_maker: rand() < 0.8 },
      ]);
      for (const type of ["meeting", "demo", "call"]) {
        const at = t + Math.round(rand() * 3) * DAY;
        if (at < now)
          h.store.logActivity(deal.id, { type, occurred_at: iso(at), summary: `${type} with the customer` }, NOW);
      }

      // Close when the deal went far enough and there was time; otherwise it stays open.
      const closeAt = t + Math.round(stageDays[tier] * (0.5 + rand())) * DAY;
      if (!stuck && closeAt < now - DAY && rand() < 0.8) {
        if (stage >= 3 && rand() < 0.75) {
          if (stage < 4)
            h.store.moveStage(
              deal.id,
              { stage: "closing", stage_index: 4, at: iso(closeAt - DAY), gate: "passed" },
              NOW,
            );
          h.store.closeDeal(
            deal.id,
            { status: "won", reason: "Value proven in the pilot", closed_at: iso(closeAt) },
            NOW,
          );
        } else {
          h.store.closeDeal(
            deal.id,
            { status: "lost", reason: rand() < 0.2 ? "" : "Chose a competitor", closed_at: iso(closeAt) },
            NOW,
          );
        }
      }
    }
  });
  if (opts.baseline !== false) {
    await h.callOk("record_baseline", {
      label: "kickoff <b>2026</b>",
      as_of: "2026-06-30",
      filters: { from: "2026-01-01" },
    });
  }
  return { ids, hostile };
}
