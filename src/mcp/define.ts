// How a tool is declared, answered and registered. The only tools file that imports the SDK.
// - Tool schemas are converted to JSON Schema once per process (leanSchema).
// - `kind` decides the four annotations (never written by hand per tool).
// - Every failure becomes an `isError` result that says what to send instead; stacks go to the log.
// - Writes run through ctx.write(): one BEGIN IMMEDIATE transaction, and with a `request_id`
//   the reply is stored in that same transaction so a retry returns it instead of writing twice.
// - Stored free text is fenced in the text content with a per-response nonce.
import { createHash, randomUUID } from "node:crypto";
import {
  CLIENT_CAPABILITIES_META_KEY,
  inputRequired,
  inputResponse,
  type ContentBlock,
  type InputRequiredResult,
  type McpServer,
  type ServerContext,
  type StandardSchemaV1,
  type StandardSchemaWithJSON,
  type ToolAnnotations,
} from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Logger } from "../log.js";
import type { McpLog } from "./log.js";
import { InputError } from "../methodology/errors.js";
import type { Deps } from "../app/deps.js";
import type { Methodology } from "../methodology/load.js";
import { fence } from "../app/fence.js";
import { ADVERTISED_AS_STATUS } from "../app/schemas.js";

/**
 * read: changes nothing. append: only adds records. update: changes existing records, and the
 * same call twice leaves the same state. mutate: changes existing records, and repeating it
 * changes them again.
 */
export type ToolKind = "read" | "append" | "update" | "mutate";

export function annotationsFor(kind: ToolKind): ToolAnnotations {
  return {
    readOnlyHint: kind === "read",
    destructiveHint: kind === "update" || kind === "mutate",
    idempotentHint: kind === "read" || kind === "update",
    openWorldHint: false,
  };
}

/** A call the agent may make next: the same for clients that read the text and those that read structuredContent. */
export interface NextStep {
  tool: string;
  arguments: Record<string, unknown>;
  why: string;
}
export const NextSteps = z
  .array(z.object({ tool: z.string(), arguments: z.record(z.string(), z.unknown()), why: z.string() }))
  .describe("Calls worth making next, most useful first");

export interface Reply<S> {
  structured: S;
  /** Markdown lines with ids, numbers and names from data/ only: never stored free text. */
  summary: string[];
  /** Stored free text to show the agent; fenced as data with a per-response nonce. */
  data?: string;
  /** Content items after the text (e.g. a resource link). */
  content?: ContentBlock[];
  /** What to call next: rendered as "Next:" lines and as structuredContent.next_steps. */
  next?: NextStep[];
}

export function reply<S>(structured: S, summary: string[] | string, data?: string, next?: NextStep[]): Reply<S> {
  return {
    structured,
    summary: Array.isArray(summary) ? summary : [summary],
    ...(data ? { data } : {}),
    ...(next?.length ? { next } : {}),
  };
}

/** Adds next steps to a reply (tools compute them after the answer). */
export function withNext<S>(r: Reply<S>, next: Array<NextStep | false | undefined>): Reply<S> {
  const steps = next.filter((x): x is NextStep => !!x);
  return steps.length ? { ...r, next: [...(r.next ?? []), ...steps] } : r;
}

export interface ToolContext extends Deps {
  /** The MCP request: its envelope (2026), input responses of a retried call, what the client can do. */
  mcp: ServerContext;
  /** Runs fn in one immediate transaction; with a request_id, stores its reply in the same one. */
  write<S>(fn: () => Reply<S>): Reply<S>;
  /** Sends a progress notification when the client asked for progress (a no-op otherwise). */
  progress(done: number, total: number, message: string): Promise<void>;
  /** Sends an MCP log message (honours logging/setLevel). */
  notify(level: "debug" | "info" | "warning" | "error", data: string): Promise<void>;
  signal: AbortSignal;
  /** Whether the user can be asked through this client (form elicitation; see ask()). */
  canAsk(): boolean;
  /** The user's answer, in this retried call, to the question ask() put under `key`. */
  answer(key: string): { action: "accept" | "decline" | "cancel"; content?: Record<string, unknown> } | undefined;
}

/**
 * Asks the user a question before the call can finish: an input-required result, which a
 * 2026-07-28 client fulfils and retries with the answer, and which the SDK turns into an
 * elicitation request on 2025 connections (then calls the tool again). Check ctx.canAsk() first.
 */
export function ask(key: string, message: string, form: StandardSchemaWithJSON): InputRequiredResult {
  return inputRequired({ inputRequests: { [key]: inputRequired.elicit({ message, requestedSchema: form }) } });
}

/** Form elicitation: `elicitation: {}` (form implied) or one that lists form. */
function canElicitForm(server: McpServer, extra: ServerContext): boolean {
  const envelope = extra.mcpReq.envelope as Record<string, unknown> | undefined;
  const caps = (envelope?.[CLIENT_CAPABILITIES_META_KEY] ?? server.server.getClientCapabilities()) as
    { elicitation?: { form?: object; url?: object } } | undefined;
  const e = caps?.elicitation;
  return !!e && (e.form !== undefined || e.url === undefined);
}

type Shape = z.ZodRawShape;
type Input<I extends Shape> = z.infer<z.ZodObject<I>>;

/**
 * A schema shape, or one built from the active methodology (a team's stages, its qualification
 * framework): built once per methodology when the tool is first served, so tools/list shows the
 * team's ids.
 */
export type ShapeFor<S extends Shape> = S | ((m: Methodology) => S);

/** A tool's title or description, or one that names the active methodology's terms (its framework). */
export type TextFor = string | ((m: Methodology) => string);
export const textOf = (text: TextFor, m: Methodology): string => (typeof text === "function" ? text(m) : text);

export interface ToolDef<I extends Shape = Shape, O extends Shape = Shape> {
  name: string;
  title: TextFor;
  kind: ToolKind;
  description: TextFor;
  input: ShapeFor<I>;
  output: ShapeFor<O>;
  /** The answer, or a question for the user first (an input-required result; see import_deals). */
  handle(
    input: Input<I>,
    ctx: ToolContext,
  ):
    | Reply<z.infer<z.ZodObject<O>>>
    | InputRequiredResult
    | Promise<Reply<z.infer<z.ZodObject<O>>> | InputRequiredResult>;
  /** The tool's `_meta` (e.g. an MCP Apps `ui.resourceUri`). */
  meta?: Record<string, unknown>;
}

export function defineTool<I extends Shape, O extends Shape>(def: ToolDef<I, O>): ToolDef<I, O> {
  return def;
}

export const RequestId = z
  .string()
  .refine((v) => /^[A-Za-z0-9_.:-]{8,100}$/.test(v), "request_id is 8-100 letters, digits or _ . : - (a UUID works)");

const nextLine = (n: NextStep) => `Next: ${n.tool} ${JSON.stringify(n.arguments)}: ${n.why}`;

export function renderReply<S>(r: Reply<S>) {
  const summary = [...r.summary, ...(r.next ?? []).map(nextLine)].join("\n");
  const text = [summary, r.data ? fence(r.data) : ""].filter(Boolean).join("\n\n");
  const structured = r.next?.length ? { ...(r.structured as object), next_steps: r.next } : r.structured;
  return {
    content: [{ type: "text" as const, text }, ...(r.content ?? [])],
    structuredContent: structured as Record<string, unknown>,
  };
}

function errorResult(message: string) {
  return { content: [{ type: "text" as const, text: message }], isError: true };
}

const hashArgs = (args: unknown) => createHash("sha256").update(JSON.stringify(args)).digest("hex");

/**
 * A zod schema as the SDK reads it (Standard Schema with JSON Schema), with the JSON Schema made
 * once per process instead of on every tools/list, and without its `$schema` line (a draft URL
 * the model does not need: ~50 characters a schema in every conversation). Validation is zod's,
 * so the forgiving inputs (typed enum forms, "d-42") and their messages stay.
 *
 * Each schema is compiled by zod (z.compile) on its tool's first call: a generated parser for the
 * valid case, which falls back to zod's own parser for anything it rejects, so the value and every
 * message are the ones the schema gives. An output is only checked (the SDK keeps the tool's own
 * value): zod's compiled check says valid or not, and only a failure is parsed for its messages.
 */
function leanSchema(build: () => z.ZodType, role: "input" | "output"): StandardSchemaWithJSON {
  // Built on first use (a tools/list, or the tool's first call), not when a server registers the
  // tool: start-up then answers without building some thirty tools' schemas. The data they are
  // built from was validated before that (methodology/load.ts).
  let schema: z.ZodType | undefined;
  const zod = () => (schema ??= build());
  const std = () => (zod() as unknown as StandardSchemaWithJSON)["~standard"];
  const cache: Partial<Record<"input" | "output", Record<string, unknown>>> = {};
  const json = (io: "input" | "output") => (options: { target: string }) => {
    if (!cache[io]) {
      const { $schema: _drop, ...rest } = std().jsonSchema[io](options as never) as Record<string, unknown>;
      cache[io] = io === "input" ? statusForms(openNested(rest, true) as Record<string, unknown>) : rest;
    }
    return cache[io]!;
  };
  let compiled: z.ZodType | undefined;
  const fast = () => (compiled ??= z.compile(zod()));
  // Several problems: one line each (the SDK would join them with commas on one line).
  const lines = (r: StandardSchemaV1.Result<unknown>) => {
    if (!r.issues || r.issues.length < 2) return r;
    const line = (i: (typeof r.issues)[number]) =>
      `${(i.path ?? []).map((p) => String(typeof p === "object" ? p.key : p)).join(".") || "arguments"}: ${i.message}`;
    return { issues: [{ message: `\n${r.issues.map(line).join("\n")}` }] };
  };
  const validate =
    role === "input"
      ? async (value: unknown) =>
          lines(await (fast() as unknown as StandardSchemaWithJSON)["~standard"].validate(value))
      : async (value: unknown) => (fast().validate(value) ? { value } : lines(await std().validate(value)));
  // zod's own ~standard (vendor "zod", version 1) with our validate and JSON Schema.
  return {
    "~standard": { vendor: "zod", version: 1, validate, jsonSchema: { input: json("input"), output: json("output") } },
  } as StandardSchemaWithJSON;
}

/**
 * The input schema without `additionalProperties: false` below its top level (the nested
 * closedObjects): the top level says once per tool that unknown keys are refused.
 */
function openNested(json: unknown, top = false): unknown {
  if (Array.isArray(json)) return json.map((x) => openNested(x));
  if (typeof json !== "object" || json === null) return json;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) {
    if (k === "additionalProperties" && v === false && !top) continue;
    out[k] = openNested(v);
  }
  return out;
}

/**
 * An input property marked ADVERTISED_AS_STATUS ({status, note?} or the status alone) is shown as
 * its status: the short form, which the tool reads the same way.
 */
function statusForms(json: Record<string, unknown>): Record<string, unknown> {
  const props = json.properties as Record<string, Record<string, unknown>> | undefined;
  if (!props) return json;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    const status = (v.properties as Record<string, unknown> | undefined)?.status;
    out[k] = v[ADVERTISED_AS_STATUS] && status ? status : v;
  }
  return { ...json, properties: out };
}

/** A tool's input or output shape under a methodology. */
export function shapeOf<S extends Shape>(shape: ShapeFor<S>, m: Methodology): S {
  return typeof shape === "function" ? shape(m) : shape;
}

// One lean schema pair per tool definition and methodology, shared by every server instance
// (HTTP builds one per request).
type Pair = { input: StandardSchemaWithJSON; output: StandardSchemaWithJSON };
const schemas = new WeakMap<ToolDef, WeakMap<Methodology, Pair>>();
function schemasOf(def: ToolDef, writes: boolean, m: Methodology) {
  let byMethodology = schemas.get(def);
  if (!byMethodology) schemas.set(def, (byMethodology = new WeakMap()));
  let s = byMethodology.get(m);
  if (!s) {
    s = {
      // Strict: an unknown argument is refused by name instead of silently ignored.
      input: leanSchema(() => {
        const own = shapeOf(def.input, m);
        return z.object(writes ? { ...own, request_id: RequestId.optional() } : own).strict();
      }, "input"),
      output: leanSchema(() => z.object({ ...shapeOf(def.output, m), next_steps: NextSteps.optional() }), "output"),
    };
    byMethodology.set(m, s);
  }
  return s;
}

/** The highest progress sent per call in flight (session, request, token): notifications never go backwards. */
const progressSeen = new Map<string, number>();
/**
 * One call's ToolContext: the deps, this request, and what a handler may do with them. A class,
 * so every call's context has one shape with the deps copied field by field: an object spread
 * from deps with a closure per member, made on every call, cost more than a quick tool's own work.
 * The members a handler may hand on (progress to an import, say) are arrow functions, as before.
 */
class CallContext implements ToolContext {
  readonly methodology: Deps["methodology"];
  readonly store: Deps["store"];
  readonly log: Deps["log"];
  readonly importRoots: Deps["importRoots"];
  readonly promptsDir: Deps["promptsDir"];
  readonly now: Deps["now"];
  readonly user: Deps["user"];
  readonly readOnly: Deps["readOnly"];
  readonly toolsets: Deps["toolsets"];
  readonly signal: AbortSignal;

  constructor(
    deps: Deps,
    readonly mcp: ServerContext,
    private readonly server: McpServer,
    private readonly tool: string,
    private readonly mcpLog: McpLog,
    private readonly requestId: string | undefined,
    private readonly argsHash: string,
  ) {
    this.methodology = deps.methodology;
    this.store = deps.store;
    this.log = deps.log;
    this.importRoots = deps.importRoots;
    this.promptsDir = deps.promptsDir;
    this.now = deps.now;
    this.user = deps.user;
    this.readOnly = deps.readOnly;
    this.toolsets = deps.toolsets;
    this.signal = mcp.mcpReq.signal;
  }

  write = <S>(fn: () => Reply<S>): Reply<S> => {
    // A read-only server never opens a write transaction (the tools answer without recording).
    if (this.readOnly) throw new InputError("This server is read-only: nothing can be written.");
    const { requestId } = this;
    return this.store().transaction(() => {
      // Checked again inside the transaction: another process may have just written it.
      const again = requestId ? this.store().findRequest(requestId) : undefined;
      if (again) return again.reply as never;
      const r = fn();
      if (requestId)
        this.store().saveRequest({ request_id: requestId, tool: this.tool, args_hash: this.argsHash, reply: r });
      return r;
    });
  };

  /** Set on the first progress notification: the key of this call's high-water mark. */
  progressKey: string | undefined;

  progress = async (done: number, total: number, message: string): Promise<void> => {
    const progressToken = this.mcp.mcpReq._meta?.progressToken;
    if (progressToken === undefined) return;
    // Progress must increase, also when the SDK calls the handler again with the same token
    // (a 2025 client answering a question: the work restarts from the beginning).
    const key =
      (this.progressKey ??= `${this.mcp.sessionId ?? ""}|${String(this.mcp.mcpReq.id)}|${String(progressToken)}`);
    if (done <= (progressSeen.get(key) ?? -1)) return;
    progressSeen.set(key, done);
    if (progressSeen.size > 1000) progressSeen.delete(progressSeen.keys().next().value!);
    await this.mcp.mcpReq.notify({
      method: "notifications/progress",
      params: { progressToken, progress: done, total, message },
    });
  };

  notify = async (level: "debug" | "info" | "warning" | "error", data: string): Promise<void> =>
    this.mcpLog.send(this.mcp, level, this.tool, data);

  canAsk = (): boolean => canElicitForm(this.server, this.mcp);

  answer = (key: string) => {
    const view = inputResponse(this.mcp.mcpReq.inputResponses, key);
    return view.kind === "elicit" ? { action: view.action, content: view.content } : undefined;
  };
}

/** Registers one tool on a server, wrapped with logging, errors, idempotency and fencing. */
export function registerTool(server: McpServer, def: ToolDef, deps: Deps, mcpLog: McpLog): void {
  const writes = def.kind !== "read";

  const run = async (args: Record<string, unknown>, extra: ServerContext) => {
    const started = performance.now();
    const requestId = writes ? (args.request_id as string | undefined) : undefined;
    const argsHash = requestId ? hashArgs({ ...args, request_id: undefined }) : "";
    let outcome = "ok";
    let ctx: CallContext | undefined;
    let asking = false;
    try {
      if (requestId) {
        const prior = deps.store().findRequest(requestId);
        if (prior) {
          if (prior.tool !== def.name || prior.args_hash !== argsHash) {
            outcome = "error";
            return errorResult(
              `request_id ${requestId} was already used for a different ${prior.tool} call. Use a new request_id for a new write.`,
            );
          }
          outcome = "replay";
          return renderReply(prior.reply as Reply<unknown>);
        }
      }
      ctx = new CallContext(deps, extra, server, def.name, mcpLog, requestId, argsHash);
      const r = await def.handle(args as never, ctx);
      if ("resultType" in r) {
        asking = true;
        return r;
      }
      return renderReply(r);
    } catch (err) {
      outcome = "error";
      return errorResult(describeFailure(def.name, err, deps.log));
    } finally {
      // Kept while the call waits for the user's answer (the SDK may run it again with the same token).
      if (!asking && ctx?.progressKey) progressSeen.delete(ctx.progressKey);
      const ms = Math.round((performance.now() - started) * 100) / 100;
      // One line per call at debug (--log-level debug), a failed call's at info: at the default
      // level a line per call cost more than a quick tool's own work (and a wake-up of whatever
      // reads stderr), while failures stay visible.
      const level = outcome === "error" ? "info" : "debug";
      if (deps.log.isLevelEnabled(level))
        deps.log[level]({ tool: def.name, ms, outcome, ...(requestId ? { request_id: requestId } : {}) }, "tool call");
      // The same line as an MCP log message, for clients that asked for it (logging/setLevel).
      mcpLog.send(extra, outcome === "error" ? "warning" : "debug", def.name, { tool: def.name, ms, outcome });
    }
  };

  const { input, output } = schemasOf(def, writes, deps.methodology);
  const title = textOf(def.title, deps.methodology);
  server.registerTool(
    def.name,
    {
      title,
      description: textOf(def.description, deps.methodology),
      inputSchema: input,
      outputSchema: output,
      annotations: { title, ...annotationsFor(def.kind) },
      ...(def.meta ? { _meta: def.meta } : {}),
    },
    run as never,
  );
}

/** The message an agent sees for a failure; internals go to the log only. */
export function describeFailure(tool: string, err: unknown, log: Logger): string {
  if (err instanceof InputError) return err.message;
  const code = (err as { code?: string })?.code;
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
    return "The deal store is busy with another writer; nothing was written. Retry the call (with the same request_id if you sent one).";
  }
  const ref = randomUUID().slice(0, 8);
  log.error({ err, tool, ref }, "tool failed");
  return `${tool} failed with an internal error (ref ${ref}); nothing was written. The server log has the details under that ref.`;
}
