// The few libc calls Bun has no API for (socket buffer options, madvise), through bun:ffi. Linux
// only: elsewhere, or where no libc can be opened, callers get null and do without.

import { dlopen, type FFIFunction } from "bun:ffi";

// glibc's soname first; a musl system (the linux-*-musl builds) answers to one of the others.
const LIBC_NAMES = ["libc.so.6", "libc.so", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1"];

/** The named libc functions, or null where they cannot be loaded (not Linux, no glibc or musl). */
export function openLibc<Fns extends Record<string, FFIFunction>>(
  functions: Fns,
): Record<keyof Fns, (...args: never[]) => number> | null {
  if (process.platform !== "linux") return null;
  for (const name of LIBC_NAMES) {
    try {
      return dlopen(name, functions).symbols as unknown as Record<keyof Fns, (...args: never[]) => number>;
    } catch {
      // Try the next name.
    }
  }
  return null;
}
