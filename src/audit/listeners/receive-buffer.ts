// Raising a UDP socket's receive buffer. Bun.udpSocket has no option for it, and at the kernel's
// default (≈208 KiB) a burst of 2 KB entries overflows it and the kernel drops datagrams. So
// Courier calls setsockopt on the socket's file descriptor through libc (bun:ffi): first
// SO_RCVBUFFORCE, which only root (CAP_NET_ADMIN) may use and which ignores net.core.rmem_max,
// then SO_RCVBUF, which the kernel silently caps at rmem_max. getsockopt then says what was
// granted. Linux reports twice the size asked for (the other half is its bookkeeping), so
// "granted" below is that figure halved, comparable with "requested".

import { dlopen, FFIType, ptr } from "bun:ffi";

const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33;

export interface ReceiveBuffer {
  requested: number;
  /** What the kernel granted (getsockopt, halved); undefined when it could not be read. */
  granted: number | undefined;
  /** SO_RCVBUFFORCE worked (running as root), so rmem_max did not apply. */
  forced: boolean;
}

type Libc = {
  setsockopt: (fd: number, level: number, name: number, value: unknown, length: number) => number;
  getsockopt: (fd: number, level: number, name: number, value: unknown, length: unknown) => number;
};

let libc: Libc | null | undefined;

/** libc's socket-option calls, or null where they cannot be loaded (not Linux, no glibc/musl). */
function loadLibc(): Libc | null {
  if (libc !== undefined) return libc;
  libc = null;
  if (process.platform !== "linux") return libc;
  for (const name of ["libc.so.6", "libc.so", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1"]) {
    try {
      const lib = dlopen(name, {
        setsockopt: {
          args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.u32],
          returns: FFIType.i32,
        },
        getsockopt: {
          args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.ptr],
          returns: FFIType.i32,
        },
      });
      libc = lib.symbols as unknown as Libc;
      break;
    } catch {
      // Try the next name.
    }
  }
  return libc;
}

/** Asks for `bytes` of receive buffer on `fd`; says what the kernel granted. */
export function raiseReceiveBuffer(fd: number, bytes: number): ReceiveBuffer {
  const c = loadLibc();
  if (c === null) return { requested: bytes, granted: undefined, forced: false };
  const value = new Int32Array([Math.min(bytes, 0x3fffffff)]);
  const forced = c.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, ptr(value), 4) === 0;
  if (!forced) c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, ptr(value), 4);
  return { requested: bytes, granted: readReceiveBuffer(fd), forced };
}

/** The receive buffer of `fd` as the kernel holds it now (halved, see above); undefined if unknown. */
export function readReceiveBuffer(fd: number): number | undefined {
  const c = loadLibc();
  if (c === null) return undefined;
  const value = new Int32Array(1);
  const length = new Uint32Array([4]);
  if (c.getsockopt(fd, SOL_SOCKET, SO_RCVBUF, ptr(value), ptr(length)) !== 0) return undefined;
  return Math.floor(value[0]! / 2);
}
