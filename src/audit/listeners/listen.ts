// Starts the listener an audit address names: udp:// (udp.ts), tcp:// and unix:// (stream.ts),
// file:// (file-tail.ts). Only the one named is loaded: an agent runs one for its whole life.

import { type ListenAddress, parseListenAddress } from "../../config/addresses.ts";
import type { FileTailOptions } from "./file-tail.ts";
import type { AuditListener } from "./listener.ts";
import type { StreamListenerOptions } from "./stream.ts";
import type { UdpListenerOptions } from "./udp.ts";

export type AnyListenerOptions = UdpListenerOptions & StreamListenerOptions & FileTailOptions;

/**
 * listenForAudit("tcp://127.0.0.1:0", options) → a TCP listener on a free port
 * listenForAudit("file:///var/log/vault/audit.log", options) → a tailer of Vault's file audit device
 */
export async function listenForAudit(
  address: ListenAddress | string,
  options: AnyListenerOptions,
): Promise<AuditListener> {
  const parsed = typeof address === "string" ? parseListenAddress(address) : address;
  switch (parsed.transport) {
    case "udp":
      return (await import("./udp.ts")).listenUdp(parsed.host, parsed.port, options);
    case "tcp":
      return (await import("./stream.ts")).listenTcp(parsed.host, parsed.port, options);
    case "unix":
      return (await import("./stream.ts")).listenUnix(parsed.path, options);
    case "file":
      return (await import("./file-tail.ts")).tailFile(parsed.path, options);
  }
}
