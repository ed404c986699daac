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

import { stat } from "node:fs/promises";
import { CourierError } from "../../errors.ts";
import type { IngestCounters } from "../counters.ts";
import type { FramerOptions } from "../framer.ts";
import { FileCursor, type FileIdentity, sameFile } from "./file-cursor.ts";
import type { SavedFile } from "./file-offset-store.ts";
import { findRenamed } from "./file-renamed.ts";

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
          : `cannot read the audit file ${path}: ${error instanceof Error ? error.message : String(error)}; trying again`,
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
