// Files `courier setup` writes: each one noted in the journal first, so a dry run lists it and
// writes nothing. The mode is set even on a file that already existed.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { CourierError } from "../errors.ts";
import type { Journal } from "./journal.ts";

/** Writes `text` to `path` with `mode`; returns "wrote", "unchanged", or "planned" in a dry run. */
export function writeSetupFile(
  journal: Journal,
  path: string,
  text: string,
  mode: number,
): "wrote" | "unchanged" | "planned" {
  if (!journal.file(path, mode)) return "planned";
  try {
    if (existsSync(path) && readFileSync(path, "utf8") === text) {
      chmodSync(path, mode);
      return "unchanged";
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text, { mode });
    chmodSync(path, mode);
    return "wrote";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CourierError("SETUP_FAILED", `cannot write ${path}: ${code}`, { cause: error });
  }
}
