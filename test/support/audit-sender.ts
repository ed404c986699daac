// Sends audit lines to a Courier listener the way Vault's socket device does: one datagram per
// entry over UDP, newline-terminated entries over a TCP or unix stream. For replaying real lines
// from a trail, and for sending from another loopback address (all of 127.0.0.0/8 is loopback on
// Linux, so 127.0.0.2 is a second sender on the same machine).
import { connect } from "node:net";
import type { Transport } from "./courier-harness.ts";

export interface SendOptions {
  /** The local address to send from (UDP and TCP); default 127.0.0.1. */
  from?: string;
}

/**
 * sendAuditLines("udp://127.0.0.1:40123", ['{"type":"response",…}']). Resolves once the lines
 * are handed to the kernel; a listener that hangs up on the sender is not an error here.
 */
export async function sendAuditLines(listening: string, lines: string[], options: SendOptions = {}) {
  const transport = listening.slice(0, listening.indexOf(":")) as Transport;
  const target = listening.replace(/^[a-z]+:\/\//, "");
  if (transport === "udp") {
    const { host, port } = hostPort(target);
    const socket = await Bun.udpSocket({ hostname: options.from ?? "127.0.0.1", port: 0 });
    for (const line of lines) socket.send(`${line}\n`, port, host);
    socket.close();
    return;
  }
  const payload = lines.map((line) => `${line}\n`).join("");
  await new Promise<void>((resolve) => {
    const socket =
      transport === "unix"
        ? connect({ path: target })
        : connect({ ...hostPort(target), localAddress: options.from ?? "127.0.0.1" });
    socket.once("connect", () => socket.end(payload));
    socket.once("error", () => resolve());
    socket.once("close", () => resolve());
  });
}

/** "127.0.0.1:40123" → {host: "127.0.0.1", port: 40123}; "[::1]:9" → {host: "::1", port: 9} */
function hostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(":");
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ""), port: Number(address.slice(colon + 1)) };
}
