// The stream listeners: TCP and unix sockets, where Vault's socket device keeps a connection open
// and writes one entry per line. They share everything but how they bind: one framer per
// connection, the sender checked once when it connects, and bounds on what a connection can hold.
// Bun reads as fast as the callbacks return, and they never wait.
//
// Vault keeps one connection per device open and redials after an error, so many connections at
// once and reconnects are normal. What is not: a connection that sends half a line and stalls. It
// is closed after the idle timeout. An idle connection with no partial line is never closed:
// Vault would not notice until its next write, and that entry could be lost. When the listener
// holds its maximum, a new connection is not refused: it takes the place of the connection whose
// last whole line is oldest (one that never sent a line first). Vault dials and writes at once, so
// its connection always has recent lines, while connections opened to sit silent are the first
// to go: a flood of them cannot lock Vault out.
//
// Who may connect to a unix socket is decided by the socket file's mode and directory, not by an
// address allowlist. A socket file outlives the process that listened on it: after a kill, the
// next listen on that path fails with EADDRINUSE although nobody is there. Both this listener and
// the stand-in `courier setup` runs take over such a file; a socket something still answers on,
// or a file that is no socket, is left alone.

import { lstatSync, unlinkSync } from "node:fs";
import type { Socket, SocketHandler } from "bun";
import { formatListenAddress } from "../../config/addresses.ts";
import { LineFramer } from "../framer.ts";
import { type Allowlist, compileAllowlist } from "./allowlist.ts";
import {
  type AuditListener,
  framerOptions,
  guardedOnLine,
  type ListenerOptions,
  listenFailed,
  type NetworkListener,
} from "./listener.ts";

export interface StreamListenerOptions extends ListenerOptions {
  /** A connection holding half a line that sends nothing for this long is closed (default 30 s). */
  idleTimeoutMs?: number;
  /**
   * Connections held at once (default 64). One more takes the place of the quietest, and is
   * refused only when none can make room.
   */
  maxConnections?: number;
}

export interface StreamListener extends AuditListener {
  /** Connections open right now. */
  readonly connections: number;
}

/** How long a connection holding half a line may stay silent. */
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_CONNECTIONS = 64;

/** listenTcp("127.0.0.1", 0, options) → a listener on a free port that admits only allowed senders. */
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

/** listenUnix("/run/courier/audit.sock", options) → a listener on that socket file, taking over a stale one. */
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

/**
 * Runs `listen` on a unix socket path; when the path holds a socket nobody answers on, removes it and runs `listen`
 * once more. Any other failure is thrown as it came.
 */
export async function listenOverStaleSocket<T>(path: string, listen: () => T): Promise<T> {
  try {
    return listen();
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== "EADDRINUSE") throw error;
    if (!isSocketFile(path) || (await answers(path))) throw error;
    unlinkSync(path);
    return listen();
  }
}

/** True when `path` exists and is a socket (not following a link). */
export function isSocketFile(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
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

/** What a stream listener keeps per connection. */
interface Connection {
  framer: LineFramer;
  /** When the last bytes arrived (ms, monotonic). */
  lastData: number;
  /** When the last whole line arrived (ms, monotonic); 0 before the first. */
  lastLine: number;
  /** When it connected (ms, monotonic). */
  opened: number;
}

/** Refused or disallowed sockets carry no connection. */
type ConnectionSocket = Socket<Connection | undefined>;

interface ConnectionSet {
  handlers: SocketHandler<Connection | undefined>;
  readonly size: number;
  /** Stops the stall sweep; the server's stop() closes the sockets. */
  stop(): void;
}

/**
 * Handlers for Bun.listen. `allowlist` undefined (unix sockets) admits every connection;
 * `senderOf` names the sender passed to onLine.
 */
function createConnectionSet(
  options: StreamListenerOptions,
  allowlist: Allowlist | undefined,
  senderOf: (socket: ConnectionSocket) => string,
): ConnectionSet {
  const { counters } = options;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const open = new Set<ConnectionSocket>();
  const onLine = guardedOnLine(options);

  const sweep = setInterval(
    () => {
      const now = performance.now();
      for (const socket of open) {
        const connection = socket.data;
        if (connection === undefined || connection.framer.pendingBytes === 0) continue;
        if (now - connection.lastData < idleMs) continue;
        counters.stalledConnections++;
        close(socket);
        socket.terminate();
      }
    },
    Math.max(10, Math.min(1000, Math.floor(idleMs / 4))),
  );
  sweep.unref();

  function close(socket: ConnectionSocket): void {
    if (!open.delete(socket)) return;
    if (socket.data !== undefined && socket.data.framer.drop() > 0) counters.truncated++;
    socket.data = undefined;
  }

  const handlers: SocketHandler<Connection | undefined> = {
    open(socket) {
      const sender = senderOf(socket);
      if (allowlist !== undefined && !allowlist.allows(sender)) {
        counters.disallowedSender++;
        socket.terminate();
        return;
      }
      if (open.size >= maxConnections) {
        const quietest = leastRecentlyActive(open);
        if (quietest === undefined) {
          counters.refusedConnections++;
          socket.terminate();
          return;
        }
        counters.evictedConnections++;
        close(quietest);
        quietest.terminate();
      }
      const now = performance.now();
      const connection: Connection = {
        framer: new LineFramer(
          framerOptions(options, (line) => {
            connection.lastLine = performance.now();
            onLine(line, sender);
          }),
        ),
        lastData: now,
        lastLine: 0,
        opened: now,
      };
      socket.data = connection;
      open.add(socket);
    },
    data(socket, bytes) {
      const connection = socket.data;
      if (connection === undefined) return;
      connection.lastData = performance.now();
      connection.framer.push(bytes);
    },
    close(socket) {
      // Connections Courier closed itself (stalled, evicted, refused) have no data by now.
      if ((socket.data?.lastLine ?? 0) > 0) counters.endedBySender++;
      close(socket);
    },
    // A reset connection is routine (Vault restarting); close() follows and does the accounting.
    error() {},
  };

  return {
    handlers,
    get size() {
      return open.size;
    },
    stop() {
      clearInterval(sweep);
    },
  };
}

/** The connection whose last whole line is oldest; among those that sent none, the oldest one. */
function leastRecentlyActive(open: Set<ConnectionSocket>): ConnectionSocket | undefined {
  let best: ConnectionSocket | undefined;
  for (const socket of open) {
    const c = socket.data;
    if (c === undefined) continue;
    const b = best?.data;
    if (b === undefined || c.lastLine < b.lastLine || (c.lastLine === b.lastLine && c.opened < b.opened)) {
      best = socket;
    }
  }
  return best;
}
