// Connection handling shared by the TCP and unix listeners: one framer per connection, the sender
// checked once when it connects, and bounds on what a connection can hold. Vault keeps one
// connection per device open and redials after an error, so many connections at once and
// reconnects are normal. What is not: a connection that sends half a line and stalls. It is
// closed after the idle timeout. An idle connection with no partial line is never closed: Vault
// would not notice until its next write, and that entry could be lost.
// When the listener holds its maximum, a new connection is not refused: it takes the place of the
// connection whose last whole line is oldest (one that never sent a line first). Vault dials and
// writes at once, so its connection always has recent lines, while connections opened to sit
// silent are the first to go: a flood of them cannot lock Vault out.

import type { Socket, SocketHandler } from "bun";
import { LineFramer } from "../framer.ts";
import type { Allowlist } from "./allowlist.ts";
import { framerOptions, guardedOnLine, type StreamListenerOptions } from "./types.ts";

export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_CONNECTIONS = 64;

export interface Connection {
  framer: LineFramer;
  /** When the last bytes arrived (ms, monotonic). */
  lastData: number;
  /** When the last whole line arrived (ms, monotonic); 0 before the first. */
  lastLine: number;
  /** When it connected (ms, monotonic). */
  opened: number;
}

/** Refused or disallowed sockets carry no connection. */
export type ConnectionSocket = Socket<Connection | undefined>;

export interface ConnectionSet {
  handlers: SocketHandler<Connection | undefined>;
  readonly size: number;
  /** Stops the stall sweep; the server's stop() closes the sockets. */
  stop(): void;
}

/**
 * Handlers for Bun.listen. `allowlist` undefined (unix sockets) admits every connection;
 * `senderOf` names the sender passed to onLine.
 */
export function createConnectionSet(
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
