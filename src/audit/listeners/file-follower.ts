// Follows one audit path through rotation. The file at the path is "current"; a file that was
// renamed away is "retiring" and is still read, because Vault keeps writing to it until it
// reopens the path (on SIGHUP; logrotate's postrotate sends one, and with logrotate's `create`
// the new empty file even exists before that). A retiring file is let go only once the new
// file has received data (Vault has reopened) and the old one has been quiet for a grace
// period. Lines from the two files can interleave around a rotation: order does not matter,
// since every entry is only a hint to sync a key (rule 1).
//
// Truncation (logrotate's copytruncate, or `> audit.log`) shows as a size below what was read:
// the file is read again from its start. Lines Vault writes between logrotate's copy and its
// truncate are lost, as logrotate's own manual warns; and a truncated file that grew past the
// old offset before it was looked at again cannot be told from an appended one. The poll keeps
// that window short; the periodic reconcile pass covers both.

import { type FileHandle, open, readdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { CourierError, messageOf } from "../../errors.ts";
import type { IngestCounters } from "../counters.ts";
import { type FramerOptions, LineFramer, NEWLINE } from "../framer.ts";
import type { SavedFile } from "./file-offsets.ts";

/** Older rotated files beyond this many are let go even if Vault might still write to them. */
const MAX_RETIRING = 4;

export interface FollowerOptions {
  framer: FramerOptions;
  chunkBytes: number;
  rotationGraceMs: number;
  counters: IngestCounters;
  /** Says `message` unless the same `key` was said since `clear(key)`. */
  warnOnce: (key: string, message: string) => void;
  clear: (key: string) => void;
}

export class FileFollower {
  readonly path: string;
  readonly #options: FollowerOptions;
  #current: FileCursor | undefined;
  #retiring: FileCursor[] = [];

  constructor(path: string, options: FollowerOptions) {
    this.path = path;
    this.#options = options;
  }

  /** Bytes of the file at the path handed on, when one is open. */
  get offset(): number | undefined {
    return this.#current?.committed;
  }

  /** Files open right now (more than one only around a rotation). */
  get following(): number {
    return this.#retiring.length + (this.#current === undefined ? 0 : 1);
  }

  /**
   * Opens the files a saved record names. Without a record the file at the path is read from its
   * end: a new Courier does not replay history. A file at the path the record does not name
   * appeared while Courier was stopped, so it is read from its start. (Should a deleted file's
   * inode be reused by a new file at the path while Courier is stopped, the new file is taken for
   * the old one; the start-up reconcile pass covers what that skips.)
   */
  async resume(saved: readonly SavedFile[] | undefined): Promise<void> {
    let matched: SavedFile | undefined;
    this.#current = await this.#open(
      this.path,
      (identity) => {
        matched = saved?.find((s) => s.dev === String(identity.dev) && s.ino === String(identity.ino));
        return saved === undefined ? "end" : (matched?.offset ?? 0);
      },
      true,
    );
    const rest = saved?.filter((s) => s !== matched) ?? [];
    for (const renamed of await findRenamed(this.path, rest)) {
      const cursor = await this.#open(renamed.path, () => renamed.saved.offset).catch(() => undefined);
      if (cursor !== undefined) this.#retiring.push(cursor);
    }
  }

  /** Reads whatever is new, following rotation and truncation; true when the saved record should change. */
  async step(stop: () => boolean): Promise<boolean> {
    let changed = false;
    if (this.#current === undefined) {
      this.#current = await this.#open(this.path, () => 0);
      changed = this.#current !== undefined;
    }
    for (const cursor of this.#all()) if (await cursor.drain(stop)) changed = true;
    const current = this.#current;
    if (current === undefined || stop()) return changed;
    const atPath = await identityAt(this.path);
    if (atPath !== undefined && !sameFile(atPath, current.identity)) {
      await current.drain(stop); // what was written just before the switch
      this.#retire(current);
      this.#current = await this.#open(this.path, () => 0);
      await this.#current?.drain(stop);
      changed = true;
    } else if (atPath !== undefined && atPath.size < current.readOffset) {
      if (current.rewind() > 0) this.#options.counters.truncated++;
      await current.drain(stop);
      changed = true;
    }
    return this.#letGo() || changed;
  }

  /** What a restart needs: the file at the path first. */
  snapshot(): SavedFile[] {
    return this.#all().map((cursor) => ({
      dev: String(cursor.identity.dev),
      ino: String(cursor.identity.ino),
      offset: cursor.committed,
    }));
  }

  async close(): Promise<void> {
    const all = this.#all();
    this.#current = undefined;
    this.#retiring = [];
    await Promise.all(all.map((cursor) => cursor.close()));
  }

  #all(): FileCursor[] {
    return this.#current === undefined ? [...this.#retiring] : [this.#current, ...this.#retiring];
  }

  #retire(cursor: FileCursor): void {
    this.#retiring.push(cursor);
    while (this.#retiring.length > MAX_RETIRING) void this.#retiring.shift()?.close();
  }

  /** Closes retiring files Vault is done with; true when any was closed. */
  #letGo(): boolean {
    const reopened = this.#current !== undefined && this.#current.readOffset > 0;
    if (!reopened) return false;
    const now = performance.now();
    const done = this.#retiring.filter((c) => now - c.lastDataAt >= this.#options.rotationGraceMs);
    if (done.length === 0) return false;
    this.#retiring = this.#retiring.filter((c) => !done.includes(c));
    for (const cursor of done) void cursor.close();
    return true;
  }

  /**
   * A cursor on `path`, or undefined while it does not exist or cannot be read (said once). At
   * start-up, a file that exists but cannot be read is an error the operator must fix now.
   */
  async #open(
    path: string,
    where: (identity: FileIdentity) => number | "end",
    atStart = false,
  ): Promise<FileCursor | undefined> {
    try {
      const cursor = await FileCursor.open(path, where, this.#options.framer, this.#options.chunkBytes);
      this.#options.clear(path);
      return cursor;
    } catch (error) {
      if (error instanceof CourierError) throw error; // a bad prefix or line cap, not the file
      const code = (error as { code?: unknown }).code;
      if (atStart && code !== "ENOENT") throw unreadable(path, error);
      this.#options.warnOnce(
        path,
        code === "ENOENT"
          ? `the audit file ${path} does not exist (yet); waiting for it (check the file audit device's file_path)`
          : `cannot read the audit file ${path}: ${messageOf(error)}; trying again`,
      );
      return undefined;
    }
  }
}

/** unreadable("/var/log/vault/audit.log", EACCES error) → LISTEN_FAILED "cannot read the audit file …: permission denied …" */
function unreadable(path: string, error: unknown): CourierError {
  const code = (error as { code?: unknown }).code;
  const why =
    code === "EACCES"
      ? "permission denied (Courier's user needs read access: e.g. give the device mode=0640 and add the user to the file's group)"
      : code === "EISDIR"
        ? "it is a directory, not the file audit device's file_path"
        : error instanceof Error
          ? error.message
          : String(error);
  return new CourierError("LISTEN_FAILED", `cannot read the audit file ${path}: ${why}`, { cause: error });
}

/** The identity and size of whatever is at `path` now, or undefined when nothing is. */
async function identityAt(path: string): Promise<(FileIdentity & { size: number }) | undefined> {
  const info = await stat(path, { bigint: true }).catch(() => undefined);
  return info === undefined ? undefined : { dev: info.dev, ino: info.ino, size: Number(info.size) };
}

// One audit file being read: its identity (device + inode), where reading stands, and its own
// framer, since a partial line belongs to the file it was read from. Reads are positional and in
// bounded chunks, so memory stays flat however far behind the reader is, and every await lets
// the rest of Courier run.
/** 64 KiB: a few hundred entries a read; never more held than this plus one unfinished line. */
export const DEFAULT_CHUNK_BYTES = 64 * 1024;

/** Which file this is, whatever its name: a renamed file keeps it, a new file at the path does not. */
export interface FileIdentity {
  dev: bigint;
  ino: bigint;
}

/** sameFile({dev:1n, ino:7n}, {dev:1n, ino:7n}) → true */
export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

export class FileCursor {
  readonly identity: FileIdentity;
  /** Bytes read so far (the next read starts here). */
  readOffset: number;
  /** Bytes up to the end of the last whole line handed on: where a restart resumes. */
  committed: number;
  /** When bytes last arrived (ms, monotonic). */
  lastDataAt = performance.now();
  readonly #handle: FileHandle;
  readonly #framer: LineFramer;
  readonly #buffer: Uint8Array;

  private constructor(
    handle: FileHandle,
    identity: FileIdentity,
    offset: number,
    framer: FramerOptions,
    chunkBytes: number,
  ) {
    this.#handle = handle;
    this.identity = identity;
    this.readOffset = offset;
    this.committed = offset;
    this.#framer = new LineFramer(framer);
    // One buffer, reused: the framer copies whatever part of a read it keeps. A plain Uint8Array,
    // not a Buffer, because Buffer's slice() is a view, not the copy the framer relies on.
    this.#buffer = new Uint8Array(chunkBytes);
  }

  /**
   * Opens `path` for reading from the offset `where` picks for the file it turns out to be
   * ("end" = its current size). An offset past the end (the file was truncated since it was
   * saved) reads from the start.
   */
  static async open(
    path: string,
    where: (identity: FileIdentity) => number | "end",
    framer: FramerOptions,
    chunkBytes = DEFAULT_CHUNK_BYTES,
  ): Promise<FileCursor> {
    const handle = await open(path, "r");
    try {
      const stat = await handle.stat({ bigint: true });
      if (stat.isDirectory()) {
        throw Object.assign(new Error(`${path} is a directory`), { code: "EISDIR" });
      }
      const identity = { dev: stat.dev, ino: stat.ino };
      const size = Number(stat.size);
      const offset = where(identity);
      const start = offset === "end" ? size : offset <= size ? offset : 0;
      return new FileCursor(handle, identity, start, framer, chunkBytes);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Reads to the current end of the file; true when anything was read. Stops early when `stop()` holds. */
  async drain(stop: () => boolean): Promise<boolean> {
    let grew = false;
    while (!stop()) {
      const { bytesRead } = await this.#handle.read(this.#buffer, 0, this.#buffer.length, this.readOffset);
      if (bytesRead === 0) break;
      const chunk = this.#buffer.subarray(0, bytesRead);
      const start = this.readOffset;
      this.readOffset += bytesRead;
      this.lastDataAt = performance.now();
      grew = true;
      this.#framer.push(chunk);
      const lastNewline = chunk.lastIndexOf(NEWLINE);
      if (lastNewline !== -1) this.committed = start + lastNewline + 1;
    }
    return grew;
  }

  /** The file's size now, through the open handle (works after a rename or unlink too). */
  async size(): Promise<number> {
    return Number((await this.#handle.stat({ bigint: true })).size);
  }

  /** The file was truncated: read it again from the start. Returns the unfinished bytes forgotten. */
  rewind(): number {
    this.readOffset = 0;
    this.committed = 0;
    return this.#framer.drop();
  }

  async close(): Promise<void> {
    await this.#handle.close().catch(() => {});
  }
}

// After a restart, the files a saved record names may have been rotated away while Courier was
// stopped: logrotate renames audit.log to audit.log.1 or audit.log-20250101 in the same
// directory. They are found again by device + inode among the siblings whose names start with
// the audit file's name, so the lines written to them after the saved offset are still read.
// A rotated file that was compressed, moved elsewhere (olddir) or deleted is not found: the
// start-up reconcile pass covers what it held.
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
