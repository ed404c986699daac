// After a restart, the files a saved record names may have been rotated away while Courier was
// stopped: logrotate renames audit.log to audit.log.1 or audit.log-20250101 in the same
// directory. They are found again by device + inode among the siblings whose names start with
// the audit file's name, so the lines written to them after the saved offset are still read.
// A rotated file that was compressed, moved elsewhere (olddir) or deleted is not found: the
// start-up reconcile pass covers what it held.

import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { SavedFile } from "./file-offset-store.ts";

export interface RenamedFile {
  path: string;
  saved: SavedFile;
}

/** findRenamed("/var/log/vault/audit.log", [{dev:"64768", ino:"1201", offset:90}]) → [{path:"/var/log/vault/audit.log.1", saved:…}] */
export async function findRenamed(path: string, saved: readonly SavedFile[]): Promise<RenamedFile[]> {
  if (saved.length === 0) return [];
  const dir = dirname(path);
  const name = basename(path);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const found: RenamedFile[] = [];
  for (const entry of entries) {
    if (entry === name || !entry.startsWith(name)) continue;
    const sibling = join(dir, entry);
    const info = await stat(sibling, { bigint: true }).catch(() => undefined);
    if (info === undefined || !info.isFile()) continue;
    const match = saved.find((s) => s.dev === String(info.dev) && s.ino === String(info.ino));
    if (match !== undefined) found.push({ path: sibling, saved: match });
  }
  return found;
}
