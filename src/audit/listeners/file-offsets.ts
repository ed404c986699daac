// Where the file tailer remembers how far it read, so a restart resumes there. One small JSON
// file per followed path in the state directory, replaced atomically (write a temp file, fsync,
// rename), so a crash leaves either the old record or the new one, never half of one. Files are
// named by identity (device + inode), not by name: after a rename the record still finds them.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { replaceAtomically } from "../../atomic-file.ts";
import { messageOf } from "../../errors.ts";

/** How far one file was read: bytes up to the end of the last whole line handed on. */
export interface SavedFile {
  dev: string;
  ino: string;
  offset: number;
}

/** The record for one followed path: the file at the path first, then any still being drained. */
export interface OffsetRecord {
  path: string;
  files: SavedFile[];
}

const VERSION = 1;

/** offsetFileName("/var/log/vault/audit.log") → "file-offset-3f1c…(16 hex).json" */
export function offsetFileName(path: string): string {
  return `file-offset-${new Bun.CryptoHasher("sha256").update(path).digest("hex").slice(0, 16)}.json`;
}

/**
 * parseOffsetRecord('{"version":1,"path":"/a","files":[{"dev":"1","ino":"2","offset":3}]}', "/a")
 *   → {path:"/a", files:[{dev:"1", ino:"2", offset:3}]}
 * Anything else (another path, another version, a malformed field) → undefined.
 */
export function parseOffsetRecord(text: string, path: string): OffsetRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as { version?: unknown; path?: unknown; files?: unknown };
  if (record.version !== VERSION || record.path !== path || !Array.isArray(record.files)) return undefined;
  const files: SavedFile[] = [];
  for (const file of record.files as unknown[]) {
    if (!isSavedFile(file)) return undefined;
    files.push({ dev: file.dev, ino: file.ino, offset: file.offset });
  }
  return { path, files };
}

function isSavedFile(value: unknown): value is SavedFile {
  if (typeof value !== "object" || value === null) return false;
  const file = value as Record<string, unknown>;
  return (
    typeof file.dev === "string" &&
    /^\d+$/.test(file.dev) &&
    typeof file.ino === "string" &&
    /^\d+$/.test(file.ino) &&
    Number.isSafeInteger(file.offset) &&
    (file.offset as number) >= 0
  );
}

export type LoadResult = { found: true; record: OffsetRecord } | { found: false; problem?: string };

/** Reads the record for `path`; a missing one is no problem, an unreadable or malformed one is. */
export async function loadOffsets(stateDir: string, path: string): Promise<LoadResult> {
  const file = join(stateDir, offsetFileName(path));
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    // No directory (or a file where it should be) is no record; saving will say what is wrong.
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { found: false };
    return { found: false, problem: `cannot read ${file}: ${describe(error)}` };
  }
  const record = parseOffsetRecord(text, path);
  if (record === undefined) return { found: false, problem: `${file} is not a saved offset for ${path}` };
  return { found: true, record };
}

/** Replaces the record atomically; creates the state directory when missing. */
export async function saveOffsets(stateDir: string, record: OffsetRecord): Promise<void> {
  const text = `${JSON.stringify({ version: VERSION, path: record.path, files: record.files })}\n`;
  await replaceAtomically(join(stateDir, offsetFileName(record.path)), (handle) => handle.writeFile(text));
}

/** An error's code and message, e.g. "EACCES: permission denied, open '/x'". */
export function describe(error: unknown): string {
  return messageOf(error);
}

// Saves the tailer's offsets at most once an interval, and once more when it stops. A crash loses
// at most an interval's worth of progress: those lines are read again on restart, which is
// harmless, since an entry only says "sync this key" (rule 1). A state directory that cannot be
// written is said once; reading carries on, only resuming is lost.
export const DEFAULT_SAVE_INTERVAL_MS = 1000;

export interface OffsetSaver {
  /** Something moved: save within the interval. */
  changed(): void;
  /** Saves now if anything is unsaved, after any save in progress; never throws. */
  flush(): Promise<void>;
}

export interface SaverOptions {
  stateDir: string | undefined;
  intervalMs: number;
  snapshot: () => OffsetRecord;
  onWarning?: (message: string) => void;
}

export function createOffsetSaver(options: SaverOptions): OffsetSaver {
  const { stateDir, intervalMs, snapshot } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let saving: Promise<void> = Promise.resolve();
  let lastSavedAt = Number.NEGATIVE_INFINITY;
  let lastText = "";
  let warned = false;

  async function save(): Promise<void> {
    if (stateDir === undefined) return;
    const record = snapshot();
    const text = JSON.stringify(record);
    if (text === lastText) return;
    lastSavedAt = performance.now();
    try {
      await saveOffsets(stateDir, record);
      lastText = text;
      warned = false;
    } catch (error) {
      if (!warned) {
        options.onWarning?.(
          `cannot save the audit file offset in ${stateDir} (${describe(error)}); reading goes on, but a restart will not resume where it stopped: make the state directory writable`,
        );
      }
      warned = true;
    }
  }

  function queue(): Promise<void> {
    saving = saving.then(save);
    return saving;
  }

  return {
    changed() {
      if (stateDir === undefined || timer !== undefined) return;
      const wait = Math.max(0, intervalMs - (performance.now() - lastSavedAt));
      timer = setTimeout(() => {
        timer = undefined;
        void queue();
      }, wait);
    },
    flush() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      return queue();
    },
  };
}
