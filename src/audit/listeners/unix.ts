// The unix socket listener. Who may connect is decided by the socket file's mode and directory,
// not by an address allowlist. A socket file left behind by a Courier that was killed makes the
// next start fail with "address in use"; it is removed when nothing answers on it.

import { lstatSync, unlinkSync } from "node:fs";
import { listenFailed } from "./listen-error.ts";
import { type Connection, createConnectionSet } from "./stream-connections.ts";
import type { StreamListener, StreamListenerOptions } from "./types.ts";

export async function listenUnix(path: string, options: StreamListenerOptions): Promise<StreamListener> {
  const address = `unix://${path}`;
  const connections = createConnectionSet(options, undefined, () => "unix");
  const start = () =>
    Bun.listen<Connection | undefined>({ unix: path, data: undefined, socket: connections.handlers });
  let server: ReturnType<typeof start>;
  try {
    try {
      server = start();
    } catch (error) {
      if (!(await removeStaleSocket(path, error))) throw error;
      server = start();
    }
  } catch (error) {
    connections.stop();
    throw listenFailed(address, error);
  }
  return {
    address,
    get connections() {
      return connections.size;
    },
    async close() {
      connections.stop();
      server.stop(true);
    },
  };
}

/** True when `path` was a socket nobody listens on any more, and it was removed. */
async function removeStaleSocket(path: string, error: unknown): Promise<boolean> {
  if ((error as { code?: unknown }).code !== "EADDRINUSE") return false;
  try {
    if (!lstatSync(path).isSocket()) return false;
  } catch {
    return false;
  }
  if (await answers(path)) return false;
  unlinkSync(path);
  return true;
}

function answers(path: string): Promise<boolean> {
  return Bun.connect({ unix: path, socket: { data() {}, error() {} } }).then(
    (socket) => {
      socket.end();
      return true;
    },
    () => false,
  );
}
