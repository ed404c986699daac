// The TCP listener: Vault's socket device with socket_type "tcp" keeps a connection open and
// writes one entry per line. Bun reads as fast as the callbacks return, and they never wait.

import { formatListenAddress } from "../../config/addresses.ts";
import { compileAllowlist } from "./allowlist.ts";
import { listenFailed } from "./listen-error.ts";
import { type Connection, createConnectionSet } from "./stream-connections.ts";
import type { NetworkListener, StreamListener, StreamListenerOptions } from "./types.ts";

export function listenTcp(
  host: string,
  port: number,
  options: StreamListenerOptions,
): StreamListener & NetworkListener {
  const connections = createConnectionSet(
    options,
    compileAllowlist(options.allow),
    (socket) => socket.remoteAddress,
  );
  const requested = { transport: "tcp", host, port } as const;
  let server: Bun.TCPSocketListener<Connection | undefined>;
  try {
    server = Bun.listen<Connection | undefined>({
      hostname: host,
      port,
      exclusive: true,
      data: undefined,
      socket: connections.handlers,
    });
  } catch (error) {
    connections.stop();
    throw listenFailed(formatListenAddress(requested), error);
  }
  return {
    address: formatListenAddress({ ...requested, port: server.port }),
    port: server.port,
    get connections() {
      return connections.size;
    },
    async close() {
      connections.stop();
      server.stop(true);
    },
  };
}
