// One client connection of the HTTP front: parses what arrives, runs requests one at a time,
// writes the answers in request order, and closes when HTTP says so.
import type { Socket } from "bun";
import type { HttpRequest, HttpResponse } from "../types.ts";
import { type ParsedRequest, type ParseEvent, RequestParser } from "./parser.ts";
import { protocolError, serializeResponse } from "./serialize.ts";

export interface ConnectionOptions {
  handle(req: HttpRequest): Promise<HttpResponse>;
  tooLarge(): HttpResponse;
  maxBodyBytes: number;
  maxHeaderBytes: number;
  /** How much of a refused body is read and dropped before the connection is simply cut. */
  maxDrainBytes: number;
  onError(err: unknown): void;
}

export class Connection {
  readonly #parser: RequestParser;
  readonly #queue: ParseEvent[] = [];
  #busy = false;
  #closed = false;
  /** No more requests are read: the last answer closes the connection. */
  #ending = false;
  /** The listener stopped: close right after the answer being prepared. */
  #shuttingDown = false;
  #pending: Buffer[] = [];
  #drainedBytes = 0;

  constructor(
    private readonly socket: Socket<Connection>,
    private readonly opts: ConnectionOptions,
  ) {
    this.#parser = new RequestParser({
      maxBodyBytes: opts.maxBodyBytes,
      maxHeaderBytes: opts.maxHeaderBytes,
    });
  }

  onData(chunk: Buffer): void {
    if (this.#closed) return;
    if (this.#parser.draining || this.#parser.drained) {
      this.#drainedBytes += chunk.length;
      if (this.#drainedBytes > this.opts.maxDrainBytes) this.destroy();
    }
    if (this.#ending && !this.#parser.draining) return;
    for (const event of this.#parser.feed(chunk)) this.#queue.push(event);
    void this.#pump();
    this.#maybeFinish();
  }

  onDrain(): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const buf of pending) this.#write(buf);
    this.#maybeFinish();
  }

  onClose(): void {
    this.#closed = true;
  }

  /** Closes now when idle, else right after the answer being prepared. */
  shutdown(): void {
    this.#queue.length = 0;
    this.#shuttingDown = true;
    if (!this.#busy) {
      this.#ending = true;
      this.#maybeFinish();
    }
  }

  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.terminate();
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (this.#queue.length > 0 && !this.#closed && !this.#ending) {
        const event = this.#queue.shift()!;
        if (event.kind === "error") {
          this.#ending = true;
          this.#send(event.tooLarge ? this.opts.tooLarge() : protocolError(event.status), true, false);
          break;
        }
        const resp = await this.#run(event);
        const close = !event.keepAlive || this.#shuttingDown;
        if (close) this.#ending = true;
        this.#send(resp, close, event.method === "HEAD");
      }
    } finally {
      this.#busy = false;
    }
    this.#maybeFinish();
  }

  async #run(req: ParsedRequest): Promise<HttpResponse> {
    try {
      return await this.opts.handle({
        method: req.method,
        path: req.path,
        query: new URLSearchParams(req.rawQuery),
        headers: req.headers,
        body: req.body,
        remoteAddress: this.socket.remoteAddress,
        remotePort: (this.socket as { remotePort?: number }).remotePort ?? 0,
      });
    } catch (err) {
      this.opts.onError(err);
      return { status: 500, body: { errors: ["internal error"] } };
    }
  }

  #send(resp: HttpResponse, close: boolean, head: boolean): void {
    this.#write(serializeResponse(resp, { close, head }));
  }

  /** Writes now, or queues behind earlier bytes the socket has not taken yet. */
  #write(buf: Buffer): void {
    if (this.#closed) return;
    if (this.#pending.length > 0) {
      this.#pending.push(buf);
      return;
    }
    const written = this.socket.write(buf);
    if (written < buf.length) this.#pending.push(buf.subarray(Math.max(0, written)));
  }

  /** Closes once the last answer is out and any refused body has been read to its end. */
  #maybeFinish(): void {
    if (!this.#ending || this.#closed || this.#busy || this.#pending.length > 0) return;
    if (this.#parser.draining && !this.#parser.drained) return;
    this.#closed = true;
    this.socket.end();
  }
}
