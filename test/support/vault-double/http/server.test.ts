// The HTTP/1.1 front on real sockets: framing, keep-alive, pipelining, limits, bad bytes, TLS,
// and stopping/resuming the listener.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseResponse, type RawResponse } from "../../../conformance/raw-http.ts";
import type { HttpRequest } from "../types.ts";
import { HttpFront } from "./server.ts";
import { TEST_CERT, TEST_KEY } from "./test-cert.ts";

/** Echoes what the front parsed, so tests see exactly what a handler receives. */
async function echo(req: HttpRequest) {
  if (req.path === "/boom") throw new Error("handler failure");
  if (req.path === "/slow") await Bun.sleep(50);
  return {
    status: 200,
    body: {
      method: req.method,
      path: req.path,
      query: req.query.toString(),
      body: new TextDecoder().decode(req.body),
    },
  };
}

let front: HttpFront;
const handlerErrors: unknown[] = [];
beforeAll(() => {
  front = HttpFront.start({
    hostname: "127.0.0.1",
    port: 0,
    handle: echo,
    tooLarge: () => ({ status: 413, body: { errors: ["error parsing JSON"] } }),
    maxBodyBytes: 1024,
    onError: (err) => handlerErrors.push(err),
  });
});
afterAll(() => front.stop());

/** Writes the parts (pausing between them), then reads until the server closes or `count` answers arrived. */
function talk(
  port: number,
  parts: (string | Buffer)[],
  count = 99,
  pauseMs = 0,
): Promise<{ responses: RawResponse[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const responses: RawResponse[] = [];
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      resolve({ responses, closed });
    };
    const take = () => {
      for (;;) {
        const end = data.indexOf("\r\n\r\n");
        if (end < 0) return;
        const len = Number(/content-length: (\d+)/i.exec(data.toString("latin1", 0, end))?.[1] ?? 0);
        if (data.length < end + 4 + len) return;
        responses.push(parseResponse(data.subarray(0, end + 4 + len)));
        data = data.subarray(end + 4 + len);
      }
    };
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        async open(socket) {
          for (const part of parts) {
            socket.write(part);
            if (pauseMs) await Bun.sleep(pauseMs);
          }
        },
        data(socket, chunk) {
          data = Buffer.concat([data, chunk]);
          take();
          if (responses.length >= count) {
            finish(false);
            socket.end();
          }
        },
        close: () => finish(true),
        error: (_s, err) => reject(err),
      },
    }).catch(reject);
  });
}

const get = (path: string, extra = "") => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;

describe("the HTTP front", () => {
  test("answers pipelined requests on one connection, in order, even when the first is slow", async () => {
    const { responses } = await talk(front.port, [get("/slow") + get("/a") + get("/b")], 3);
    expect(responses.map((r) => r.json.path)).toEqual(["/slow", "/a", "/b"]);
  });

  test("keeps the connection open between requests (keep-alive)", async () => {
    const { responses, closed } = await talk(front.port, [get("/one"), get("/two")], 2, 20);
    expect(responses.map((r) => r.json.path)).toEqual(["/one", "/two"]);
    expect(closed).toBe(false);
  });

  test("accepts LIST and any other token as the method", async () => {
    const { responses } = await talk(
      front.port,
      [`LIST /v1/secret/metadata/ HTTP/1.1\r\nHost: x\r\n\r\n`],
      1,
    );
    expect(responses[0]!.json).toMatchObject({ method: "LIST", path: "/v1/secret/metadata/" });
  });

  test("decodes the path and keeps the query apart", async () => {
    const { responses } = await talk(front.port, [get("/v1/a%20b/c?list=true&x=1")], 1);
    expect(responses[0]!.json).toMatchObject({ path: "/v1/a b/c", query: "list=true&x=1" });
  });

  test("reads a Content-Length body that arrives a few bytes at a time", async () => {
    const req = "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world";
    const parts = req.match(/.{1,7}/gs)!;
    const { responses } = await talk(front.port, parts, 1, 2);
    expect(responses[0]!.json.body).toBe("hello world");
  });

  test("decodes a chunked body, with extensions and trailers, split across writes", async () => {
    const parts = [
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhel",
      "lo\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
    ];
    const { responses } = await talk(front.port, parts, 1, 5);
    expect(responses[0]!.json.body).toBe("hello world");
  });

  test("closes after answering a request that says Connection: close", async () => {
    const { responses, closed } = await talk(front.port, [get("/bye", "Connection: close\r\n")]);
    expect(responses).toHaveLength(1);
    expect(responses[0]!.headers.get("connection")).toBe("close");
    expect(closed).toBe(true);
  });

  test("closes after an HTTP/1.0 request that does not ask for keep-alive", async () => {
    const { responses, closed } = await talk(front.port, ["GET /old HTTP/1.0\r\n\r\n"]);
    expect(responses[0]!.status).toBe(200);
    expect(closed).toBe(true);
  });

  test("answers 413 to a body over the cap, reads it to its end, then closes", async () => {
    const body = "x".repeat(5000);
    const { responses, closed } = await talk(front.port, [
      `POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`,
      body,
    ]);
    expect(responses.map((r) => r.status)).toEqual([413]);
    expect(responses[0]!.json).toEqual({ errors: ["error parsing JSON"] });
    expect(closed).toBe(true);
  });

  test("answers 413 to a chunked body that grows over the cap", async () => {
    const chunk = `400\r\n${"y".repeat(1024)}\r\n`;
    const { responses } = await talk(front.port, [
      `POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}${chunk}0\r\n\r\n`,
    ]);
    expect(responses.map((r) => r.status)).toEqual([413]);
  });

  test.each([
    ["garbage bytes", "\u0000\u0001\u0002 not http at all\r\n\r\n", 400],
    ["a request line without a version", "GET /\r\n\r\n", 400],
    ["a bad Content-Length", "POST / HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n", 400],
    [
      "two different Content-Lengths",
      "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      400,
    ],
    ["a header line without a colon", "GET / HTTP/1.1\r\nno colon here\r\n\r\n", 400],
    ["a bad percent escape", "GET /%zz HTTP/1.1\r\n\r\n", 400],
    ["an unknown transfer coding", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501],
    ["HTTP/2.0 on the request line", "GET / HTTP/2.0\r\n\r\n", 505],
    ["a broken chunk size", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400],
  ])("answers %s with %p in plain text and closes", async (_what, bytes, status) => {
    const { responses, closed } = await talk(front.port, [bytes]);
    expect(responses.map((r) => r.status)).toEqual([status]);
    expect(responses[0]!.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(closed).toBe(true);
  });

  test("answers 431 to a header section over 1 MiB", async () => {
    const { responses } = await talk(front.port, [
      `GET / HTTP/1.1\r\nX-Big: ${"h".repeat(1100 * 1024)}\r\n\r\n`,
    ]);
    expect(responses[0]!.status).toBe(431);
  });

  test("keeps serving other connections after a bad one", async () => {
    await talk(front.port, ["\u00ff\u00fe garbage\r\n\r\n"]);
    const resp = await fetch(`http://127.0.0.1:${front.port}/after`);
    expect(resp.status).toBe(200);
  });

  test("answers 500 when the handler throws, and the connection stays usable", async () => {
    const { responses } = await talk(front.port, [get("/boom") + get("/fine")], 2);
    expect(responses.map((r) => r.status)).toEqual([500, 200]);
    expect(responses[0]!.json).toEqual({ errors: ["internal error"] });
    expect(String(handlerErrors.at(-1))).toContain("handler failure");
  });

  test("sends no body in answer to HEAD", async () => {
    const { responses } = await talk(front.port, [`HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n${get("/next")}`], 2);
    expect(responses[0]!.status).toBe(200);
    expect(responses[1]!.json.path).toBe("/next");
  });
});

describe("stopping and resuming the listener", () => {
  test("refuses connections while stopped and serves again on the same port", async () => {
    const own = HttpFront.start({
      hostname: "127.0.0.1",
      port: 0,
      handle: echo,
      tooLarge: () => ({ status: 413 }),
    });
    const port = own.port;
    try {
      await own.setListening(false);
      expect(fetch(`http://127.0.0.1:${port}/x`)).rejects.toThrow();
      await own.setListening(true);
      expect(own.port).toBe(port);
      expect((await fetch(`http://127.0.0.1:${port}/x`)).status).toBe(200);
    } finally {
      await own.stop();
    }
  });

  test("closes idle keep-alive connections when stopped", async () => {
    const own = HttpFront.start({
      hostname: "127.0.0.1",
      port: 0,
      handle: echo,
      tooLarge: () => ({ status: 413 }),
    });
    try {
      const conversation = talk(own.port, [get("/idle")], 99);
      await Bun.sleep(50);
      await own.setListening(false);
      const { responses, closed } = await conversation;
      expect(responses).toHaveLength(1);
      expect(closed).toBe(true);
    } finally {
      await own.stop();
    }
  });

  test("still answers the request that stopped it before closing that connection", async () => {
    const own = HttpFront.start({
      hostname: "127.0.0.1",
      port: 0,
      handle: async () => {
        await own.setListening(false);
        return { status: 200, body: { stopped: true } };
      },
      tooLarge: () => ({ status: 413 }),
    });
    try {
      const { responses, closed } = await talk(own.port, [get("/stop")]);
      expect(responses[0]!.json).toEqual({ stopped: true });
      expect(closed).toBe(true);
    } finally {
      await own.stop();
    }
  });
});

describe("TLS", () => {
  test("serves HTTPS with the given certificate", async () => {
    const own = HttpFront.start({
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert: TEST_CERT, key: TEST_KEY },
      handle: echo,
      tooLarge: () => ({ status: 413 }),
    });
    try {
      const resp = await fetch(`https://127.0.0.1:${own.port}/secure`, {
        tls: { rejectUnauthorized: false },
      });
      expect(resp.status).toBe(200);
      expect(((await resp.json()) as { path: string }).path).toBe("/secure");
    } finally {
      await own.stop();
    }
  });
});
