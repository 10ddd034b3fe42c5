// What a command writes to, and how it writes files safely.
import { renameSync, writeFileSync } from "node:fs";

/** Where a command writes: its result (`out`, e.g. CSV to pipe on), notices and progress (`err`). */
export interface Terminal {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Whether `err` is a terminal (progress redraws a line only there). */
  tty: boolean;
}

/**
 * The process's terminal: stdout is a command's output (e.g. `export > deals.csv`). Only
 * terminal commands get it, and none runs beside a transport (stdout belongs to stdio when serving).
 */
export const processTerminal = (): Terminal => ({
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
  tty: process.stderr.isTTY === true,
});

export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.partial`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
