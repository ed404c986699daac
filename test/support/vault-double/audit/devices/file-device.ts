// The file device: appends each entry to file_path (created with `mode`, default 0600), reopening
// and retrying once when a write fails. "stdout" writes to standard output, "discard" drops all.
import { chmodSync, closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { AuditDevice } from "./device.ts";

export class FileDevice implements AuditDevice {
  readonly #path: string;
  readonly #mode: number;
  #fd: number | undefined;

  constructor(path: string, mode: number) {
    this.#path = path;
    this.#mode = mode;
    if (path !== "stdout" && path !== "discard") this.#open();
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.#path === "discard") return;
    if (this.#path === "stdout") {
      process.stdout.write(bytes);
      return;
    }
    try {
      writeSync(this.#open(), bytes);
    } catch {
      this.#closeFd();
      writeSync(this.#open(), bytes);
    }
  }

  async close(): Promise<void> {
    this.#closeFd();
  }

  #open(): number {
    if (this.#fd !== undefined) return this.#fd;
    mkdirSync(dirname(this.#path), { recursive: true });
    this.#fd = openSync(this.#path, "a", this.#mode);
    if (this.#mode !== 0) chmodSync(this.#path, this.#mode);
    return this.#fd;
  }

  #closeFd(): void {
    if (this.#fd === undefined) return;
    try {
      closeSync(this.#fd);
    } catch {}
    this.#fd = undefined;
  }
}
