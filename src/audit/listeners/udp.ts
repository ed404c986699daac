// The UDP listener: one datagram = one entry. Vault's UDP sends practically never fail, so every
// datagram the kernel drops is lost silently; hence a large receive buffer (checked, with a
// warning when the kernel caps it) and the kernel's drop counter exposed for the metrics.
//
// The receive buffer: Bun.udpSocket has no option for it, and at the kernel's default (≈208 KiB)
// a burst of 2 KB entries overflows it and the kernel drops datagrams. So Courier calls
// setsockopt on the socket's file descriptor through libc (bun:ffi): first SO_RCVBUFFORCE, which
// only root (CAP_NET_ADMIN) may use and which ignores net.core.rmem_max, then SO_RCVBUF, which
// the kernel silently caps at rmem_max. getsockopt then says what was granted. Linux reports
// twice the size asked for (the other half is its bookkeeping), so "granted" below is that figure
// halved, comparable with "requested".
//
// The drop counter: Linux's view of UDP sockets, in /proc/net/udp and /proc/net/udp6, holds each
// socket's local address, inode and "drops" — datagrams the kernel discarded because the receive
// buffer was full. That is the only place UDP loss is visible. Without /proc (or off Linux) the
// socket, its buffer and its drops read as undefined and the listener still runs.

import { FFIType, ptr } from "bun:ffi";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { formatListenAddress } from "../../config/addresses.ts";
import { openLibc } from "../../libc.ts";
import { createDatagramFramer } from "../framer.ts";
import { compileAllowlist } from "./allowlist.ts";
import {
  framerOptions,
  guardedOnLine,
  type ListenerOptions,
  listenFailed,
  type NetworkListener,
} from "./listener.ts";

export interface UdpListenerOptions extends ListenerOptions {
  /** Receive buffer to ask the kernel for, in bytes (default 8 MiB). */
  receiveBufferBytes?: number;
}

export interface UdpListener extends NetworkListener {
  /** The socket's file descriptor, when found (for diagnostics). */
  readonly fd: number | undefined;
  /** What was asked of the kernel for the receive buffer and what it granted. */
  readonly receiveBuffer: ReceiveBuffer;
  /** Reads the kernel's drop count for this socket, stores it in the counters, and returns it. */
  pollKernelDrops(): number;
}

export interface ReceiveBuffer {
  /** What was asked for, in bytes. */
  requested: number;
  /** What the kernel granted (getsockopt, halved); undefined when it could not be read. */
  granted: number | undefined;
  /** SO_RCVBUFFORCE worked (running as root), so rmem_max did not apply. */
  forced: boolean;
}

/** 8 MiB: room for a burst of a few thousand 2 KB entries while the reader catches up. */
export const DEFAULT_RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;

export async function listenUdp(
  host: string,
  port: number,
  options: UdpListenerOptions,
): Promise<UdpListener> {
  const { counters } = options;
  const allowlist = compileAllowlist(options.allow);
  const onLine = guardedOnLine(options);
  let sender = "";
  const frame = createDatagramFramer(framerOptions(options, (line) => onLine(line, sender)));

  const requested = { transport: "udp", host, port } as const;
  let socket: Bun.udp.Socket<"buffer">;
  try {
    socket = await Bun.udpSocket({
      hostname: host,
      port,
      socket: {
        data(_socket, data, _port, address, flags) {
          if (!allowlist.allows(address)) {
            counters.disallowedSender++;
            return;
          }
          if (flags?.truncated) {
            counters.oversize++;
            return;
          }
          sender = address;
          frame(data);
        },
        // Bun passes only the error here at run time; nothing on one datagram may stop the loop.
        error() {},
      },
    });
  } catch (error) {
    throw listenFailed(formatListenAddress(requested), error);
  }

  const address = formatListenAddress({ ...requested, port: socket.port });
  const found = findUdpSocket(socket.port, runtimeFd(socket));
  const wanted = options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES;
  const receiveBuffer: ReceiveBuffer =
    found === undefined
      ? { requested: wanted, granted: undefined, forced: false }
      : raiseReceiveBuffer(found.fd, wanted);
  const warning = bufferWarning(address, receiveBuffer);
  if (warning !== undefined) options.onWarning?.(warning);

  return {
    address,
    port: socket.port,
    fd: found?.fd,
    receiveBuffer,
    pollKernelDrops() {
      const drops = found === undefined ? undefined : readUdpDrops(found.inode);
      if (drops !== undefined) counters.udpKernelDrops = drops;
      return counters.udpKernelDrops;
    },
    async close() {
      socket.close();
    },
  };
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

/**
 * Finds this process's UDP socket bound to `port`: its inode and file descriptor. `hintFd` (what
 * the runtime reports, if anything) is tried first; otherwise /proc/self/fd is searched.
 */
export function findUdpSocket(
  port: number,
  hintFd: number | undefined,
): { fd: number; inode: number } | undefined {
  const inodes = new Set(
    readRows()
      .filter((row) => row.port === port)
      .map((row) => row.inode),
  );
  if (inodes.size === 0) return undefined;
  if (hintFd !== undefined) {
    const inode = socketInode(hintFd);
    if (inode !== undefined && inodes.has(inode)) return { fd: hintFd, inode };
  }
  let fds: string[];
  try {
    fds = readdirSync("/proc/self/fd");
  } catch {
    return undefined;
  }
  for (const name of fds) {
    const fd = Number(name);
    const inode = socketInode(fd);
    if (inode !== undefined && inodes.has(inode)) return { fd, inode };
  }
  return undefined;
}

interface UdpSocketRow {
  /** Local port. */
  port: number;
  inode: number;
  drops: number;
}

const TABLES = ["/proc/net/udp", "/proc/net/udp6"];

/**
 * One table's rows; the header line is skipped.
 * " 5389: 0100007F:CDAD 00000000:0000 07 … 0 10382 2 00000000ba2e220d 0" → {port:52653, inode:10382, drops:0}
 */
function parseUdpTable(text: string): UdpSocketRow[] {
  const rows: UdpSocketRow[] = [];
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 13) continue;
    const local = fields[1]!;
    const port = Number.parseInt(local.slice(local.lastIndexOf(":") + 1), 16);
    rows.push({ port, inode: Number(fields[9]), drops: Number(fields[12]) });
  }
  return rows;
}

function readRows(): UdpSocketRow[] {
  const rows: UdpSocketRow[] = [];
  for (const table of TABLES) {
    try {
      rows.push(...parseUdpTable(readFileSync(table, "utf8")));
    } catch {
      // No /proc, or no IPv6 in this kernel.
    }
  }
  return rows;
}

/** The kernel's drop count for one socket, by inode; undefined when it cannot be read. */
function readUdpDrops(inode: number): number | undefined {
  return readRows().find((row) => row.inode === inode)?.drops;
}

/** The inode behind a file descriptor of this process ("socket:[10382]" → 10382). */
function socketInode(fd: number): number | undefined {
  try {
    const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Bun's UDP socket carries its descriptor as an undocumented `fd`; it is verified before use. */
function runtimeFd(socket: object): number | undefined {
  const fd = (socket as { fd?: unknown }).fd;
  return typeof fd === "number" ? fd : undefined;
}

function bufferWarning(address: string, buffer: ReceiveBuffer): string | undefined {
  if (buffer.granted === undefined) {
    return `could not set the receive buffer of ${address} (needs Linux): bursts of audit entries may be lost; run a reconcile to catch up`;
  }
  if (buffer.granted >= buffer.requested) return undefined;
  const max = readRmemMax();
  return (
    `the kernel capped the receive buffer of ${address} at ${buffer.granted} bytes (asked for ${buffer.requested})` +
    `${max === undefined ? "" : `; net.core.rmem_max is ${max}`}: raise it (sysctl -w net.core.rmem_max=${buffer.requested}) or run as root, or bursts may be dropped`
  );
}

function readRmemMax(): number | undefined {
  try {
    return Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8").trim());
  } catch {
    return undefined;
  }
}

const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33;

type Libc = {
  setsockopt: (fd: number, level: number, name: number, value: unknown, length: number) => number;
  getsockopt: (fd: number, level: number, name: number, value: unknown, length: unknown) => number;
};

let libc: Libc | null | undefined;

/** libc's socket-option calls, or null where they cannot be loaded (not Linux, no glibc/musl). */
function loadLibc(): Libc | null {
  if (libc !== undefined) return libc;
  libc = openLibc({
    setsockopt: {
      args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.u32],
      returns: FFIType.i32,
    },
    getsockopt: {
      args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.ptr],
      returns: FFIType.i32,
    },
  }) as Libc | null;
  return libc;
}
