// An incremental HTTP/1.1 request parser: bytes in, whole requests (or one fatal error) out.
// It accepts any method token, because Vault's clients send LIST, which Bun.serve refuses.
import { type BodyState, bodyFraming } from "./body-framing.ts";

export interface ParsedRequest {
  kind: "request";
  method: string;
  path: string;
  rawQuery: string;
  headers: Map<string, string>;
  body: Uint8Array;
  keepAlive: boolean;
}

/** A request the parser cannot frame: the connection answers `status` and closes. */
export interface ParseFailure {
  kind: "error";
  status: number;
  /** Set when the head was read and only the body was too large: the connection still answers like Vault. */
  tooLarge?: boolean;
}

export type ParseEvent = ParsedRequest | ParseFailure;

export interface ParserLimits {
  maxBodyBytes: number;
  maxHeaderBytes: number;
}

const EMPTY = new Uint8Array(0);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

interface PendingHead {
  method: string;
  path: string;
  rawQuery: string;
  headers: Map<string, string>;
  keepAlive: boolean;
}

export class RequestParser {
  #buf: Buffer = Buffer.alloc(0);
  #head: PendingHead | undefined;
  #body: BodyState | undefined;
  /** After a fatal error nothing more is parsed; the bytes still arriving are only counted. */
  #dead = false;
  #tooLargeSaid = false;

  constructor(private readonly limits: ParserLimits) {}

  /** Feeds bytes; returns every request completed by them, in order. */
  feed(chunk: Uint8Array): ParseEvent[] {
    const events: ParseEvent[] = [];
    if (this.#dead) return events;
    this.#buf =
      this.#buf.length === 0
        ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        : Buffer.concat([this.#buf, chunk]);
    while (!this.#dead) {
      const event = this.#head ? this.#readBody() : this.#readHead();
      if (!event) break;
      events.push(event);
      if (event.kind === "error") this.#dead = !this.#discarding();
    }
    // Keep only an owned copy of leftovers: the socket may reuse the chunk's memory.
    this.#buf = this.#buf.length === 0 ? Buffer.alloc(0) : Buffer.from(this.#buf);
    return events;
  }

  /** True while the parser swallows the rest of a too-large body before the connection closes. */
  get draining(): boolean {
    return this.#body?.discard === true;
  }

  /** True once the too-large body has been read to its end (or could not be). */
  get drained(): boolean {
    return this.#dead;
  }

  /** Answers at once; the rest of the body is read and dropped so the client can finish sending. */
  #sayTooLarge(): ParseFailure {
    this.#tooLargeSaid = true;
    return { kind: "error", status: 413, tooLarge: true };
  }

  #discarding(): boolean {
    return this.#body?.discard === true;
  }

  #readHead(): ParseEvent | undefined {
    let end = this.#buf.indexOf("\r\n\r\n");
    let sep = 4;
    if (end < 0) {
      end = this.#buf.indexOf("\n\n");
      sep = 2;
    }
    if (end < 0) {
      return this.#buf.length > this.limits.maxHeaderBytes ? { kind: "error", status: 431 } : undefined;
    }
    if (end > this.limits.maxHeaderBytes) return { kind: "error", status: 431 };
    const text = this.#buf.toString("latin1", 0, end);
    this.#buf = this.#buf.subarray(end + sep);
    const head = parseHead(text);
    if (typeof head === "number") return { kind: "error", status: head };
    const body = bodyFraming(head.headers, this.limits.maxBodyBytes);
    if (typeof body === "number") return { kind: "error", status: body };
    this.#head = head;
    this.#body = body;
    return this.#readBody();
  }

  #readBody(): ParseEvent | undefined {
    const body = this.#body!;
    if (body.tooLarge && !this.#tooLargeSaid) return this.#sayTooLarge();
    const result = body.take(this.#buf);
    this.#buf = this.#buf.subarray(result.consumed);
    if (result.error) return { kind: "error", status: result.error };
    if (body.tooLarge && !this.#tooLargeSaid) return this.#sayTooLarge();
    if (!result.done) return undefined;
    if (body.discard) {
      this.#dead = true;
      return undefined;
    }
    const head = this.#head!;
    this.#head = undefined;
    this.#body = undefined;
    return { kind: "request", ...head, body: result.body ?? EMPTY };
  }
}

/** Request line and header fields; a number is the status to fail with. */
function parseHead(text: string): PendingHead | number {
  const lines = text.split(/\r?\n/);
  const requestLine = lines[0] ?? "";
  const parts = requestLine.split(" ");
  if (parts.length !== 3) return 400;
  const [method, target, version] = parts as [string, string, string];
  if (!TOKEN.test(method)) return 400;
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0") return version.startsWith("HTTP/") ? 505 : 400;
  const location = splitTarget(target);
  if (!location) return 400;
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    if (colon <= 0) return 400;
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return 400;
    const key = name.toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers.get(key);
    if (previous === undefined) headers.set(key, value);
    else if (key === "content-length" && previous !== value) return 400;
    else if (key === "transfer-encoding") headers.set(key, `${previous}, ${value}`);
  }
  const connection = headers.get("connection")?.toLowerCase() ?? "";
  const keepAlive =
    version === "HTTP/1.1" ? !connection.includes("close") : connection.includes("keep-alive");
  return { method, ...location, headers, keepAlive };
}

/** "/v1/a%20b?list=true" → { path: "/v1/a b", rawQuery: "list=true" }; absolute-form targets keep only the path. */
function splitTarget(target: string): { path: string; rawQuery: string } | undefined {
  let rest = target;
  const scheme = /^https?:\/\/[^/?#]*/i.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length) || "/";
  if (!rest.startsWith("/")) return undefined;
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf("?");
  const rawPath = q >= 0 ? rest.slice(0, q) : rest;
  try {
    const path = rawPath.includes("%") ? decodeURIComponent(rawPath) : rawPath;
    return { path, rawQuery: q >= 0 ? rest.slice(q + 1) : "" };
  } catch {
    return undefined;
  }
}
