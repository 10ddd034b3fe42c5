import { z } from "zod";

/**
 * Validation messages an agent can act on (the SDK appends " at <field>" to each). zod keeps
 * them in its global configuration, the only place the SDK's own input validation reads, so
 * createServer applies them once; nothing else changes zod's configuration.
 *
 * jitless: zod compiles a parser per schema on first use, which costs more at start-up (data/
 * and prompt files are parsed once) than interpreting the small inputs of a tool call saves; the
 * CLI applies this before it loads data/.
 */
export function useAgentMessages(): void {
  z.config({
    jitless: true,
    customError: (iss) => {
      if (iss.code === "invalid_value" && iss.values.length > 1) {
        return `must be one of ${iss.values.map(String).join(", ")} (got ${JSON.stringify(iss.input)?.slice(0, 60)})`;
      }
      if (iss.code === "invalid_type" && iss.input === undefined) return "is required";
      if (iss.code === "unrecognized_keys")
        return `unknown argument${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => `"${k}"`).join(", ")}; see the tool's input schema`;
      return undefined;
    },
  });
}
