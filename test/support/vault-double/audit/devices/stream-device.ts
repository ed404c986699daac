// The socket device over tcp and unix, as Vault's socket sink behaves: one connection reused for
// every entry, dialled lazily with write_timeout as the dial timeout, each write bounded by
// write_timeout; on any failure it redials once and writes the entry again. So a listener that is
// down fails fast (refused twice), and one that accepts but stops reading stalls an entry up to
// twice the timeout once the kernel buffers are full.
//
// Like Go's net.Conn, the device never reads, so a listener closing a TCP connection goes
// unnoticed: the connection is kept half-open, the next entry is taken by the kernel and lost
// (the peer answers it with a reset), and only the entry after that fails (broken pipe) and
// redials. Over unix a closed peer fails the next write at once. Both seen on a real server.
import type { Socket } from "bun";
import { type AuditDevice, deadline, SerialQueue } from "./device.ts";

export type StreamTarget = { kind: "tcp"; hostname: string; port: number } | { kind: "unix"; path: string };

interface Conn {
  socket: Socket<undefined>;
  closed: boolean;
  onDrain: (() => void) | undefined;
}

export class StreamDevice implements AuditDevice {
  readonly #target: StreamTarget;
  readonly #timeoutMs: number;
  readonly #queue = new SerialQueue();
  #conn: Conn | undefined;

  constructor(target: StreamTarget, timeoutMs: number) {
    this.#target = target;
    this.#timeoutMs = timeoutMs;
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.#queue.run(async () => {
      try {
        await this.#writeOnce(bytes);
      } catch {
        this.#drop();
        await this.#writeOnce(bytes);
      }
    });
  }

  async close(): Promise<void> {
    await this.#queue.run(async () => this.#drop());
  }

  async #writeOnce(bytes: Uint8Array): Promise<void> {
    const conn = this.#conn ?? (await this.#dial());
    const limit = deadline(this.#timeoutMs, "i/o timeout");
    try {
      let offset = 0;
      while (offset < bytes.length) {
        if (conn.closed) throw new Error("connection closed");
        const n = conn.socket.write(bytes.subarray(offset));
        if (n < 0) throw new Error("connection closed");
        offset += n;
        if (offset < bytes.length) await Promise.race([drained(conn), limit.promise]);
      }
    } catch (err) {
      this.#drop();
      throw err;
    } finally {
      limit.cancel();
    }
  }

  async #dial(): Promise<Conn> {
    const conn: Conn = {
      socket: undefined as unknown as Socket<undefined>,
      closed: false,
      onDrain: undefined,
    };
    const handlers = {
      data() {},
      // The peer's FIN. Having this handler at all is what keeps Bun from closing the socket.
      end() {},
      drain() {
        conn.onDrain?.();
      },
      close() {
        conn.closed = true;
        conn.onDrain?.();
      },
      error() {
        conn.closed = true;
        conn.onDrain?.();
      },
    };
    const target = this.#target;
    const connecting =
      target.kind === "unix"
        ? Bun.connect({ unix: target.path, allowHalfOpen: true, socket: handlers })
        : Bun.connect({
            hostname: target.hostname,
            port: target.port,
            allowHalfOpen: true,
            socket: handlers,
          });
    const limit = deadline(this.#timeoutMs, "dial timeout");
    try {
      conn.socket = await Promise.race([connecting, limit.promise]);
    } finally {
      limit.cancel();
    }
    this.#conn = conn;
    return conn;
  }

  #drop(): void {
    const conn = this.#conn;
    this.#conn = undefined;
    if (conn && !conn.closed) {
      conn.closed = true;
      conn.socket.terminate();
    }
  }
}

function drained(conn: Conn): Promise<void> {
  return new Promise((resolve) => {
    conn.onDrain = () => {
      conn.onDrain = undefined;
      resolve();
    };
  });
}
