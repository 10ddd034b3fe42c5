// What a command writes to, and how it writes files safely.
import { renameSync, writeFileSync } from "node:fs";

/** Where a command writes: its result (`out`, e.g. CSV to pipe on), notices and progress (`err`). */
export interface Terminal {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Whether `err` is a terminal (progress redraws a line only there). */
  tty: boolean;
}

export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.partial`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
