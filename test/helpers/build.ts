// Builds deals with a controlled stage history straight through the store (analytics tests).
import type { Harness } from "./connect.js";

export const T = (d: string) => `${d}T00:00:00.000Z`;
const NOW = "2026-11-28T12:00:00.000Z";

/** Builds a deal with a controlled stage history straight through the store. */
export function build(
  h: Harness,
  d: {
    owner: string;
    amount: number | null;
    currency?: string;
    created: string;
    moves: string[];
    close?: { status: "won" | "lost" | "disqualified"; at: string; reason?: string };
  },
): string {
  const m = h.deps.methodology;
  const deal = h.store.createDeal(
    {
      name: `Deal ${d.created}`,
      account: "Acct",
      owner: d.owner,
      amount: d.amount,
      currency: d.currency ?? "USD",
      stage: "prospecting",
      stage_index: 0,
      tier: "mid_market",
      readiness: "ready",
      segment: "mid_market_ready",
      created_at: T(d.created),
      stage_entered_at: T(d.created),
    },
    NOW,
  );
  d.moves.forEach((at, i) => {
    const s = m.stages[i + 1]!;
    h.store.moveStage(deal.id, { stage: s.id, stage_index: i + 1, at: T(at), gate: "passed" }, NOW);
  });
  if (d.close)
    h.store.closeDeal(
      deal.id,
      {
        status: d.close.status,
        reason: d.close.reason ?? "reason",
        closed_at: T(d.close.at),
        ...(d.close.status === "won" ? { reached_stage_index: m.wonStageIndex } : {}),
      },
      NOW,
    );
  return deal.id;
}
