import { afterEach, describe, expect, test } from "bun:test";
import { VaultCallError } from "../../src/vault/errors.ts";
import { VaultHttp } from "../../src/vault/http.ts";
import { type RawServer, startRawHttp } from "./raw-http-server.ts";

let server: RawServer;
let http: VaultHttp;
afterEach(() => {
  http?.close();
  server?.stop();
});

describe("VaultHttp on the wire (node-vault over fetch)", () => {
  test("sends the token, the request marker and the call's own namespace as headers", async () => {
    server = startRawHttp(() => ({ status: 200, body: '{"data":{"a":"1"}}' }));
    http = new VaultHttp(`${server.url}/`);
    await http.send({ method: "GET", path: "kv/app", namespace: "team-a/" }, "s.token-1");
    await http.send({ method: "GET", path: "kv/app" }, "s.token-2");
    const [first, second] = server.requests;
    expect(first?.target).toBe("/v1/kv/app");
    expect(first?.headers["x-vault-token"]).toBe("s.token-1");
    expect(first?.headers["x-vault-namespace"]).toBe("team-a/");
    expect(first?.headers["x-vault-request"]).toBe("true");
    expect(second?.headers["x-vault-token"]).toBe("s.token-2");
    expect(second?.headers["x-vault-namespace"]).toBeUndefined();
  });

  test("lists with GET ?list=true, never the LIST verb", async () => {
    server = startRawHttp(() => ({ status: 200, body: '{"data":{"keys":["a","b/"]}}' }));
    http = new VaultHttp(server.url);
    const reply = await http.send({ method: "GET", path: "secret/metadata/team/", list: true }, "t");
    expect(server.requests[0]?.method).toBe("GET");
    expect(server.requests[0]?.target).toBe("/v1/secret/metadata/team/?list=true");
    expect(reply).toEqual({ status: 200, body: { data: { keys: ["a", "b/"] } } });
  });

  test("puts query parameters and a JSON body on the request", async () => {
    server = startRawHttp(() => ({ status: 204 }));
    http = new VaultHttp(server.url);
    await http.send({ method: "GET", path: "secret/data/app", query: { version: "3" } }, "t");
    await http.send(
      { method: "POST", path: "secret/data/app", body: { data: { pw: "x" }, options: { cas: 2 } } },
      "t",
    );
    expect(server.requests[0]?.target).toBe("/v1/secret/data/app?version=3");
    expect(server.requests[1]?.method).toBe("POST");
    expect(JSON.parse(server.requests[1]?.body ?? "")).toEqual({ data: { pw: "x" }, options: { cas: 2 } });
  });

  test("ignores VAULT_NAMESPACE, VAULT_TOKEN and VAULT_PREFIX in the environment", async () => {
    server = startRawHttp(() => ({ status: 204 }));
    const saved = { ...process.env };
    Object.assign(process.env, { VAULT_NAMESPACE: "elsewhere/", VAULT_TOKEN: "s.env", VAULT_PREFIX: "/x" });
    try {
      http = new VaultHttp(server.url);
      await http.send({ method: "DELETE", path: "kv/a" }, "");
    } finally {
      for (const name of ["VAULT_NAMESPACE", "VAULT_TOKEN", "VAULT_PREFIX"]) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
    const [request] = server.requests;
    expect(request?.target).toBe("/v1/kv/a");
    expect(request?.headers["x-vault-namespace"]).toBeUndefined();
    expect(request?.headers["x-vault-token"]).toBeUndefined();
  });

  test.each([
    [404, '{"errors":[]}'],
    [404, '{"data":{"data":null,"metadata":{"version":2,"destroyed":true}}}'],
    [403, '{"errors":["permission denied"]}'],
    [503, '{"errors":["Vault is sealed"]}'],
    [429, '{"errors":["rate limit quota exceeded"]}'],
  ])("hands back a %i answer whole instead of throwing", async (status, body) => {
    server = startRawHttp(() => ({ status, body }));
    http = new VaultHttp(server.url);
    expect(await http.send({ method: "GET", path: "secret/data/app" }, "t")).toEqual({
      status,
      body: JSON.parse(body),
    });
  });

  test("turns a refused connection into a transient VaultCallError naming the Vault and path", async () => {
    const gone = startRawHttp(() => ({ status: 200 }));
    gone.stop();
    http = new VaultHttp(gone.url);
    const error = await http.send({ method: "GET", path: "kv/a", namespace: "ns1/" }, "s.t").catch((e) => e);
    expect(error).toBeInstanceOf(VaultCallError);
    expect(error.reason).toBe("unreachable");
    expect(error.transient).toBe(true);
    expect(error.message).toBe(`${gone.url}: GET kv/a in namespace ns1/ failed: unreachable (ECONNREFUSED)`);
    expect(error.message).not.toContain("s.t");
  });

  test("builds a 403 error that names the capability the request needed", async () => {
    server = startRawHttp(() => ({
      status: 403,
      body: '{"errors":["1 error occurred:\\n\\t* permission denied\\n\\n"]}',
    }));
    http = new VaultHttp(server.url);
    const request = { method: "GET", path: "secret/metadata/", list: true } as const;
    const error = http.failure(request, await http.send(request, "t"));
    expect(error.reason).toBe("permission-denied");
    expect(error.capabilities).toEqual(["list"]);
    expect(error.message).toContain('path "secret/metadata/" { capabilities = ["list"] }');
  });
});
