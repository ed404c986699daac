// Vault writes a test entry the moment a socket device is enabled, and refuses the device when
// that write fails. Over UDP nothing can fail; over TCP or a unix socket something must accept
// the connection. When Courier is not running yet, setup listens on the address itself for that
// moment (and says whether the test entry came), then closes.
import { chmodSync, unlinkSync } from "node:fs";
import { isSocketFile, listenOverStaleSocket } from "../audit/listeners/stream.ts";
import { messageOf } from "../errors.ts";
import type { DeviceSpec } from "./audit-devices.ts";

export interface StandIn {
  /** "tcp://127.0.0.1:1269", "unix:///run/courier/audit.sock" */
  address: string;
  /** Waits up to `ms` for Vault's test entry (request path sys/audit/test). */
  sawTestEntry(ms?: number): Promise<boolean>;
  close(): void;
}

export type StandInResult =
  | { kind: "listening"; standIn: StandIn }
  /** Something else accepts connections there: Courier, most likely. */
  | { kind: "taken" }
  | { kind: "failed"; reason: string };

type Handlers = Bun.SocketHandler<undefined>;

/** Listens where a tcp or unix socket device will dial, unless something already does. */
export async function standInFor(device: DeviceSpec): Promise<StandInResult> {
  const address = device.options.address ?? "";
  let seen = false;
  let buffered = "";
  const decoder = new TextDecoder();
  const handlers: Handlers = {
    data(_socket, chunk) {
      buffered += decoder.decode(chunk, { stream: true });
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      if (lines.some(isTestEntry)) seen = true;
    },
    error() {},
  };
  const started =
    device.options.socket_type === "unix"
      ? await listenUnix(address, handlers)
      : listenTcp(address, handlers);
  if (started.kind !== "listening") return started;
  const { server, label } = started;
  return {
    kind: "listening",
    standIn: {
      address: label,
      async sawTestEntry(ms = 1000) {
        const deadline = Date.now() + ms;
        while (!seen && Date.now() < deadline) await Bun.sleep(10);
        return seen;
      },
      close() {
        server.stop(true);
        if (device.options.socket_type === "unix") removeQuietly(address);
      },
    },
  };
}

type Started =
  | { kind: "listening"; server: Bun.SocketListener<undefined>; label: string }
  | { kind: "taken" }
  | { kind: "failed"; reason: string };

function listenTcp(address: string, socket: Handlers): Started {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address);
  if (!match) return { kind: "failed", reason: `${address} is not host:port` };
  const hostname = (match[1] ?? match[2]) as string;
  try {
    const server = Bun.listen({ hostname, port: Number(match[3]), exclusive: true, data: undefined, socket });
    return { kind: "listening", server, label: `tcp://${address}` };
  } catch (error) {
    return codeOf(error) === "EADDRINUSE" ? { kind: "taken" } : { kind: "failed", reason: codeOf(error) };
  }
}

async function listenUnix(path: string, socket: Handlers): Promise<Started> {
  const start = () => Bun.listen({ unix: path, data: undefined, socket });
  let server: Bun.UnixSocketListener<undefined>;
  try {
    server = await listenOverStaleSocket(path, start);
  } catch (error) {
    // In use and answering (or no socket at all): someone else is there.
    return codeOf(error) === "EADDRINUSE" ? { kind: "taken" } : { kind: "failed", reason: codeOf(error) };
  }
  // Vault runs as its own user: it may connect for this moment, whoever runs setup.
  chmodSync(path, 0o666);
  return { kind: "listening", server, label: `unix://${path}` };
}

/** isTestEntry('{"type":"request","request":{"path":"sys/audit/test"}}') → true; a prefix before "{" is skipped */
function isTestEntry(line: string): boolean {
  try {
    const entry = JSON.parse(line.slice(line.indexOf("{"))) as { request?: { path?: unknown } };
    return entry.request?.path === "sys/audit/test";
  } catch {
    return false;
  }
}

function removeQuietly(path: string): void {
  try {
    if (isSocketFile(path)) unlinkSync(path);
  } catch {
    // already gone
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : messageOf(error);
}
