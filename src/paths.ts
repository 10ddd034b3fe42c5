// Where the package's own files are, whether running from dist/ (bundled) or src/ (tests).
// Resolved from this module's URL, never from process.cwd() (desktop clients start us anywhere).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "data"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("lean-sales-mcp: cannot find the package root (package.json next to data/)");
    dir = up;
  }
}

export const dataDir = () => join(packageRoot(), "data");
export const promptsDir = () => join(packageRoot(), "prompts");
