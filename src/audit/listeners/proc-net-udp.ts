// Linux's view of UDP sockets, from /proc/net/udp and /proc/net/udp6: each row holds a socket's
// local address, inode and "drops" — datagrams the kernel discarded because the receive buffer
// was full. That is the only place UDP loss is visible, so Courier reads it for its metrics.
// On systems without /proc every function here answers undefined.

import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface UdpSocketRow {
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
export function parseUdpTable(text: string): UdpSocketRow[] {
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
export function readUdpDrops(inode: number): number | undefined {
  return readRows().find((row) => row.inode === inode)?.drops;
}

/** The inode behind a file descriptor of this process ("socket:[10382]" → 10382). */
export function socketInode(fd: number): number | undefined {
  try {
    const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
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
