// MCP prompts, kept as markdown files under prompts/ (issue: agent experience).
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Deps } from "./tools/define.js";

export function registerPrompts(_server: McpServer, _deps: Deps): void {
  // Prompts are added with the agent-experience work; none are registered yet.
}
