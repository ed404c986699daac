import { afterEach, describe, expect, test } from "bun:test";
import { createFetchTransport, TransportError } from "../../src/vault/http.ts";
import { type RawServer, startRawHttp } from "./raw-http-server.ts";
import { makeTestPki } from "./test-pki.ts";

let server: RawServer;
afterEach(() => server?.stop());

describe("the fetch transport node-vault sends through", () => {
  test("reuses one keep-alive connection for a run of sequential requests", async () => {
    server = startRawHttp(() => ({ status: 200, body: '{"data":{}}' }));
    const transport = createFetchTransport();
    for (let i = 0; i < 25; i++) await transport.send({ method: "GET", uri: `${server.url}/v1/kv/a${i}` });
    expect(server.requests).toHaveLength(25);
    expect(server.connections()).toBe(1);
    transport.close();
  });

  test("opens no more connections than requests in flight at once", async () => {
    server = startRawHttp(() => ({ status: 204 }));
    const transport = createFetchTransport();
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        [1, 2, 3, 4].map((i) => transport.send({ method: "DELETE", uri: `${server.url}/v1/kv/${i}` })),
      );
    }
    expect(server.requests).toHaveLength(20);
    expect(server.connections()).toBeLessThanOrEqual(4);
    transport.close();
  });

  test("gives the status and the parsed JSON body; 204 has no body; other text stays text", async () => {
    const replies = [
      { status: 404, body: '{"errors":[]}' },
      { status: 204 },
      { status: 502, body: "<html>bad gateway</html>", contentType: "text/html" },
    ];
    server = startRawHttp(() => replies.shift() ?? { status: 500 });
    const transport = createFetchTransport();
    const uri = `${server.url}/v1/secret/data/app`;
    expect(await transport.send({ method: "GET", uri })).toEqual({
      statusCode: 404,
      body: { errors: [] },
      request: { path: "/v1/secret/data/app" },
    });
    expect((await transport.send({ method: "DELETE", uri })).body).toBeUndefined();
    expect((await transport.send({ method: "GET", uri })).body).toBe("<html>bad gateway</html>");
    transport.close();
  });

  test("sends an object `json` as a JSON body and `json: true` as no body at all", async () => {
    server = startRawHttp(() => ({ status: 204 }));
    const transport = createFetchTransport();
    await transport.send({ method: "POST", uri: `${server.url}/v1/kv/a`, json: { data: { pw: "x" } } });
    await transport.send({ method: "GET", uri: `${server.url}/v1/kv/a`, json: true });
    const [write, read] = server.requests;
    expect(write?.body).toBe('{"data":{"pw":"x"}}');
    expect(write?.headers["content-type"]).toBe("application/json");
    expect(read?.body).toBe("");
    expect(read?.headers["content-length"] ?? "0").toBe("0");
    transport.close();
  });

  test("gives up on a server that does not answer within the timeout, as a timeout", async () => {
    server = startRawHttp(() => "hang");
    const transport = createFetchTransport({ timeoutMs: 150 });
    const started = performance.now();
    const error = await transport.send({ method: "GET", uri: `${server.url}/v1/kv/a` }).catch((e) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error.kind).toBe("timeout");
    expect(error.message).toBe("GET /v1/kv/a: no answer within 150 ms");
    expect(performance.now() - started).toBeLessThan(2000);
    transport.close();
  });

  test("reports a refused connection as unreachable, without the request's headers", async () => {
    const closed = startRawHttp(() => ({ status: 200 }));
    const url = closed.url;
    closed.stop();
    const transport = createFetchTransport();
    const error = await transport
      .send({ method: "GET", uri: `${url}/v1/kv/a`, headers: { "X-Vault-Token": "s.secret-token" } })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error.kind).toBe("unreachable");
    expect(error.message).toContain("GET /v1/kv/a");
    expect(error.message).not.toContain("s.secret-token");
  });
});

const pki = makeTestPki();

describe.skipIf(!pki)("TLS per Vault", () => {
  test("trusts a server whose certificate the configured CA signed", async () => {
    server = startRawHttp(() => ({ status: 200, body: "{}" }), { cert: pki!.cert, key: pki!.key });
    const transport = createFetchTransport({ tls: { ca: pki!.ca } });
    expect((await transport.send({ method: "GET", uri: `${server.url}/v1/sys/health` })).statusCode).toBe(
      200,
    );
    transport.close();
  });

  test("refuses a server signed by another CA, as a TLS failure", async () => {
    server = startRawHttp(() => ({ status: 200, body: "{}" }), { cert: pki!.cert, key: pki!.key });
    const transport = createFetchTransport({ tls: { ca: pki!.otherCa } });
    const error = await transport.send({ method: "GET", uri: `${server.url}/v1/sys/health` }).catch((e) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error.kind).toBe("tls");
  });

  test("accepts any certificate when verification is off", async () => {
    server = startRawHttp(() => ({ status: 200, body: "{}" }), { cert: pki!.cert, key: pki!.key });
    const transport = createFetchTransport({ tls: { rejectUnauthorized: false } });
    expect((await transport.send({ method: "GET", uri: `${server.url}/v1/sys/health` })).statusCode).toBe(
      200,
    );
  });

  test("checks the certificate against serverName when one is given", async () => {
    server = startRawHttp(() => ({ status: 200, body: "{}" }), { cert: pki!.cert, key: pki!.key });
    const right = createFetchTransport({ tls: { ca: pki!.ca, serverName: "vault.test" } });
    expect((await right.send({ method: "GET", uri: `${server.url}/v1/sys/health` })).statusCode).toBe(200);
    const wrong = createFetchTransport({ tls: { ca: pki!.ca, serverName: "elsewhere.test" } });
    const error = await wrong.send({ method: "GET", uri: `${server.url}/v1/sys/health` }).catch((e) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error.kind).toBe("tls");
  });
});
