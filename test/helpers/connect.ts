// Test harness: a real SDK Client talking to the server in memory (or over stdio / HTTP in e2e).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { ElicitRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { Client as ClientV2, InMemoryTransport as InMemoryV2 } from "@modelcontextprotocol/client";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { createLogger } from "../../src/log.js";
import { loadMethodology, type Methodology } from "../../src/methodology/load.js";
import { dataDir } from "../../src/paths.js";
import { createServer } from "../../src/mcp/server.js";
import { SqliteDealStore } from "../../src/store/sqlite/store.js";
import type { DealStore } from "../../src/store/types.js";
import type { Deps } from "../../src/app/deps.js";

let cached: Methodology | undefined;
export const methodology = () => (cached ??= loadMethodology(dataDir()));

/**
 * The shipped methodology with a team's folder holding the given files (name -> edit of the
 * shipped file), e.g. { "qualification.json": (j) => (j.active = "meddicc") }.
 */
export function teamMethodology(edits: Record<string, (json: any) => void>): Methodology {
  const dir = mkdtempSync(join(tmpdir(), "lsm-team-"));
  try {
    for (const [file, edit] of Object.entries(edits)) {
      const json = JSON.parse(readFileSync(join(dataDir(), file), "utf8"));
      edit(json);
      writeFileSync(join(dir, file), JSON.stringify(json));
    }
    return loadMethodology(dataDir(), { team: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function tempDir(prefix = "lsm-"): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Harness {
  client: Client;
  store: DealStore;
  deps: Deps;
  dbPath: string;
  /** Calls a tool and fails the test unless it succeeded; returns structuredContent. */
  callOk<T = any>(name: string, args?: Record<string, unknown>): Promise<T & { __text: string }>;
  /** Calls a tool and fails the test unless it returned isError; returns the message. */
  callError(name: string, args?: Record<string, unknown>): Promise<string>;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** A fresh server on a temp-file store, with a pinned clock (default 2026-11-28T12:00Z). */
export async function connect(
  opts: {
    now?: string;
    dbPath?: string;
    importRoots?: string[];
    user?: string | null;
    readOnly?: boolean;
    toolsets?: string[];
    /**
     * The client: the v1 SDK's (2025-11-25, what most clients in the field run; the default) or
     * the v2 SDK's pinned to 2026-07-28 (stateless: no initialize, an envelope on every request).
     */
    revision?: "2025-11-25" | "2026-07-28";
    /** Another methodology than the shipped one (e.g. a team's folder, teamMethodology()). */
    methodology?: Methodology;
    /** Declares elicitation and answers each question with this (form content, or an action). */
    elicit?: (params: {
      message: string;
      requestedSchema: any;
    }) => { action: "accept"; content: Record<string, unknown> } | { action: "decline" | "cancel" };
  } = {},
): Promise<Harness> {
  const tmp = opts.dbPath ? undefined : tempDir();
  const dbPath = opts.dbPath ?? join(tmp!.dir, "deals.db");
  let store: SqliteDealStore | undefined;
  const now = new Date(opts.now ?? "2026-11-28T12:00:00.000Z");
  const deps: Deps = {
    methodology: opts.methodology ?? methodology(),
    store: () => (store ??= SqliteDealStore.open(dbPath)),
    log: createLogger(process.env.TEST_LOG_LEVEL ?? "silent"),
    importRoots: opts.importRoots ?? [tmpdir()],
    now: () => now,
    // The configured user (--user): "Dana Lee" unless a test says otherwise (null: none).
    ...(opts.user === null ? {} : { user: opts.user ?? "Dana Lee" }),
    ...(opts.readOnly ? { readOnly: true } : {}),
    ...(opts.toolsets ? { toolsets: opts.toolsets } : {}),
  };
  let client: Client;
  let closeServer: () => Promise<void>;
  const info = { name: "lean-sales-test", version: "0.0.0" };
  const capabilities = opts.elicit ? { elicitation: { form: {} } } : {};
  if (opts.revision === "2026-07-28") {
    // serveStdio picks the revision from the opening message, as over a real pipe.
    const [clientTransport, serverTransport] = InMemoryV2.createLinkedPair();
    const served = serveStdio((rc) => createServer(deps, rc), { transport: serverTransport });
    const v2 = new ClientV2(info, { capabilities, versionNegotiation: { mode: { pin: "2026-07-28" } } });
    if (opts.elicit)
      v2.setRequestHandler("elicitation/create", async (req) => opts.elicit!(req.params as never) as never);
    await v2.connect(clientTransport);
    client = v2 as unknown as Client;
    closeServer = () => served.close();
  } else {
    const server = createServer(deps);
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    client = new Client(info, { capabilities });
    if (opts.elicit)
      client.setRequestHandler(ElicitRequestSchema, async (req) => opts.elicit!(req.params as never) as never);
    await client.connect(clientTransport);
    closeServer = () => server.close();
  }

  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  return {
    client,
    get store() {
      return deps.store();
    },
    deps,
    dbPath,
    call,
    async callOk(name, args = {}) {
      const r = await call(name, args);
      const text = (r.content as Array<{ text?: string }>).map((c) => c.text ?? "").join("\n");
      if (r.isError) throw new Error(`${name} failed: ${text}`);
      return { ...(r.structuredContent as object), __text: text } as never;
    },
    async callError(name, args = {}) {
      const r = await call(name, args);
      const text = (r.content as Array<{ text?: string }>).map((c) => c.text ?? "").join("\n");
      if (!r.isError) throw new Error(`${name} was expected to fail but returned: ${text}`);
      return text;
    },
    async close() {
      await client.close();
      await closeServer();
      store?.close();
      tmp?.cleanup();
    },
  };
}
