// `methodology init DIR` writes the shipped methodology files to a folder for a team to edit;
// `methodology check DIR` validates a folder the way start-up does (same schemas, same
// cross-file checks), without starting the server, and lists what differs from the shipped
// files, flagging every change to a value that came from the reference.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, type Config } from "../config.js";
import { assessmentRules } from "../methodology/assessment.js";
import { loadMethodology, PRESETS_FILE } from "../methodology/load.js";
import { presetsFor } from "../app/import/presets.js";
import { DATA_FILES } from "../methodology/schema.js";
import { sourceName } from "../methodology/provenance.js";
import { dataDir } from "../paths.js";
import type { Terminal } from "./terminal.js";
import { inTeamFolder } from "../methodology/load.js";

const USAGE = "methodology init DIR [--force] | methodology check DIR";

export async function methodologyCommand(config: Config, term: Terminal): Promise<void> {
  const [action, dir] = config.args;
  if (!dir || (action !== "init" && action !== "check")) throw new ConfigError(`usage: lean-sales-mcp ${USAGE}`);
  return action === "init" ? init(resolve(dir), config.options.force === true, term) : check(resolve(dir), term);
}

/** The files a team's folder may hold: the methodology files and the CRM import presets. */
const FILES = [...Object.values(DATA_FILES).map((f) => f.file), PRESETS_FILE];

function init(dir: string, force: boolean, term: Terminal): void {
  const files = FILES;
  if (existsSync(dir) && !force) {
    const present = readdirSync(dir).filter((n) => files.includes(n as never));
    if (present.length)
      throw new ConfigError(`${dir} already holds ${present.join(", ")}; pass --force to overwrite them.`);
  }
  mkdirSync(dir, { recursive: true });
  for (const f of files) copyFileSync(join(dataDir(), f), join(dir, f));
  term.out(
    `Wrote the ${files.length} shipped methodology files to ${dir}.\n` +
      "Edit the ones your team changes and delete the others (a file left out is the shipped one).\n" +
      `Then: lean-sales-mcp methodology check ${dir}\n` +
      `and serve with --methodology ${dir} (or LEAN_SALES_METHODOLOGY=${dir}).\n`,
  );
}

function check(dir: string, term: Terminal): void {
  // Throws MethodologyDataError naming the file and the path inside it (the CLI prints it, exit 1).
  const m = loadMethodology(dataDir(), { team: dir });
  try {
    assessmentRules(m);
  } catch (err) {
    throw inTeamFolder(err, dir);
  }
  presetsFor(m); // the team's crm-presets.json must name its stages
  const own = readdirSync(dir).filter((n) => n.endsWith(".json"));
  const changes = m.provenances.changes();
  const fromReference = changes.filter((c) => m.provenances.shippedSource(c) === "reference");
  const lines = [
    `${dir}: valid. ${own.length} of ${FILES.length} files are the team's (${own.join(", ") || "none"}); the rest are the shipped ones.`,
    changes.length
      ? `${changes.length} value${changes.length === 1 ? "" : "s"} differ from the shipped files (${fromReference.length} of them the reference's):`
      : "Nothing differs from the shipped files.",
    ...changes.map((c) => {
      const was = m.provenances.shippedSource(c);
      return `  ${was === "reference" ? "!" : "-"} ${c}: ${was === "team" ? "not in the shipped files" : `came from ${sourceName({ source: was })}`}`;
    }),
    ...(Object.keys(m.stageMap).length
      ? [
          `Stored deals move (stage_map) the first time the server starts on a store: ${Object.entries(m.stageMap)
            .map(([from, to]) => `${from} -> ${to}`)
            .join(", ")}. A store's stages that are neither kept nor mapped are refused then, with their deal counts.`,
        ]
      : []),
    ...(fromReference.length
      ? [
          "! marks a change to what the Lean Sales reference says: answers will label it as your team's methodology, not the reference's.",
        ]
      : []),
  ];
  term.out(`${lines.join("\n")}\n`);
}
