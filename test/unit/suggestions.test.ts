// "Did you mean": an agent that typed a near miss is told the value it meant; one that typed
// something unrelated is told the accepted values, never a misleading guess.
import { describe, expect, it } from "vitest";
import { nearest, unknownArguments } from "../../src/app/schemas.js";
import { z } from "zod";

const STAGES = ["prospecting", "discovery", "proposal", "closing", "success"];
const OLD = { solution_presentation: "proposal", proposal_negotiation: "proposal", onboarding_success: "success" };

describe("nearest", () => {
  it("names the value a typo or a typed word meant", () => {
    expect(nearest("discovry", STAGES)).toBe("discovery");
    expect(nearest("Closing ", STAGES)).toBe("closing");
    expect(nearest("to", ["deal_id", "to_stage", "override_reason", "at"])).toBe("to_stage");
  });

  it("reads an old stage id's word as the stage it became", () => {
    expect(nearest("negotiation", STAGES, OLD)).toBe("proposal");
    expect(nearest("onboarding", STAGES, OLD)).toBe("success");
  });

  it("suggests nothing for an unrelated word", () => {
    expect(nearest("negotiation", STAGES)).toBeUndefined();
    expect(nearest("confirmed", ["tested", "potential", "unknown", "none"])).toBeUndefined();
    expect(nearest("abandoned", ["won", "lost", "disqualified"])).toBeUndefined();
  });
});

describe("unknownArguments", () => {
  const shape = { filters: z.object({ stage: z.string(), owner: z.string() }).optional(), limit: z.number() };
  it("points at the nested argument a key belongs to, and lists the keys taken", () => {
    expect(unknownArguments(["stage"], shape)).toBe(
      'unknown argument "stage" (did you mean filters.stage?); expected filters, limit',
    );
    expect(unknownArguments(["limt", "colour"], shape)).toBe(
      'unknown arguments "limt" (did you mean limit?), "colour"; expected filters, limit',
    );
  });
});
