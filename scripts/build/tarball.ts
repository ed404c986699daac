// A gzipped ustar archive written in-process: the same bytes on every machine (fixed owner, mode and
// mtime, files in the order given), with no dependency on which `tar` the machine has.

export interface TarEntry {
  /** Path inside the archive, at most 100 bytes. */
  name: string;
  mode: number;
  data: Uint8Array;
}

const BLOCK = 512;

/** Writes a .tar.gz holding the entries; mtime is seconds since the epoch for every entry. */
export async function writeTarGz(path: string, entries: readonly TarEntry[], mtime: number): Promise<number> {
  // Level 9 makes each archive about 2.5% smaller and takes 2.5× as long (3.4 s against 1.4 s for
  // a 104 MiB binary): not worth it.
  const gz = Bun.gzipSync(tarBytes(entries, mtime), { level: 6 });
  await Bun.write(path, gz);
  return gz.length;
}

/**
 * The uncompressed archive.
 * tarBytes([{name:"a",mode:0o644,data:"hi"}], 0).length → 2048 (header, data block, two end blocks)
 */
export function tarBytes(entries: readonly TarEntry[], mtime: number): Uint8Array<ArrayBuffer> {
  const size = entries.reduce((n, e) => n + BLOCK + padded(e.data.length), 2 * BLOCK);
  const out = new Uint8Array(size); // zero-filled: the padding and the two end blocks come free
  let at = 0;
  for (const entry of entries) {
    out.set(header(entry, mtime), at);
    out.set(entry.data, at + BLOCK);
    at += BLOCK + padded(entry.data.length);
  }
  return out;
}

function header(entry: TarEntry, mtime: number): Uint8Array {
  const name = new TextEncoder().encode(entry.name);
  if (name.length > 100) throw new Error(`archive path too long for ustar: ${entry.name}`);
  const h = new Uint8Array(BLOCK);
  h.set(name, 0);
  h.set(octal(entry.mode, 8), 100);
  h.set(octal(0, 8), 108); // uid
  h.set(octal(0, 8), 116); // gid
  h.set(octal(entry.data.length, 12), 124);
  h.set(octal(mtime, 12), 136);
  h.set(ascii("0"), 156); // a regular file
  h.set(ascii("ustar\u000000"), 257);
  h.set(octal(0, 8), 329); // devmajor
  h.set(octal(0, 8), 337); // devminor
  // The checksum is summed with its own field read as eight spaces.
  h.fill(0x20, 148, 156);
  const sum = h.reduce((n, byte) => n + byte, 0);
  h.set(ascii(`${sum.toString(8).padStart(6, "0")}\u0000 `), 148);
  return h;
}

/**
 * A zero-padded octal field ending in NUL.
 * octal(0o755, 8) → bytes of "0000755\0"
 */
function octal(value: number, width: number): Uint8Array {
  const digits = Math.trunc(value)
    .toString(8)
    .padStart(width - 1, "0");
  if (digits.length > width - 1) throw new Error(`${value} does not fit a ${width}-byte tar field`);
  return ascii(`${digits}\u0000`);
}

function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function padded(length: number): number {
  return Math.ceil(length / BLOCK) * BLOCK;
}
