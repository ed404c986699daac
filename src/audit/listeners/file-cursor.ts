// One audit file being read: its identity (device + inode), where reading stands, and its own
// framer, since a partial line belongs to the file it was read from. Reads are positional and in
// bounded chunks, so memory stays flat however far behind the reader is, and every await lets
// the rest of Courier run.

import { type FileHandle, open } from "node:fs/promises";
import { type FramerOptions, LineFramer } from "../framer.ts";
import { NEWLINE } from "../line-emitter.ts";

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
