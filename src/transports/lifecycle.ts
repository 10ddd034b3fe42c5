// A transport in front of the SDK's, for stdio and the 2025 HTTP sessions:
// - a 2025-era connection may send nothing but initialize and ping before initialize (-32600):
//   the SDK would otherwise run a tools/call and write. A 2026-07-28 request carries its
//   protocol version in every request's _meta and needs no handshake;
// - requests in flight are counted, so shutdown can wait for their answers;
// - the SDK's raw validator dump for malformed params becomes one -32602 line per param (tidyInvalidParams).
import {
  PROTOCOL_VERSION_META_KEY,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type Transport,
  type TransportSendOptions,
} from "@modelcontextprotocol/server";

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
 * The SDK answers a request whose params fail its own schema (tools/call with "arguments":"x",
 * resources/read with a number as uri, ...) with the raw zod issue list as the message (v1:
 * -32603 and the bare list; v2: -32602 "Invalid tools/call request: [...]"). It is the client's
 * mistake, so: -32602 and one line naming each param.
 */
export function tidyInvalidParams(message: JSONRPCMessage): JSONRPCMessage {
  const err = (message as { error?: { code?: unknown; message?: unknown } }).error;
  if (!err || (err.code !== -32603 && err.code !== -32602) || typeof err.message !== "string") return message;
  const dump = /^\s*(?:Invalid [\w/]+ request:\s*)?(\[[\s\S]*\])\s*$/.exec(err.message)?.[1];
  if (!dump) return message;
  let issues: unknown;
  try {
    issues = JSON.parse(dump);
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

const isModern = (m: JSONRPCMessage) =>
  typeof (m as { params?: { _meta?: Record<string, unknown> } }).params?._meta?.[PROTOCOL_VERSION_META_KEY] ===
  "string";
const OPENING = new Set(["initialize", "ping", "server/discover"]);

export class GuardedTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  private initialized = false;
  private readonly pending = new Set<string | number>();
  private firstAnswer: (() => void) | undefined;

  constructor(
    private readonly inner: Transport,
    private readonly inFlight: InFlight,
    private readonly opts: {
      accepting: () => boolean;
      /** Called once, after the first answer has been handed to the transport (start-up is over). */
      firstAnswer?: () => void;
    },
  ) {
    this.firstAnswer = opts.firstAnswer;
    inner.onclose = () => this.onclose?.();
    inner.onerror = (e) => this.onerror?.(e);
    inner.onmessage = (message, extra) => this.receive(message, extra);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  close(): Promise<void> {
    // Requests still pending on a closed connection will never be answered here.
    for (const _ of this.pending) this.inFlight.done();
    this.pending.clear();
    return this.inner.close();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    try {
      await this.inner.send(tidyInvalidParams(message), options);
    } finally {
      if (isResponse(message)) {
        const id = (message as { id: string | number }).id;
        if (this.pending.delete(id)) this.inFlight.done();
        if (this.firstAnswer) {
          const first = this.firstAnswer;
          this.firstAnswer = undefined;
          first();
        }
      }
    }
  }

  private refuse(id: string | number, code: number, message: string): void {
    void this.inner.send({ jsonrpc: "2.0", id, error: { code, message } }).catch(() => undefined);
  }

  private receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (isRequest(message)) {
      if (!this.opts.accepting())
        return this.refuse(message.id, -32000, "Server is shutting down; retry on a new connection.");
      if (!this.initialized && !isModern(message) && !OPENING.has(message.method))
        return this.refuse(message.id, -32600, `Server not initialized: send initialize before ${message.method}.`);
      if (message.method === "initialize") this.initialized = true;
      if (!this.pending.has(message.id)) {
        this.pending.add(message.id);
        this.inFlight.start();
      }
    } else if ((message as { method?: string }).method === "notifications/cancelled") {
      // A cancelled request is never answered: it is no longer in flight.
      const id = (message as { params?: { requestId?: string | number } }).params?.requestId;
      if (id !== undefined && this.pending.delete(id)) this.inFlight.done();
    }
    this.onmessage?.(message, extra);
  }
}
