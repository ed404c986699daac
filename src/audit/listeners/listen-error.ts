// A listener that cannot start is a start-up error: say which address and why, in words an
// operator can act on.

import { CourierError } from "../../errors.ts";

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
  const why =
    (typeof code === "string" ? WHY[code] : undefined) ??
    (error instanceof Error ? error.message : String(error));
  return new CourierError("LISTEN_FAILED", `cannot listen for the audit stream on ${address}: ${why}`, {
    cause: error,
  });
}
