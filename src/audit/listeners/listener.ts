// What every audit listener (udp.ts, stream.ts, file-tail.ts) takes and gives, and what they all
// do alike. A listener's only job is bytes → lines → onLine: the callback is synchronous and the
// listener never awaits anything else, so a slow Vault call elsewhere can never stop Courier
// reading (and so never stall Vault's audit device). A listener that cannot start is a start-up
// error: it says which address and why, in words an operator can act on.

import { CourierError, messageOf } from "../../errors.ts";
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

const WHY: Record<string, string> = {
  EADDRINUSE: "the address is already in use (another Courier, or another program, is listening there)",
  EACCES:
    "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE; a socket file needs a writable directory)",
  EPERM: "operation not permitted",
  EADDRNOTAVAIL: "no network interface on this host has that address",
  ENOENT: "the host name does not resolve, or the socket's directory does not exist",
  ENOTDIR: "a part of the socket path is not a directory",
};

/** listenFailed("tcp://127.0.0.1:1269", EADDRINUSE error) → LISTEN_FAILED "cannot listen on tcp://…: the address is already in use …" */
export function listenFailed(address: string, error: unknown): CourierError {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  const why = (typeof code === "string" ? WHY[code] : undefined) ?? messageOf(error);
  return new CourierError("LISTEN_FAILED", `cannot listen for the audit stream on ${address}: ${why}`, {
    cause: error,
  });
}
