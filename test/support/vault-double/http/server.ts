// The double's HTTP/1.1 front on Bun.listen: keep-alive, pipelining (answers in request order),
// chunked bodies, a body cap, and a listener that can be stopped and re-bound on the same port.
import type { TCPSocketListener } from "bun";
import type { HttpRequest, HttpResponse } from "../types.ts";
import { Connection, type ConnectionOptions } from "./connection.ts";

export interface HttpFrontOptions {
  hostname: string;
  port: number;
  tls?: { cert: string; key: string };
  handle(req: HttpRequest): Promise<HttpResponse>;
  /** What to answer when a body passes the cap (Vault: 413 with its own message). */
  tooLarge(): HttpResponse;
  maxBodyBytes?: number;
  /** Told about a handler that threw (the client got a 500); default: console.error. */
  onError?: (err: unknown) => void;
}

/** Vault's default max_request_size. */
export const DEFAULT_MAX_BODY = 32 * 1024 * 1024;
/** Go's http.DefaultMaxHeaderBytes plus the slack its reader allows. */
const MAX_HEADER_BYTES = 1024 * 1024 + 4096;
/** How much of a refused body is read and dropped before the connection is simply cut. */
const MAX_DRAIN_BYTES = 256 * 1024 * 1024;

export class HttpFront {
  #listener: TCPSocketListener<Connection> | undefined;
  readonly #connections = new Set<Connection>();
  readonly #opts: HttpFrontOptions;
  readonly #connOpts: ConnectionOptions;
  #port: number;

  private constructor(opts: HttpFrontOptions) {
    this.#opts = opts;
    this.#port = opts.port;
    this.#connOpts = {
      handle: opts.handle,
      tooLarge: opts.tooLarge,
      maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY,
      maxHeaderBytes: MAX_HEADER_BYTES,
      maxDrainBytes: MAX_DRAIN_BYTES,
      onError: opts.onError ?? ((err) => console.error("vault double: request handler failed", err)),
    };
  }

  static start(opts: HttpFrontOptions): HttpFront {
    const front = new HttpFront(opts);
    front.#bind();
    return front;
  }

  get port(): number {
    return this.#port;
  }

  get listening(): boolean {
    return this.#listener !== undefined;
  }

  /**
   * false: stop accepting and close every open connection (one answering a request first sends
   * that answer, so a control request that turned listening off still gets its reply);
   * true: listen again on the same port.
   */
  async setListening(on: boolean): Promise<void> {
    if (on && !this.#listener) this.#bind();
    if (!on && this.#listener) {
      this.#listener.stop(false);
      this.#listener = undefined;
      for (const conn of this.#connections) conn.shutdown();
    }
  }

  async stop(): Promise<void> {
    await this.setListening(false);
    for (const conn of this.#connections) conn.destroy();
    this.#connections.clear();
  }

  #bind(): void {
    const front = this;
    this.#listener = Bun.listen<Connection>({
      hostname: this.#opts.hostname,
      port: this.#port,
      ...(this.#opts.tls ? { tls: this.#opts.tls } : {}),
      socket: {
        open(socket) {
          const conn = new Connection(socket, front.#connOpts);
          socket.data = conn;
          front.#connections.add(conn);
        },
        data(socket, chunk) {
          socket.data.onData(chunk);
        },
        drain(socket) {
          socket.data.onDrain();
        },
        close(socket) {
          socket.data?.onClose();
          front.#connections.delete(socket.data);
        },
        error(socket) {
          socket.data?.onClose();
        },
      },
    });
    this.#port = this.#listener.port;
  }
}
