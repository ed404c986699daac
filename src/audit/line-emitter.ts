// The part of framing shared by streams and datagrams: checks a line's size, decodes it (only
// valid UTF-8 passes), strips the prefix and hands it on. framer.ts re-exports the options and limits.

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

export const NEWLINE = 10;

/** Decodes one line's bytes, enforces the cap, strips the prefix, and hands the text on. */
export class LineEmitter {
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
