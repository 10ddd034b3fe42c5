// V8's tier-up budget, tuned for serving once start-up is over. V8 optimises a function after it
// has run a budget of bytecode (67,584 by default, a browser's trade-off): a tool call runs the
// SDK's request path, our schemas' parsers and a handler, and at the default a server answers its
// first thousand calls or so mostly from the interpreter and the baseline compiler. A quarter of
// that budget gets a call's code optimised within the first hundred calls or so (the same
// optimising compiler, on its background thread; nothing skipped or cached). Set only after
// start-up: during start-up (data/ validated once, modules run once) a small budget would spend
// the time before the first answer optimising code that never runs again.
import { setFlagsFromString } from "node:v8";

/** The interrupt budget once serving, in bytecode bytes (V8's default: 67,584). */
export const SERVING_INTERRUPT_BUDGET = 16_384;

let tuned = false;

/** Switches V8 to the serving budget (once; later calls do nothing). */
export function tuneForServing(): void {
  if (tuned) return;
  tuned = true;
  // The build's run of the server writes V8's code cache now, with start-up compiled and before the
  // flags change (scripts/build.mjs).
  const writeCodeCache = (globalThis as Record<symbol, unknown>)[Symbol.for("lean-sales-mcp.writeCodeCache")];
  if (typeof writeCodeCache === "function") writeCodeCache();
  setFlagsFromString(`--interrupt-budget=${SERVING_INTERRUPT_BUDGET}`);
}
