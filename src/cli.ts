#!/usr/bin/env node
// The only file that reads argv and env, starts a transport, or handles signals.
import { homedir, userInfo } from "node:os";
import { ConfigError, parseConfig, type Config } from "./config.js";
import { createLogger, type Logger } from "./log.js";
import { inTeamFolder, loadMethodology, MethodologyDataError, teamFiles } from "./methodology/load.js";
import { assessmentRules } from "./methodology/assessment.js";
import { promptsFor } from "./mcp/prompts/load.js";
import { PromptFileError } from "./mcp/prompts/types.js";
import { dataDir } from "./paths.js";
import { SqliteDealStore } from "./store/sqlite/store.js";
import { StoreError, type DealStore } from "./store/types.js";
import type { Deps } from "./app/deps.js";
import { syncStageLayout } from "./app/stage-layout.js";
import { presetsFor } from "./app/import/presets.js";
import { VERSION } from "./version.js";
import { setTimeZone } from "./zone.js";
import { useAgentMessages } from "./mcp/zod-messages.js";
import { runCommand, HELP } from "./commands/index.js";
import { methodologyCommand } from "./commands/methodology.js";
import { processTerminal as terminal } from "./commands/terminal.js";

function fail(message: string, code = 1): never {
  process.stderr.write(`lean-sales-mcp: ${message}\n`);
  process.exit(code);
}

export function buildDeps(config: Config, log: Logger): Deps & { closeStore(): void } {
  let store: DealStore | undefined;
  useAgentMessages(); // before data/ is parsed: see zod-messages.ts
  const methodology = loadMethodology(dataDir(), config.methodology ? { team: config.methodology } : {});
  if (config.methodology)
    log.info(
      { methodology: config.methodology, files: [...teamFiles(config.methodology)] },
      teamFiles(config.methodology).size
        ? "serving the team's methodology (its files replace the shipped ones)"
        : "the methodology folder holds no methodology file: serving the shipped methodology",
    );
  try {
    assessmentRules(methodology); // a broken assessments.json stops start-up like any data file
  } catch (err) {
    throw inTeamFolder(err, config.methodology);
  }
  // A team's own CRM presets are checked against its stages before serving (the shipped ones on first import).
  if (methodology.presetsFromTeam) presetsFor(methodology);
  // The store opens on first use, and is moved onto the methodology's stages if it was written
  // with others (app/stage-layout.ts); a store it cannot move is refused with its stages and counts.
  // The maintenance commands (backup, restore, status, export) and a dry-run import never move a
  // store: they open it as it is.
  const maintenance =
    ["backup", "restore", "status", "export"].includes(config.command) ||
    (config.command === "import" && config.options["dry-run"] === true);
  const openStore = (): DealStore => {
    const s = SqliteDealStore.open(config.db, { readOnly: config.read_only });
    if (maintenance) return s;
    try {
      const started = Date.now();
      const change = syncStageLayout(s, methodology, {
        readOnly: config.read_only,
        now: new Date().toISOString(),
        // A large store takes seconds (about 10 s per 100,000 deals when half of them move): say so first.
        starting: (moved) =>
          log.info({ db: config.db, moved }, "moving the store onto the methodology's stages (once)"),
      });
      if (change?.deals)
        log.warn(
          {
            db: config.db,
            moved: change.moved,
            deals: change.deals,
            rows: change.rows,
            folded: change.folded,
            ms: Date.now() - started,
          },
          "moved stored deals onto the methodology's stages",
        );
      else if (change) log.info({ db: config.db }, "the store now follows the methodology's stages (no deal moved)");
    } catch (err) {
      s.close();
      throw err;
    }
    return s;
  };
  const deps: Deps & { closeStore(): void } = {
    methodology,
    // Every use checks (one pragma) that no other process has moved the store onto other stages since.
    store: () => {
      if (!store) store = openStore();
      else if (!maintenance) store.assertStages();
      return store;
    },
    closeStore: () => {
      store?.close();
      store = undefined;
    },
    log,
    // stdio serves the local user: files under home or the working directory; HTTP only what was configured.
    importRoots: config.import_roots.length ? config.import_roots : config.http ? [] : [homedir(), process.cwd()],
    now: () => new Date(),
    // Over stdio the server runs as the person at the desk: their login is a fair default owner.
    user: config.user ?? (config.http ? undefined : osUser()),
    readOnly: config.read_only,
    toolsets: config.toolsets,
  };
  // Prompt files are checked at start on every transport (HTTP builds servers per session).
  promptsFor(deps);
  // With a team's methodology the store is checked against its stages before serving (without
  // one it opens on first use, to keep start-up quick, and the same check runs then).
  if (config.methodology && config.command === "serve") deps.store();
  return deps;
}

function osUser(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, 2);
    throw err;
  }
  if (config.command === "help") {
    process.stderr.write(HELP);
    return;
  }
  if (config.command === "version") {
    process.stderr.write(`${VERSION}\n`);
    return;
  }
  try {
    setTimeZone(config.time_zone);
  } catch (err) {
    fail((err as Error).message, 2);
  }
  const log = createLogger(config.log_level);
  // A stray console.log must never corrupt the stdio stream.
  console.log =
    console.info =
    console.debug =
      (...args: unknown[]) => log.info({ console: args.map(String).join(" ") }, "console");
  process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection (kept running)"));

  // `methodology init|check DIR` works on a folder, not on the configured methodology (which may be the broken one).
  if (config.command === "methodology") {
    try {
      await methodologyCommand(config, terminal());
    } catch (err) {
      if (err instanceof ConfigError) fail(err.message, 2);
      if (err instanceof MethodologyDataError) fail(err.message, 1);
      throw err;
    }
    return;
  }

  let deps: ReturnType<typeof buildDeps>;
  try {
    deps = buildDeps(config, log);
  } catch (err) {
    if (err instanceof MethodologyDataError) fail(`methodology data is broken: ${err.message}`);
    if (err instanceof PromptFileError) fail(`a prompt file is broken: ${err.message}`);
    if (err instanceof StoreError) fail(err.message);
    throw err;
  }

  if (config.command !== "serve") {
    try {
      // No transport runs in this process: stdout is the command's output (e.g. `export > deals.csv`).
      await runCommand(config, deps, terminal());
    } catch (err) {
      if (err instanceof StoreError || err instanceof ConfigError) fail(err.message);
      throw err;
    } finally {
      deps.closeStore();
    }
    return;
  }

  // Declared before the transport starts: a client can go away (and call shutdown) while it does.
  let stop: ((why: string) => Promise<void>) | undefined;
  let closing = false;
  if (config.http) {
    const { serveHttp } = await import("./transports/http.js");
    const running = await serveHttp(
      deps,
      {
        host: config.host,
        port: config.port,
        token: config.token,
        allowedOrigins: config.allowed_origins,
        sessionIdleMs: config.session_idle_ms,
        maxSessions: config.max_sessions,
      },
      log,
    ).catch((err: NodeJS.ErrnoException) =>
      fail(`cannot listen on ${config.host}:${config.port}: ${err.code ?? err.message}`),
    );
    process.stderr.write(
      `lean-sales-mcp ${VERSION} listening on ${running.url}${config.token ? " (bearer token required)" : ""}\n`,
    );
    stop = () => running.close();
  } else {
    const { serveStdio } = await import("./transports/stdio.js");
    const running = await serveStdio(deps, (why) => void shutdown(why));
    stop = (why) => running.stop(why);
    process.stdin.on("end", () => void shutdown("stdin closed"));
    process.stdin.on("close", () => void shutdown("stdin closed"));
  }

  async function shutdown(why: string): Promise<void> {
    if (closing) return;
    closing = true;
    log.info({ why }, "shutting down");
    try {
      await stop?.(why);
    } finally {
      deps.closeStore();
      log.flush();
      process.exit(0);
    }
  }
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      if (closing) process.exit(130);
      void shutdown(sig);
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`lean-sales-mcp: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
