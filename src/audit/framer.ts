// Bytes → audit lines. Vault's socket device writes every entry as one compact JSON object and a
// "\n" in a single write, with newlines inside strings escaped, so a raw "\n" only ever ends an
// entry. Over TCP and unix sockets one read may hold half an entry or several; over UDP one
// datagram is one entry. The configured `prefix` (raw bytes Vault glues before each entry) is
// stripped here. Memory is bounded: a line longer than the cap is dropped up to its next "\n" and
// counted, never buffered whole. Go's encoding/json only writes valid UTF-8, so a line that is
// not valid UTF-8 did not come from Vault: it is dropped and counted, never decoded into
// replacement characters that could pass for a path.

import { type FramerOptions, LineEmitter, NEWLINE } from "./line-emitter.ts";

export { DEFAULT_MAX_LINE_BYTES, type DiscardReason, type FramerOptions } from "./line-emitter.ts";

/** Splits one byte stream (a TCP or unix connection, a file) into lines across chunk boundaries. */
export class LineFramer {
  readonly #emit: LineEmitter;
  readonly #max: number;
  #parts: Uint8Array[] = [];
  #pending = 0;
  /** Inside a line that outgrew the cap: everything up to the next "\n" is dropped. */
  #discarding = false;

  constructor(options: FramerOptions) {
    this.#emit = new LineEmitter(options);
    this.#max = this.#emit.max;
  }

  /** Bytes of an unfinished line held right now (never more than the cap). */
  get pendingBytes(): number {
    return this.#pending;
  }

  push(chunk: Uint8Array): void {
    const nl = chunk.indexOf(NEWLINE);
    if (nl === -1) {
      this.#hold(chunk, 0);
      return;
    }
    this.#finishPending(chunk, nl);
    const last = chunk.lastIndexOf(NEWLINE);
    if (last > nl) this.#emit.emitMany(chunk, nl + 1, last);
    if (last + 1 < chunk.length) this.#hold(chunk, last + 1);
  }

  /** Forgets an unfinished line (connection closed or stalled); returns how many bytes it held. */
  drop(): number {
    const dropped = this.#pending;
    this.#parts = [];
    this.#pending = 0;
    this.#discarding = false;
    return dropped;
  }

  /** The first "\n" of a chunk ends whatever was held from earlier chunks. */
  #finishPending(chunk: Uint8Array, nl: number): void {
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    if (this.#pending === 0) {
      this.#emit.emit(chunk, 0, nl);
      return;
    }
    const total = this.#pending + nl;
    this.#parts.push(chunk.subarray(0, nl));
    const parts = this.#parts;
    this.#parts = [];
    this.#pending = 0;
    if (total > this.#max) {
      this.#emit.discard("oversize", total);
      return;
    }
    const joined = new Uint8Array(total);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    this.#emit.emit(joined, 0, total);
  }

  #hold(chunk: Uint8Array, from: number): void {
    if (this.#discarding) return;
    const size = chunk.length - from;
    if (this.#pending + size > this.#max) {
      this.#emit.discard("oversize", this.#pending + size);
      this.#parts = [];
      this.#pending = 0;
      this.#discarding = true;
      return;
    }
    // A copy: the runtime may reuse the chunk's memory for the next read.
    this.#parts.push(chunk.slice(from));
    this.#pending += size;
  }
}

/**
 * One datagram = one entry; a trailing "\n" (Vault writes one) is tolerated.
 * createDatagramFramer({onLine}) → (bytes of `{"type":"response"}\n`) calls onLine(`{"type":"response"}`)
 */
export function createDatagramFramer(options: FramerOptions): (datagram: Uint8Array) => void {
  const emitter = new LineEmitter(options);
  return (datagram) => {
    const end =
      datagram.length > 0 && datagram[datagram.length - 1] === NEWLINE
        ? datagram.length - 1
        : datagram.length;
    emitter.emit(datagram, 0, end);
  };
}
