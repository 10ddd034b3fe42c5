// The compiled form of a prompt body and what rendering it needs.
import type { Methodology, StageDef } from "../../methodology/load.js";
import { dealRecord } from "../../app/deal-record.js";
import { type ArgName } from "./arguments.js";

// ---------------------------------------------------------------- template
export type Cond = "deal" | "stage" | `arg.${ArgName}`;
export type Node =
  | { t: "text"; text: string }
  | { t: "put"; head: string; key?: string }
  | { t: "if"; cond: Cond; then: Node[]; else: Node[] };

export interface Render {
  m: Methodology;
  args: Partial<Record<ArgName, string>>;
  /** undefined: no deal_id given. */
  deal?: { id: string; record?: ReturnType<typeof dealRecord> };
  stage?: StageDef;
  today: string;
  /** Fenced blocks, kept aside until the text around them is tidied. */
  blocks: string[];
  nonce: string;
}

export interface Placeholder {
  key: "none" | "required" | "optional";
  keys?(m: Methodology, tools: ReadonlySet<string>): readonly string[];
  /** The condition that must enclose the form without a key (its value comes from the render). */
  unkeyedNeeds?: Cond;
  /** The file must declare one of these arguments. */
  needsArg?: ArgName[];
  render(r: Render, key?: string): string;
}

export interface CompileContext {
  file: string;
  firstLine: number;
  m: Methodology;
  tools: ReadonlySet<string>;
  args: Map<ArgName, boolean>; // name -> required
}

export class PromptFileError extends Error {
  constructor(
    readonly file: string,
    readonly path: string,
    detail: string,
  ) {
    super(file ? `prompts/${file}${path ? ` at ${path}` : ""}: ${detail}` : detail);
    this.name = "PromptFileError";
  }
}
