// Byte-level damage to otherwise good lines: cuts, flips, insertions, and byte sequences that
// are not UTF-8. Pure functions of the random source, so a seed replays a run exactly.
import { randomInt } from "../../audit/random.ts";

type Random = () => number;

/** Sequences no UTF-8 decoder may accept: stray continuation, overlong, surrogate, past U+10FFFF, cut short. */
export const INVALID_UTF8: readonly number[][] = [
  [0x80],
  [0xbf],
  [0xc0, 0xaf],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xfe],
  [0xff],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x94],
  [0xc3],
];

/** bytes 0..n-1 of `line`, n random (maybe 0). */
export function truncate(random: Random, bytes: Uint8Array): Uint8Array {
  return bytes.subarray(0, randomInt(random, bytes.length));
}

/** 1 to 4 random edits: flip a bit, set a byte, insert a byte, delete or duplicate a range. */
export function mutate(random: Random, bytes: Uint8Array): Uint8Array {
  let out: Uint8Array = bytes.slice();
  const edits = 1 + randomInt(random, 4);
  for (let e = 0; e < edits; e++) {
    const at = randomInt(random, out.length + 1);
    switch (randomInt(random, 5)) {
      case 0:
        if (at < out.length) out[at] = out[at]! ^ (1 << randomInt(random, 8));
        break;
      case 1:
        if (at < out.length) out[at] = pickByte(random);
        break;
      case 2:
        out = splice(out, at, 0, [pickByte(random)]);
        break;
      case 3:
        out = splice(out, at, randomInt(random, 16), []);
        break;
      default: {
        const length = randomInt(random, 32);
        out = splice(out, at, 0, [...out.subarray(at, at + length)]);
      }
    }
  }
  return out;
}

/** `bytes` with one invalid UTF-8 sequence put in at a random place. */
export function breakUtf8(random: Random, bytes: Uint8Array): Uint8Array {
  const sequence = INVALID_UTF8[randomInt(random, INVALID_UTF8.length)]!;
  // Inside a string value most of the time: after an opening quote, where a parser looks hardest.
  let at = randomInt(random, bytes.length + 1);
  if (random() < 0.7) {
    const quote = bytes.indexOf(0x22, at);
    if (quote !== -1) at = quote + 1;
  }
  return splice(bytes, at, 0, sequence);
}

/** Bytes a fuzzer likes: JSON punctuation, quotes, escapes, NUL, high bits. */
function pickByte(random: Random): number {
  const special = [0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x5c, 0x3a, 0x2c, 0x00, 0x2f, 0x2e, 0x25, 0xff, 0xc3];
  return random() < 0.5 ? special[randomInt(random, special.length)]! : randomInt(random, 256);
}

function splice(bytes: Uint8Array, at: number, remove: number, insert: readonly number[]): Uint8Array {
  const end = Math.min(bytes.length, at + remove);
  const out = new Uint8Array(bytes.length - (end - at) + insert.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(insert, at);
  out.set(bytes.subarray(end), at + insert.length);
  return out;
}

/** Random bytes, mostly short: 1–64 (half), up to 1 KiB (most of the rest), up to 64 KiB. */
export function randomBytes(random: Random): Uint8Array {
  const roll = random();
  const length = 1 + randomInt(random, roll < 0.5 ? 64 : roll < 0.9 ? 1024 : 65536);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = randomInt(random, 256);
  return out;
}
