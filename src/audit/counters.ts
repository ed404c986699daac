// What the ingest path counts, as plain numbers a metrics module reads when scraped. Every line
// that reaches Courier ends in exactly one of: accepted, ignored (by reason), rejected (by reason),
// mount_refresh, or — before it is a line at all — disallowed_sender, oversize or truncated.

import { IGNORE_REASONS, type IgnoreReason } from "./classify.ts";
import { REJECT_REASONS, type RejectReason } from "./parse.ts";

export interface IngestCounters {
  /** Entries that became a SyncKey. */
  accepted: number;
  /** Entries that were understood and are not Courier's business. */
  ignored: Record<IgnoreReason, number>;
  /** Lines that are not an audit entry Vault would write. */
  rejected: Record<RejectReason, number>;
  /** Entries that changed the source's mount table (a refresh follows). */
  mountRefreshes: number;
  /** Entries for a path in no known mount (a refresh and a second look follow). */
  unknownMounts: number;
  /** Datagrams or connections from an address outside the allowlist. */
  disallowedSender: number;
  /** Lines dropped by the framer for exceeding the line cap. */
  oversize: number;
  /** Unfinished lines dropped when their connection closed or stalled. */
  truncated: number;
  /** Connections closed for sending half a line and then nothing for the idle timeout. */
  stalledConnections: number;
  /** Connections refused because the listener already held its maximum (and none could make room). */
  refusedConnections: number;
  /** Connections closed to make room for a new one when the listener held its maximum. */
  evictedConnections: number;
  /**
   * Connections that delivered entries and were then closed by the sender. Vault drops its
   * connection when a write times out (Courier too slow, or stopped) and may give up on the entry,
   * so each one asks for a full pass.
   */
  endedBySender: number;
  /** Datagrams the kernel dropped for a full receive buffer (read from /proc/net/udp{,6}). */
  udpKernelDrops: number;
}

export function createIngestCounters(): IngestCounters {
  return {
    accepted: 0,
    ignored: zeroes(IGNORE_REASONS),
    rejected: zeroes(REJECT_REASONS),
    mountRefreshes: 0,
    unknownMounts: 0,
    disallowedSender: 0,
    oversize: 0,
    truncated: 0,
    stalledConnections: 0,
    refusedConnections: 0,
    evictedConnections: 0,
    endedBySender: 0,
    udpKernelDrops: 0,
  };
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const key of keys) out[key] = 0;
  return out;
}
