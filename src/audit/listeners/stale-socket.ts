// A unix socket file outlives the process that listened on it: after a kill, the next listen on
// that path fails with EADDRINUSE although nobody is there. Both Courier's listener and the
// stand-in `courier setup` runs take over such a file; a socket something still answers on, or
// a file that is no socket, is left alone.

import { lstatSync, unlinkSync } from "node:fs";

/**
 * Runs `listen`; when the path holds a socket nobody answers on, removes it and runs `listen`
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
