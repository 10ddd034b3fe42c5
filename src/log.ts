// pino on fd 2: stdout belongs to the stdio transport.
import pino from "pino";

export type Logger = pino.Logger;

export function createLogger(level: string = process.env.LEAN_SALES_LOG_LEVEL ?? "info"): Logger {
  return pino(
    {
      name: "lean-sales-mcp",
      level,
      // Never let a bearer token or session id reach the log.
      redact: ["req.headers.authorization", "headers.authorization", "token", "*.token"],
    },
    pino.destination({ fd: 2, sync: true }),
  );
}
