// MCP log messages for clients that ask for them. 2026-07-28 clients ask per request (the
// `io.modelcontextprotocol/logLevel` meta key; none means none), and the SDK applies it. 2025
// clients set a level for the connection with logging/setLevel; until they do, only warnings and
// worse are sent (the SDK would send everything). MCP logging is deprecated in 2026-07-28: the
// server's own log goes to stderr (pino) either way.
import type { LoggingLevel, McpServer, ServerContext } from "@modelcontextprotocol/server";

const LEVELS: readonly LoggingLevel[] = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
];
const rank = (l: LoggingLevel) => LEVELS.indexOf(l);

export class McpLog {
  /** The level a 2025 client set on this connection (one server instance serves one connection). */
  private level: LoggingLevel = "warning";

  constructor(server: McpServer, era: "legacy" | "modern" | undefined) {
    if (era === "modern") return; // logging/setLevel does not exist in 2026-07-28
    server.server.setRequestHandler("logging/setLevel", async (req) => {
      this.level = req.params.level;
      return {};
    });
  }

  send(ctx: ServerContext, level: LoggingLevel, logger: string, data: unknown): void {
    const modern = ctx.mcpReq.envelope !== undefined;
    if (!modern && rank(level) < rank(this.level)) return;
    void ctx.mcpReq.log(level, data, logger).catch(() => undefined);
  }
}
