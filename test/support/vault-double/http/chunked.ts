// Transfer-Encoding: chunked, decoded as bytes arrive (RFC 9112 §7.1).

/** One request body being read. `take` consumes what it can from the front of `buf`. */
export interface BodyState {
  /** The body is over the size limit; once seen, the rest is only discarded. */
  tooLarge: boolean;
  discard: boolean;
  take(buf: Buffer): { consumed: number; done: boolean; body?: Uint8Array; error?: number };
}

type Phase = "size" | "data" | "data-end" | "trailer";

export class ChunkedDecoder implements BodyState {
  tooLarge = false;
  discard = false;
  #phase: Phase = "size";
  #left = 0;
  #total = 0;
  readonly #parts: Buffer[] = [];
  #finished = false;

  constructor(private readonly max: number) {}

  take(buf: Buffer): { consumed: number; done: boolean; body?: Uint8Array; error?: number } {
    if (this.#finished) return { consumed: 0, done: true };
    let at = 0;
    while (at < buf.length || this.#phase === "data") {
      if (this.#phase === "data") {
        const n = Math.min(this.#left, buf.length - at);
        if (n === 0 && this.#left > 0) break;
        if (!this.discard && n > 0) this.#parts.push(Buffer.from(buf.subarray(at, at + n)));
        at += n;
        this.#left -= n;
        if (this.#left > 0) break;
        this.#phase = "data-end";
        continue;
      }
      const eol = buf.indexOf(10, at);
      if (eol < 0) {
        // A size line or trailer longer than 4 KiB is not a real client.
        return buf.length - at > 4096
          ? { consumed: at, done: false, error: 400 }
          : { consumed: at, done: false };
      }
      const line = buf.toString("latin1", at, eol).replace(/\r$/, "");
      at = eol + 1;
      if (this.#phase === "data-end") {
        if (line !== "") return { consumed: at, done: false, error: 400 };
        this.#phase = "size";
      } else if (this.#phase === "size") {
        const size = parseChunkSize(line);
        if (size === undefined) return { consumed: at, done: false, error: 400 };
        if (size === 0) {
          this.#phase = "trailer";
          continue;
        }
        this.#total += size;
        if (this.#total > this.max && !this.tooLarge) {
          this.tooLarge = true;
          this.discard = true;
          this.#parts.length = 0;
        }
        this.#left = size;
        this.#phase = "data";
      } else if (line === "") {
        this.#finished = true;
        return { consumed: at, done: true, body: this.discard ? undefined : Buffer.concat(this.#parts) };
      }
    }
    return { consumed: at, done: false };
  }
}

/** "1a;ext=x" → 26; "zz" → undefined */
function parseChunkSize(line: string): number | undefined {
  const hex = line.split(";", 1)[0]!.trim();
  if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) return undefined;
  return Number.parseInt(hex, 16);
}
