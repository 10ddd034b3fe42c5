// Wraps a transport before the server sees it:
// - refuses any request but initialize and ping before initialize (-32600), which SDK 1.32
//   does not do on its own (it would run a tools/call and write);
// - counts requests in flight so shutdown can wait for their answers;
// - turns the SDK's -32603 raw validator dump for malformed params into -32602 (tidyInvalidParams).
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

export class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];
  get size(): number {
    return this.count;
  }
  start(): void {
    this.count++;
  }
  done(): void {
    this.count = Math.max(0, this.count - 1);
    if (this.count === 0) for (const w of this.waiters.splice(0)) w();
  }
  /** Resolves when nothing is in flight, or after the deadline; true when drained. */
  drain(deadlineMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), deadlineMs);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

/**
 * SDK 1.32 answers a request whose params fail its own schema (tools/call with "arguments":"x",
 * resources/read with a number as uri, ...) with -32603 Internal error and the raw zod issue
 * list as the message. It is the client's mistake, so: -32602 and one line naming each param.
 */
export function tidyInvalidParams(message: JSONRPCMessage): JSONRPCMessage {
  const err = (message as { error?: { code?: unknown; message?: unknown } }).error;
  if (!err || err.code !== -32603 || typeof err.message !== "string" || !err.message.trimStart().startsWith("["))
    return message;
  let issues: unknown;
  try {
    issues = JSON.parse(err.message);
  } catch {
    return message;
  }
  const ok =
    Array.isArray(issues) &&
    issues.length > 0 &&
    issues.every((i) => i && typeof i === "object" && Array.isArray(i.path) && typeof i.message === "string");
  if (!ok) return message;
  const lines = (issues as Array<{ path: unknown[]; message: string }>)
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "params"}: ${i.message}`);
  return { ...message, error: { code: -32602, message: `Invalid params: ${lines.join("; ")}` } } as JSONRPCMessage;
}

const isRequest = (m: JSONRPCMessage): m is JSONRPCMessage & { id: string | number; method: string } =>
  "method" in m && "id" in m && m.id !== undefined && m.id !== null;
const isResponse = (m: JSONRPCMessage) => !("method" in m) && "id" in m;

/**
 * Call after server.connect(transport): the server has installed its handlers, and this puts
 * the gate in front of them.
 */
export function guardLifecycle(transport: Transport, inFlight: InFlight, opts: { accepting: () => boolean }): void {
  const deliver = transport.onmessage;
  const send = transport.send.bind(transport);
  let initialized = false;
  const pending = new Set<string | number>();

  transport.send = async (message, options) => {
    try {
      return await send(tidyInvalidParams(message), options);
    } finally {
      if (isResponse(message)) {
        const id = (message as { id: string | number }).id;
        if (pending.delete(id)) inFlight.done();
      }
    }
  };

  transport.onmessage = (message, extra) => {
    if (isRequest(message)) {
      if (!opts.accepting()) {
        void send({
          jsonrpc: "2.0",
          id: message.id,
          error: { code: -32000, message: "Server is shutting down; retry on a new connection." },
        });
        return;
      }
      if (!initialized && message.method !== "initialize" && message.method !== "ping") {
        void send({
          jsonrpc: "2.0",
          id: message.id,
          error: { code: -32600, message: `Server not initialized: send initialize before ${message.method}.` },
        });
        return;
      }
      if (message.method === "initialize") initialized = true;
      if (!pending.has(message.id)) {
        pending.add(message.id);
        inFlight.start();
      }
    }
    deliver?.(message, extra);
  };
}
