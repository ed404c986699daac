// A client of Courier's TCP audit listener that behaves as no Vault would: it sends what a test
// tells it to, when it tells it to, and notices when Courier hangs up.
import type { Socket } from "bun";

export interface RawClient {
  socket: Socket<undefined>;
  closed(): boolean;
  /** Writes all of `bytes`, waiting for the kernel to take them (or for Courier to hang up). */
  send(bytes: Uint8Array | string): Promise<void>;
  end(): void;
}

/**
 * rawClient("tcp://127.0.0.1:40123"). A connection Courier resets before it is even set up
 * (it may hang up on it at once) answers a client that is already closed.
 */
export async function rawClient(listening: string): Promise<RawClient> {
  const target = listening.replace(/^tcp:\/\//, "");
  const colon = target.lastIndexOf(":");
  let closed = false;
  let drained: (() => void) | undefined;
  const connecting = Bun.connect({
    hostname: target.slice(0, colon),
    port: Number(target.slice(colon + 1)),
    socket: {
      data() {},
      drain() {
        drained?.();
      },
      close() {
        closed = true;
        drained?.();
      },
      error() {
        closed = true;
        drained?.();
      },
    },
  });
  let socket: Socket<undefined>;
  try {
    socket = await connecting;
  } catch {
    return { socket: undefined as never, closed: () => true, send: async () => {}, end: () => {} };
  }
  return {
    socket,
    closed: () => closed,
    async send(data) {
      let bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
      while (bytes.length > 0 && !closed) {
        const n = socket.write(bytes);
        bytes = bytes.subarray(Math.max(0, n));
        if (bytes.length > 0) await new Promise<void>((resolve) => (drained = resolve));
      }
    },
    end: () => socket.end(),
  };
}
