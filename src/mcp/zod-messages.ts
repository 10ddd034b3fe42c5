import { z } from "zod";
import { unknownArguments } from "../app/schemas.js";

/**
 * Validation messages an agent can act on (the SDK appends " at <field>" to each). zod keeps
 * them in its global configuration, the only place the SDK's own input validation reads, so
 * createServer applies them once; nothing else changes zod's configuration.
 *
 * zod's JIT stays on: it compiles a parser per object schema on first use, which every later tool
 * call (and the SDK's own message parsing) gains from. Files read once at start-up (data/,
 * prompts/, a team's methodology folder) are parsed with PARSE_ONCE (methodology/provenance.ts), so start-up never pays for
 * compiling parsers it uses a single time. (A global `jitless` would do the opposite of both:
 * zod reads it when a schema is built, so it would slow every tool call and spare only schemas
 * built after it was set.)
 */
export function useAgentMessages(): void {
  z.config({
    customError: (iss) => {
      if (iss.code === "invalid_value" && iss.values.length > 1) {
        return `must be one of ${iss.values.map(String).join(", ")} (got ${JSON.stringify(iss.input)?.slice(0, 60)})`;
      }
      if (iss.code === "invalid_type" && iss.input === undefined) return "is required";
      if (iss.code === "unrecognized_keys") {
        const shape = (iss.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def
          ?.shape;
        return shape
          ? unknownArguments(iss.keys, shape)
          : `unknown argument${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => `"${k}"`).join(", ")}; see the tool's input schema`;
      }
      return undefined;
    },
  });
}
