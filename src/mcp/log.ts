// MCP log notifications that honour logging/setLevel per session. The SDK sends every message
// until a client sets a level; we send only warnings and worse until the client asks for more.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { LoggingLevelSchema, SetLevelRequestSchema, type LoggingLevel } from "@modelcontextprotocol/sdk/types.js";

const SEVERITY = new Map(LoggingLevelSchema.options.map((l, i) => [l, i]));

export class McpLog {
  private readonly levels = new Map<string | undefined, LoggingLevel>();

  constructor(private readonly server: McpServer) {
    server.server.setRequestHandler(SetLevelRequestSchema, async (req, extra) => {
      this.levels.set(extra.sessionId, req.params.level);
      return {};
    });
  }

  send(level: LoggingLevel, logger: string, data: unknown, sessionId: string | undefined): void {
    const min = this.levels.get(sessionId) ?? "warning";
    if (SEVERITY.get(level)! < SEVERITY.get(min)!) return;
    void this.server.server.sendLoggingMessage({ level, logger, data }, sessionId).catch(() => undefined);
  }
}
