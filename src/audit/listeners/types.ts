// What every audit listener takes and gives. A listener's only job is bytes → lines → onLine:
// the callback is synchronous and the listener never awaits anything else, so a slow Vault call
// elsewhere can never stop Courier reading (and so never stall Vault's audit device).

import type { IngestCounters } from "../counters.ts";
import type { FramerOptions } from "../framer.ts";

export interface ListenerOptions {
  /** Called once per entry line, synchronously, with the sender's address ("unix" for unix sockets). */
  onLine: (line: string, sender: string) => void;
  /** Where the listener counts disallowed senders, oversize and truncated lines, stalls. */
  counters: IngestCounters;
  /** CIDRs allowed to send (see allowlist.ts); not applied to unix sockets, whose file mode decides. */
  allow: readonly string[];
  /** The audit device's `prefix`, stripped from every entry. */
  prefix?: string;
  /** Longest entry kept, in bytes (default 1 MiB). */
  maxLineBytes?: number;
  /** Told once about a condition the operator should fix (e.g. a capped receive buffer). */
  onWarning?: (message: string) => void;
  /** Told when onLine throws; the listener carries on with the next line. */
  onError?: (error: unknown) => void;
}

export interface UdpListenerOptions extends ListenerOptions {
  /** Receive buffer to ask the kernel for, in bytes (default 8 MiB). */
  receiveBufferBytes?: number;
}

export interface StreamListenerOptions extends ListenerOptions {
  /** A connection holding half a line that sends nothing for this long is closed (default 30 s). */
  idleTimeoutMs?: number;
  /** Connections beyond this many at once are refused (default 64). */
  maxConnections?: number;
}

export interface AuditListener {
  /** Where it listens, as a user would write it ("udp://127.0.0.1:1269"). */
  readonly address: string;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

export interface NetworkListener extends AuditListener {
  /** The bound port (useful when asked for port 0). */
  readonly port: number;
}

export interface StreamListener extends AuditListener {
  /** Connections open right now. */
  readonly connections: number;
}

export interface UdpListener extends NetworkListener {
  /** The socket's file descriptor, when found (for diagnostics). */
  readonly fd: number | undefined;
  /** What was asked of the kernel for the receive buffer and what it granted. */
  readonly receiveBuffer: { requested: number; granted: number | undefined; forced: boolean };
  /** Reads the kernel's drop count for this socket, stores it in the counters, and returns it. */
  pollKernelDrops(): number;
}

/** onLine guarded so that one failing line never costs the rest of a read. */
export function guardedOnLine(options: ListenerOptions): (line: string, sender: string) => void {
  const { onLine, onError } = options;
  return (line, sender) => {
    try {
      onLine(line, sender);
    } catch (error) {
      onError?.(error);
    }
  };
}

/**
 * A framer's options from the listener's: prefix and line cap as given, each line to `onLine`,
 * each discarded one counted. framerOptions(options, (line) => onLine(line, "file"))
 */
export function framerOptions(options: ListenerOptions, onLine: (line: string) => void): FramerOptions {
  const { counters } = options;
  return {
    prefix: options.prefix,
    maxLineBytes: options.maxLineBytes,
    onLine,
    onDiscard: (reason) => {
      if (reason === "oversize") counters.oversize++;
      else counters.rejected[reason]++;
    },
  };
}
