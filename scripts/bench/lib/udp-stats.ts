// The kernel's view of one UDP port, from /proc/net/udp{,6}: datagrams dropped for a full receive
// buffer (the only place UDP loss shows) and bytes waiting to be read.

import { readFileSync } from "node:fs";

export interface UdpPortStats {
  drops: number;
  /** Bytes queued for the reader (rx_queue), 0 when it has caught up. */
  queued: number;
}

/**
 * One table's row for `port`, summed if several sockets share it.
 * parseRows("…header…\n 12: 0100007F:9C40 00000000:0000 07 00000000:00000200 … 0 0 4242 2 … 3", 40000) → {drops:3, queued:512}
 */
export function parseRows(text: string, port: number): UdpPortStats | undefined {
  let found: UdpPortStats | undefined;
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 13) continue;
    const local = fields[1]!;
    if (Number.parseInt(local.slice(local.lastIndexOf(":") + 1), 16) !== port) continue;
    const queued = Number.parseInt(fields[4]!.split(":")[1] ?? "0", 16);
    found = { drops: (found?.drops ?? 0) + Number(fields[12]), queued: (found?.queued ?? 0) + queued };
  }
  return found;
}

/** The port's drops and queue now; zeros when no socket is bound to it. */
export function udpPortStats(port: number): UdpPortStats {
  const total = { drops: 0, queued: 0 };
  for (const table of ["/proc/net/udp", "/proc/net/udp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    const row = parseRows(text, port);
    if (row) [total.drops, total.queued] = [total.drops + row.drops, total.queued + row.queued];
  }
  return total;
}

/** Waits until the reader has emptied the port's queue (or `ms` passed); answers whether it did. */
export async function waitDrained(port: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (udpPortStats(port).queued === 0) return true;
    await Bun.sleep(20);
  }
  return false;
}
