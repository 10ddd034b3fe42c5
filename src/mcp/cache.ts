// 2026-07-28 cache hints: what never changes while the server runs (the tool, prompt and template
// lists, the methodology rendered from data/) may be cached by any client for this long. A
// restart with a team's changed methodology is picked up once the hint runs out.
import type { CacheHint } from "@modelcontextprotocol/server";

export const STATIC_TTL_MS = 10 * 60_000;
export const STATIC: CacheHint = { ttlMs: STATIC_TTL_MS, cacheScope: "public" };
