// How a request body is framed: Content-Length (copied once into a buffer of that size) or
// chunked. Over the size cap, the body is still read to its end but thrown away.
import { type BodyState, ChunkedDecoder } from "./chunked.ts";

export type { BodyState };

/** Decides how the body is framed. A number is the status to fail with before reading it. */
export function bodyFraming(headers: Map<string, string>, max: number): BodyState | number {
  const te = headers.get("transfer-encoding");
  if (te !== undefined) {
    if (te.toLowerCase() !== "chunked") return 501;
    return new ChunkedDecoder(max);
  }
  const cl = headers.get("content-length");
  if (cl === undefined || cl === "") return new FixedBody(0, max);
  if (!/^\d+$/.test(cl)) return 400;
  return new FixedBody(Number(cl), max);
}

/** A Content-Length body: copied once into a buffer of the announced size. */
class FixedBody implements BodyState {
  tooLarge: boolean;
  discard: boolean;
  #left: number;
  #out: Buffer | undefined;
  #at = 0;

  constructor(length: number, max: number) {
    this.#left = length;
    this.tooLarge = length > max;
    this.discard = this.tooLarge;
    if (!this.tooLarge && length > 0) this.#out = Buffer.allocUnsafe(length);
  }

  take(buf: Buffer): { consumed: number; done: boolean; body?: Uint8Array; error?: number } {
    const n = Math.min(this.#left, buf.length);
    if (this.#out && n > 0) buf.copy(this.#out, this.#at, 0, n);
    this.#at += n;
    this.#left -= n;
    return { consumed: n, done: this.#left === 0, body: this.#out };
  }
}
