// The unix socket listener. Who may connect is decided by the socket file's mode and directory,
// not by an address allowlist. A socket file left behind by a Courier that was killed makes the
// next start fail with "address in use"; it is removed when nothing answers on it.

import { listenFailed } from "./listen-error.ts";
import { listenOverStaleSocket } from "./stale-socket.ts";
import { type Connection, createConnectionSet } from "./stream-connections.ts";
import type { StreamListener, StreamListenerOptions } from "./types.ts";

export async function listenUnix(path: string, options: StreamListenerOptions): Promise<StreamListener> {
  const address = `unix://${path}`;
  const connections = createConnectionSet(options, undefined, () => "unix");
  const start = () =>
    Bun.listen<Connection | undefined>({ unix: path, data: undefined, socket: connections.handlers });
  let server: ReturnType<typeof start>;
  try {
    server = await listenOverStaleSocket(path, start);
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
