// Starts the listener an audit address names: udp:// (udp.ts), tcp:// and unix:// (stream.ts),
// file:// (file-tail.ts).

import { type ListenAddress, parseListenAddress } from "../../config/addresses.ts";
import { type FileTailOptions, tailFile } from "./file-tail.ts";
import type { AuditListener } from "./listener.ts";
import { listenTcp, listenUnix, type StreamListenerOptions } from "./stream.ts";
import { listenUdp, type UdpListenerOptions } from "./udp.ts";

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
      return listenUdp(parsed.host, parsed.port, options);
    case "tcp":
      return listenTcp(parsed.host, parsed.port, options);
    case "unix":
      return listenUnix(parsed.path, options);
    case "file":
      return tailFile(parsed.path, options);
  }
}
