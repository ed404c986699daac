// Pieces for the file tailer tests: a writer that behaves like Vault's file audit device (opens
// the path for appending and keeps its descriptor until told to reopen, as on SIGHUP), and a
// tailer started with intervals short enough for quick tests and closed in afterAll.

import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FileTailer, type FileTailOptions, tailFile } from "../../../src/audit/listeners/file-tail.ts";
import { entry, type Recorder, recorder } from "./helpers.ts";

export const FAST = { pollIntervalMs: 10, saveIntervalMs: 20, rotationGraceMs: 150 } as const;

/** Writes entries the way Vault's file device does: one write per line, through a kept descriptor. */
export class VaultLikeWriter {
  readonly path: string;
  readonly #prefix: string;
  #fd: number;

  constructor(path: string, prefix = "") {
    this.path = path;
    this.#prefix = prefix;
    this.#fd = openSync(path, "a", 0o600);
  }

  line(text: string): void {
    writeSync(this.#fd, `${this.#prefix}${text}\n`);
  }

  bytes(data: Uint8Array | string): void {
    writeSync(this.#fd, typeof data === "string" ? new TextEncoder().encode(data) : data);
  }

  /** Entries first..last (inclusive), numbered as entry(n). */
  entries(first: number, last: number): void {
    for (let n = first; n <= last; n++) this.line(entry(n));
  }

  /** What Vault does on SIGHUP: close the file and open the path again (creating it if needed). */
  reopen(): void {
    closeSync(this.#fd);
    this.#fd = openSync(this.path, "a", 0o600);
  }

  close(): void {
    closeSync(this.#fd);
  }
}

export interface TempDirs {
  make(): string;
  removeAll(): void;
}

export function tempDirs(): TempDirs {
  const made: string[] = [];
  return {
    make() {
      const dir = mkdtempSync(join(tmpdir(), "courier-file-tail-"));
      made.push(dir);
      return dir;
    },
    removeAll() {
      for (const dir of made) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Tailing extends Recorder {
  tailer: FileTailer;
  /** The entry numbers seen, in arrival order. */
  numbers(): number[];
}

/** Starts a tailer with fast intervals; every tailer started is closed by closeAll(). */
export function tailers() {
  const open: FileTailer[] = [];
  return {
    async start(path: string, more: Partial<FileTailOptions> = {}): Promise<Tailing> {
      const r = recorder(more);
      const tailer = await tailFile(path, { ...FAST, ...r.options, ...more });
      open.push(tailer);
      return { ...r, tailer, numbers: () => r.lines.map((l) => numberOf(l.line)) };
    },
    async closeAll(): Promise<void> {
      for (const tailer of open) await tailer.close();
    },
  };
}

/** entry(42) → 42 */
export function numberOf(line: string): number {
  const match = /"path":"kv\/k(\d+)"/.exec(line);
  return match === null ? -1 : Number(match[1]);
}

/** [first, …, last] */
export function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}
