// HttpResponse → the bytes Go's net/http would send for it (status line, headers, JSON body).
import type { HttpResponse } from "../types.ts";

const REASONS: Record<number, string> = {
  200: "OK",
  204: "No Content",
  301: "Moved Permanently",
  307: "Temporary Redirect",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Request Entity Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  472: "",
  473: "",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

let dateSecond = 0;
let dateText = "";

/** The Date header, recomputed at most once a second. */
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

/**
 * Go's json.Encoder escapes these inside strings (SetEscapeHTML is on by default), and they can
 * only occur inside strings in valid JSON, so a plain replace is exact.
 */
const HTML_CHARS = /[<>&\u2028\u2029]/g;
const HTML_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** A JSON body as Go's json.Encoder writes it: HTML characters escaped, one trailing newline. */
export function goJson(value: unknown): string {
  const text = JSON.stringify(value);
  HTML_CHARS.lastIndex = 0;
  return `${HTML_CHARS.test(text) ? text.replace(HTML_CHARS, (c) => HTML_ESCAPES[c]!) : text}\n`;
}

export function serializeResponse(resp: HttpResponse, opts: { close: boolean; head: boolean }): Buffer {
  let body: Buffer | undefined;
  let contentType = "application/json";
  if (typeof resp.body === "string") {
    body = Buffer.from(resp.body);
    contentType = "text/plain; charset=utf-8";
  } else if (resp.body instanceof Uint8Array) {
    body = Buffer.from(resp.body);
  } else if (resp.body !== undefined) {
    body = Buffer.from(goJson(resp.body));
  }
  let head = `HTTP/1.1 ${resp.status} ${REASONS[resp.status] ?? ""}\r\n`;
  const extra = resp.headers ?? {};
  if (!("Cache-Control" in extra)) head += "Cache-Control: no-store\r\n";
  if (!("Content-Type" in extra)) head += `Content-Type: ${contentType}\r\n`;
  // An empty value removes a default header (Go's own protocol errors carry no Cache-Control).
  for (const name in extra) if (extra[name] !== "") head += `${name}: ${extra[name]}\r\n`;
  head += `Date: ${httpDate()}\r\n`;
  if (resp.status !== 204 && resp.status !== 304) head += `Content-Length: ${body?.length ?? 0}\r\n`;
  if (opts.close) head += "Connection: close\r\n";
  head += "\r\n";
  if (!body || opts.head || resp.status === 204) return Buffer.from(head, "latin1");
  const out = Buffer.allocUnsafe(head.length + body.length);
  out.write(head, 0, "latin1");
  body.copy(out, head.length);
  return out;
}

/** The plain-text reply Go's server gives to a request it cannot parse ("400 Bad Request"). */
export function protocolError(status: number): HttpResponse {
  const reason = REASONS[status] ?? "Bad Request";
  return {
    status,
    body: `${status} ${reason}`,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "" },
  };
}
