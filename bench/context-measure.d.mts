export interface ContextReport {
  tools: number;
  definitions_chars: number;
  per_tool: Array<{ name: string; chars: number; description: number }>;
  largest_default_answer: Array<{
    tool: string;
    destructive: boolean;
    chars: number;
    args: Record<string, unknown> | null;
  }>;
}
export function examples(description: string): Array<Record<string, unknown>>;
export function answerSize(result: unknown): number;
export function definitionSize(tool: {
  name: string;
  title?: string;
  description: string;
  inputSchema: unknown;
}): number;
export function measureContext(o: { cli: string; env?: Record<string, string> }): Promise<ContextReport>;
export function measureDefinitions(o: {
  cli: string;
  args?: string[];
  env?: Record<string, string>;
}): Promise<{ tools: number; definitions_chars: number; per_tool: Array<{ name: string; chars: number }> }>;
