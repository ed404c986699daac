// A tiny HTTP/1.1 client on raw sockets: any verb (fetch turns LIST into GET), any body bytes,
// one request per connection, the answer read exactly as the server sent it.

export interface RawResponse {
  status: number;
  /** Header names lower-cased. */
  headers: Map<string, string>;
  /** The body bytes as text ("" for none). */
  text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON a server sends back
  json: any;
}

export interface RawRequest {
  method: string;
  /** Absolute path with query, e.g. "/v1/secret/data/a?version=1". */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/** Sends one request to `address` ("http://127.0.0.1:8200" or https://…) and reads the whole answer. */
export async function rawRequest(address: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(address);
  const body =
    typeof req.body === "string" ? Buffer.from(req.body) : req.body ? Buffer.from(req.body) : undefined;
  const lines = [`${req.method} ${req.path} HTTP/1.1`, `Host: ${url.host}`, "Connection: close"];
  for (const [k, v] of Object.entries(req.headers ?? {})) lines.push(`${k}: ${v}`);
  if (body) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  const bytes = await exchange(url, body ? Buffer.concat([head, body]) : head);
  return parseResponse(bytes);
}

/** Writes `payload` and collects everything until the server closes the connection. */
export function exchange(url: URL, payload: Uint8Array, timeoutMs = 10_000): Promise<Buffer> {
  const tls = url.protocol === "https:";
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let rest = Buffer.from(payload);
    const push = (socket: { write(data: Uint8Array): number }) => {
      while (rest.length > 0) {
        const n = socket.write(rest);
        if (n <= 0) return;
        rest = rest.subarray(n);
      }
    };
    const timer = setTimeout(() => reject(new Error(`no complete answer from ${url.host}`)), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    };
    Bun.connect({
      hostname: url.hostname.replace(/^\[|\]$/g, ""),
      port: Number(url.port || (tls ? 443 : 80)),
      tls: tls
        ? { rejectUnauthorized: process.env.VAULT_SKIP_VERIFY !== "true" && !isLoopback(url) }
        : undefined,
      socket: {
        open: push,
        drain: push,
        data(_socket, chunk) {
          chunks.push(Buffer.from(chunk));
        },
        close: done,
        end: done,
        error(_socket, err) {
          clearTimeout(timer);
          reject(err);
        },
        connectError(_socket, err) {
          clearTimeout(timer);
          reject(err);
        },
      },
    }).catch(reject);
  });
}

/** Self-signed test certificates are only ever served on loopback. */
function isLoopback(url: URL): boolean {
  return url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
}

/** Status line, headers, and a body framed by Content-Length, chunked encoding or the close. */
export function parseResponse(bytes: Buffer): RawResponse {
  const end = bytes.indexOf("\r\n\r\n");
  if (end < 0) throw new Error(`not an HTTP response: ${JSON.stringify(bytes.toString("latin1", 0, 80))}`);
  const [statusLine, ...headerLines] = bytes.toString("latin1", 0, end).split("\r\n");
  const status = Number(statusLine!.split(" ")[1]);
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = bytes.subarray(end + 4);
  if (headers.get("transfer-encoding")?.toLowerCase() === "chunked") body = dechunk(body);
  else if (headers.has("content-length")) body = body.subarray(0, Number(headers.get("content-length")));
  const text = body.toString("utf8");
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, headers, text, json };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf("\r\n", at);
    if (eol < 0) break;
    const size = Number.parseInt(body.toString("latin1", at, eol).split(";")[0]!, 16);
    if (!size) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
