// Bytes → audit lines. Vault's socket device writes every entry as one compact JSON object and a
// "\n" in a single write, with newlines inside strings escaped, so a raw "\n" only ever ends an
// entry. Over TCP and unix sockets one read may hold half an entry or several; over UDP one
// datagram is one entry. The configured `prefix` (raw bytes Vault glues before each entry) is
// stripped here. Memory is bounded: a line longer than the cap is dropped up to its next "\n" and
// counted, never buffered whole. Go's encoding/json only writes valid UTF-8, so a line that is
// not valid UTF-8 did not come from Vault: it is dropped and counted, never decoded into
// replacement characters that could pass for a path.

import { CourierError } from "../errors.ts";

/** 1 MiB: far above any real entry (UDP cannot even carry more than 64 KiB). */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export type DiscardReason = "oversize" | "invalid_utf8";

export interface FramerOptions {
  /** Raw text Vault puts before every entry (the device's `prefix` option); stripped when present. */
  prefix?: string;
  /** Longest line kept, in bytes, without its "\n". */
  maxLineBytes?: number;
  onLine: (line: string) => void;
  /** A line that was dropped; `bytes` is how much of it was seen (for over-long lines, up to the cap). */
  onDiscard: (reason: DiscardReason, bytes: number) => void;
}

/** "\n": the byte that ends every entry (the file tail finds whole lines by it too). */
export const NEWLINE = 10;

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

/**
 * The part of framing streams and datagrams share: checks a line's size, decodes it (only valid
 * UTF-8 passes), strips the prefix and hands the text on.
 */
class LineEmitter {
  readonly max: number;
  readonly #prefix: string;
  readonly #onLine: (line: string) => void;
  readonly #onDiscard: (reason: DiscardReason, bytes: number) => void;
  readonly #decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

  constructor(options: FramerOptions) {
    const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isInteger(max) || max < 1) {
      throw new CourierError(
        "CONFIG_INVALID",
        `the audit line cap must be a positive number of bytes, not ${max}`,
      );
    }
    if (options.prefix?.includes("\n")) {
      throw new CourierError(
        "CONFIG_INVALID",
        "the audit prefix cannot contain a newline: it would split entries",
      );
    }
    this.max = max;
    this.#prefix = options.prefix ?? "";
    this.#onLine = options.onLine;
    this.#onDiscard = options.onDiscard;
  }

  /** One line: bytes[start, end). */
  emit(bytes: Uint8Array, start: number, end: number): void {
    const size = end - start;
    if (size === 0) return; // a blank line is no entry
    if (size > this.max) {
      this.#onDiscard("oversize", size);
      return;
    }
    let line: string;
    try {
      line = this.#decoder.decode(bytes.subarray(start, end));
    } catch {
      this.#onDiscard("invalid_utf8", size);
      return;
    }
    this.#deliver(line);
  }

  /**
   * Several whole lines: bytes[start, end) with "\n" between them. One decode for the lot is much
   * cheaper than one per line; "\n" never occurs inside a UTF-8 sequence, so the k-th "\n" of the
   * text is the k-th of the bytes, and each line's byte size is known for the cap. If any line is
   * not UTF-8, the lines are decoded one by one to drop only that one.
   */
  emitMany(bytes: Uint8Array, start: number, end: number): void {
    let text: string;
    try {
      text = this.#decoder.decode(bytes.subarray(start, end));
    } catch {
      this.#emitEach(bytes, start, end);
      return;
    }
    if (end - start <= this.max) {
      this.#splitText(text); // no line in the range can be over the cap: skip counting bytes
      return;
    }
    let byteStart = start;
    let textStart = 0;
    for (;;) {
      let byteEnd = bytes.indexOf(NEWLINE, byteStart);
      if (byteEnd === -1 || byteEnd > end) byteEnd = end;
      let textEnd = text.indexOf("\n", textStart);
      if (textEnd === -1) textEnd = text.length;
      const size = byteEnd - byteStart;
      if (size > this.max) this.#onDiscard("oversize", size);
      else if (size > 0) this.#deliver(text.slice(textStart, textEnd));
      if (byteEnd === end) return;
      byteStart = byteEnd + 1;
      textStart = textEnd + 1;
    }
  }

  #splitText(text: string): void {
    let lineStart = 0;
    for (;;) {
      const lineEnd = text.indexOf("\n", lineStart);
      if (lineEnd === -1) {
        if (lineStart < text.length) this.#deliver(text.slice(lineStart));
        return;
      }
      if (lineEnd > lineStart) this.#deliver(text.slice(lineStart, lineEnd));
      lineStart = lineEnd + 1;
    }
  }

  #emitEach(bytes: Uint8Array, start: number, end: number): void {
    let lineStart = start;
    for (;;) {
      let lineEnd = bytes.indexOf(NEWLINE, lineStart);
      if (lineEnd === -1 || lineEnd > end) lineEnd = end;
      this.emit(bytes, lineStart, lineEnd);
      if (lineEnd === end) return;
      lineStart = lineEnd + 1;
    }
  }

  #deliver(text: string): void {
    const line =
      this.#prefix !== "" && text.startsWith(this.#prefix) ? text.slice(this.#prefix.length) : text;
    if (line !== "") this.#onLine(line);
  }

  discard(reason: DiscardReason, bytes: number): void {
    this.#onDiscard(reason, bytes);
  }
}
