// Prompts on the MCP server: argument schemas with completion, and rendering per request.
import { randomUUID } from "node:crypto";
import {
  completable,
  ProtocolError,
  ProtocolErrorCode,
  type GetPromptResult,
  type McpServer,
} from "@modelcontextprotocol/server";
import { z } from "zod";
import { InputError } from "../../methodology/errors.js";
import { newNonce } from "../../app/fence.js";
import type { Deps } from "../../app/deps.js";
import { dealRecord } from "../../app/deal-record.js";
import { servedTools } from "../tools/index.js";
import { type PromptDef, promptsFor } from "./load.js";
import { type Render } from "./types.js";
import { renderNodes } from "./template.js";
import { ARGUMENTS, type ArgName, type ArgumentKind } from "./arguments.js";
import { localDate } from "../../zone.js";

// ---------------------------------------------------------------- registering
export function registerPrompts(server: McpServer, deps: Deps): void {
  const served = new Set(servedTools(deps).map((t) => t.name));
  // A prompt never names a tool this server does not serve (--read-only, --toolsets).
  for (const p of promptsFor(deps).filter((x) => [...x.tools].every((t) => served.has(t)))) {
    const shape: Record<string, z.ZodType> = {};
    for (const a of p.arguments) {
      let s: z.ZodType = ARGUMENTS[a.name].schema(deps.methodology);
      if (a.required) s = (s as z.ZodType<string>).refine((v) => v !== "", `${a.name} is required`);
      s = s.describe(a.description);
      const complete = (ARGUMENTS[a.name] as ArgumentKind).complete?.(deps);
      // Completion wraps the argument itself; optional goes outside it, or the SDK finds no completer.
      if (complete) s = completable(s, complete as never);
      shape[a.name] = a.required ? s : s.optional();
    }
    server.registerPrompt(p.name, { title: p.title, description: p.description, argsSchema: z.object(shape) as never }, ((
      args: Record<string, string | undefined>,
    ) => renderPrompt(p, args, deps)) as never);
  }
}

/** Renders one prompt; stored text only ever appears inside a fenced data block. */
export function renderPrompt(p: PromptDef, rawArgs: Record<string, string | undefined>, deps: Deps): GetPromptResult {
  const started = performance.now();
  const m = deps.methodology;
  // "" means not given (see ARGUMENTS).
  const args = Object.fromEntries(Object.entries(rawArgs).filter(([, v]) => v !== undefined && v !== "")) as Partial<
    Record<ArgName, string>
  >;
  try {
    let deal: Render["deal"];
    if (args.deal_id) {
      const found = deps.store().getDeal(args.deal_id);
      deal = { id: args.deal_id, ...(found ? { record: dealRecord(m, deps.store(), args.deal_id, 10) } : {}) };
    }
    const stageId = args.stage ?? deal?.record?.deal.stage;
    const r: Render = {
      m,
      args,
      ...(deal ? { deal } : {}),
      ...(stageId ? { stage: m.stage(stageId as never) } : {}),
      today: localDate(deps.now()),
      blocks: [],
      nonce: newNonce(),
    };
    const text = renderNodes(p.body, r)
      .replace(/[ \t]+\n/g, "\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim()
      .replace(/\u0000(\d+)\u0000/g, (_s, i: string) => r.blocks[Number(i)]!);
    deps.log.info(
      {
        prompt: p.name,
        ms: Math.round((performance.now() - started) * 100) / 100,
        deal: deal ? (deal.record ? "found" : "missing") : "none",
      },
      "prompt get",
    );
    return { description: p.description, messages: [{ role: "user", content: { type: "text", text } }] };
  } catch (err) {
    if (err instanceof InputError) throw new ProtocolError(ProtocolErrorCode.InvalidParams, err.message);
    const ref = randomUUID().slice(0, 8);
    deps.log.error({ err, prompt: p.name, ref }, "prompt failed");
    throw new ProtocolError(
      ProtocolErrorCode.InternalError,
      `Prompt ${p.name} could not be rendered (ref ${ref}); the server log has the details under that ref.`,
    );
  }
}
