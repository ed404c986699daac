// Where Courier listens for the audit stream (`--vault.audit_address`). A bare "host:port" means
// UDP, as in the original Courier; the other transports are named by a scheme. The settings
// check this same parser, so an address that passes them is one a listener can start on.

import { isIP } from "node:net";
import { CourierError } from "../../errors.ts";

export type ListenAddress =
  | { transport: "udp" | "tcp"; host: string; port: number }
  | { transport: "unix"; path: string }
  /** Recognised here; an audit file is followed by the file tailer, not a socket listener. */
  | { transport: "file"; path: string };

/** Every accepted form, for messages that refuse one. */
export const LISTEN_ADDRESS_FORMS =
  "host:port (UDP), udp://host:port, tcp://host:port, unix:///path/to/socket or file:///path/to/audit.log";

/**
 * parseListenAddress("127.0.0.1:1269") → {transport:"udp", host:"127.0.0.1", port:1269}
 * parseListenAddress("tcp://[::1]:9000") → {transport:"tcp", host:"::1", port:9000}
 * parseListenAddress("unix:///run/courier.sock") → {transport:"unix", path:"/run/courier.sock"}
 */
export function parseListenAddress(text: string): ListenAddress {
  const scheme = /^([a-z]+):\/\//i.exec(text);
  if (scheme === null) return { transport: "udp", ...hostPortOf(text, text) };
  const rest = text.slice(scheme[0].length);
  switch (scheme[1]!.toLowerCase()) {
    case "udp":
      return { transport: "udp", ...hostPortOf(rest, text) };
    case "tcp":
      return { transport: "tcp", ...hostPortOf(rest, text) };
    case "unix":
      return { transport: "unix", path: absolutePath(rest, text) };
    case "file":
      return { transport: "file", path: absolutePath(rest, text) };
    default:
      throw invalid(text, `unknown scheme "${scheme[1]}"`);
  }
}

/** The address as a user would write it: "udp://127.0.0.1:1269", "unix:///run/courier.sock". */
export function formatListenAddress(address: ListenAddress): string {
  if (address.transport === "unix" || address.transport === "file")
    return `${address.transport}://${address.path}`;
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `${address.transport}://${host}:${address.port}`;
}

/**
 * Host and port to listen on, or why not; IPv6 hosts in brackets; port 0 picks a free port.
 * splitHostPort("[::1]:1269") → {host:"::1", port:1269}; splitHostPort("1269") → "expected host:port, …"
 */
export function splitHostPort(text: string): { host: string; port: number } | string {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:/[\]]+)):(\d{1,5})$/.exec(text);
  if (match === null || (match[1] !== undefined && isIP(match[1]) !== 6))
    return "expected host:port, with IPv6 hosts in brackets ([::1]:1269)";
  const port = Number(match[3]);
  if (port > 65535) return "the port must be 0 to 65535";
  return { host: (match[1] ?? match[2])!, port };
}

function hostPortOf(text: string, whole: string): { host: string; port: number } {
  const parts = splitHostPort(text);
  if (typeof parts === "string") throw invalid(whole, parts);
  return parts;
}

function absolutePath(path: string, whole: string): string {
  if (!path.startsWith("/"))
    throw invalid(whole, "the path must be absolute (three slashes: unix:///run/x.sock)");
  if (path === "/") throw invalid(whole, "the path must name a socket or file below /");
  return path;
}

function invalid(text: string, why: string): CourierError {
  return new CourierError(
    "CONFIG_INVALID",
    `audit address "${text}" is invalid: ${why}; accepted forms: ${LISTEN_ADDRESS_FORMS}`,
  );
}
