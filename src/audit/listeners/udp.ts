// The UDP listener: one datagram = one entry. Vault's UDP sends practically never fail, so every
// datagram the kernel drops is lost silently; hence a large receive buffer (checked, with a
// warning when the kernel caps it) and the kernel's drop counter exposed for the metrics.

import { readFileSync } from "node:fs";
import { formatListenAddress } from "../../config/addresses.ts";
import { createDatagramFramer } from "../framer.ts";
import { compileAllowlist } from "./allowlist.ts";
import { listenFailed } from "./listen-error.ts";
import { findUdpSocket, readUdpDrops } from "./proc-net-udp.ts";
import { type ReceiveBuffer, raiseReceiveBuffer } from "./receive-buffer.ts";
import { framerOptions, guardedOnLine, type UdpListener, type UdpListenerOptions } from "./types.ts";

/** 8 MiB: room for a burst of a few thousand 2 KB entries while the reader catches up. */
export const DEFAULT_RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;

export async function listenUdp(
  host: string,
  port: number,
  options: UdpListenerOptions,
): Promise<UdpListener> {
  const { counters } = options;
  const allowlist = compileAllowlist(options.allow);
  const onLine = guardedOnLine(options);
  let sender = "";
  const frame = createDatagramFramer(framerOptions(options, (line) => onLine(line, sender)));

  const requested = { transport: "udp", host, port } as const;
  let socket: Bun.udp.Socket<"buffer">;
  try {
    socket = await Bun.udpSocket({
      hostname: host,
      port,
      socket: {
        data(_socket, data, _port, address, flags) {
          if (!allowlist.allows(address)) {
            counters.disallowedSender++;
            return;
          }
          if (flags?.truncated) {
            counters.oversize++;
            return;
          }
          sender = address;
          frame(data);
        },
        // Bun passes only the error here at run time; nothing on one datagram may stop the loop.
        error() {},
      },
    });
  } catch (error) {
    throw listenFailed(formatListenAddress(requested), error);
  }

  const address = formatListenAddress({ ...requested, port: socket.port });
  const found = findUdpSocket(socket.port, runtimeFd(socket));
  const wanted = options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES;
  const receiveBuffer: ReceiveBuffer =
    found === undefined
      ? { requested: wanted, granted: undefined, forced: false }
      : raiseReceiveBuffer(found.fd, wanted);
  const warning = bufferWarning(address, receiveBuffer);
  if (warning !== undefined) options.onWarning?.(warning);

  return {
    address,
    port: socket.port,
    fd: found?.fd,
    receiveBuffer,
    pollKernelDrops() {
      const drops = found === undefined ? undefined : readUdpDrops(found.inode);
      if (drops !== undefined) counters.udpKernelDrops = drops;
      return counters.udpKernelDrops;
    },
    async close() {
      socket.close();
    },
  };
}

/** Bun's UDP socket carries its descriptor as an undocumented `fd`; it is verified before use. */
function runtimeFd(socket: object): number | undefined {
  const fd = (socket as { fd?: unknown }).fd;
  return typeof fd === "number" ? fd : undefined;
}

function bufferWarning(address: string, buffer: ReceiveBuffer): string | undefined {
  if (buffer.granted === undefined) {
    return `could not set the receive buffer of ${address} (needs Linux): bursts of audit entries may be lost; run a reconcile to catch up`;
  }
  if (buffer.granted >= buffer.requested) return undefined;
  const max = readRmemMax();
  return (
    `the kernel capped the receive buffer of ${address} at ${buffer.granted} bytes (asked for ${buffer.requested})` +
    `${max === undefined ? "" : `; net.core.rmem_max is ${max}`}: raise it (sysctl -w net.core.rmem_max=${buffer.requested}) or run as root, or bursts may be dropped`
  );
}

function readRmemMax(): number | undefined {
  try {
    return Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8").trim());
  } catch {
    return undefined;
  }
}
