// A bare HTTP/1.1 server on Bun.listen for transport tests: it counts TCP connections and keeps
// every request exactly as it arrived (method, target with query, headers, body).

export interface SeenRequest {
  method: string;
  target: string;
  headers: Record<string, string>;
  body: string;
  /** 1 for the first connection the server accepted, 2 for the next, … */
  connection: number;
}

export type RawReply = { status: number; body?: string; contentType?: string } | "hang";

export interface RawServer {
  url: string;
  requests: SeenRequest[];
  connections(): number;
  stop(): void;
}

interface Conn {
  id: number;
  buffer: string;
}

export function startRawHttp(
  reply: (request: SeenRequest) => RawReply,
  tls?: { cert: string; key: string },
): RawServer {
  let opened = 0;
  const requests: SeenRequest[] = [];
  const server = Bun.listen<Conn>({
    hostname: "127.0.0.1",
    port: 0,
    ...(tls ? { tls } : {}),
    socket: {
      open(socket) {
        opened += 1;
        socket.data = { id: opened, buffer: "" };
      },
      data(socket, chunk) {
        socket.data.buffer += chunk.toString();
        for (let request = take(socket.data); request; request = take(socket.data)) {
          requests.push(request);
          const answer = reply(request);
          if (answer !== "hang") socket.write(serialise(answer));
        }
      },
    },
  });
  const scheme = tls ? "https" : "http";
  return {
    url: `${scheme}://127.0.0.1:${server.port}`,
    requests,
    connections: () => opened,
    stop: () => server.stop(true),
  };
}

/** Takes one whole request off the connection's buffer, or null when it has not all arrived. */
function take(conn: Conn): SeenRequest | null {
  const end = conn.buffer.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const [line = "", ...fields] = conn.buffer.slice(0, end).split("\r\n");
  const headers: Record<string, string> = {};
  for (const field of fields) {
    const colon = field.indexOf(":");
    headers[field.slice(0, colon).trim().toLowerCase()] = field.slice(colon + 1).trim();
  }
  const length = Number(headers["content-length"] ?? 0);
  if (conn.buffer.length < end + 4 + length) return null;
  const body = conn.buffer.slice(end + 4, end + 4 + length);
  conn.buffer = conn.buffer.slice(end + 4 + length);
  const [method = "", target = ""] = line.split(" ");
  return { method, target, headers, body, connection: conn.id };
}

function serialise(reply: Exclude<RawReply, "hang">): string {
  const body = reply.body ?? "";
  const type = body ? `Content-Type: ${reply.contentType ?? "application/json"}\r\n` : "";
  return `HTTP/1.1 ${reply.status} X\r\n${type}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}
