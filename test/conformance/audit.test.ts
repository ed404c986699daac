// How Vault's audit devices behave, seen from the outside: what each transport receives, what an
// entry says, and Vault's rule that nothing happens unless an audit device recorded it. Listeners
// run on 127.0.0.1, so a real server under test must run on this machine.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  closedPort,
  type StreamListener,
  streamListener,
  udpListener,
} from "../support/vault-double/audit/listeners.ts";
import { startTarget, type Target } from "./target.ts";

// biome-ignore lint/suspicious/noExplicitAny: entries are parsed JSON, walked freely by the assertions.
type Entry = Record<string, any>;

let t: Target;
let tcp: StreamListener;
let device: string;
beforeAll(async () => {
  t = await startTarget();
  tcp = await streamListener();
  device = await enableDevice({ address: `127.0.0.1:${tcp.port}` });
});
afterAll(async () => {
  await t.stop();
  await tcp.stop();
});

/** Enables a socket (or other) device at a fresh path, disabled again when the target stops. */
async function enableDevice(options: Record<string, string>, type = "socket"): Promise<string> {
  const path = t.unique("audit");
  const resp = await t.req("PUT", `sys/audit/${path}`, { body: { type, options } });
  if (resp.status !== 204) throw new Error(`enabling audit ${path}: ${resp.status} ${resp.text}`);
  t.cleanup(() => t.req("DELETE", `sys/audit/${path}`));
  return path;
}

const parse = (text: string): Entry[] =>
  text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l));

/** The entries the shared TCP device has for one request path, once `count` of them arrived. */
async function entriesFor(path: string, count = 2, listener = tcp): Promise<Entry[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = parse(listener.text()).filter((e) => e.request?.path === path);
    if (found.length >= count || Date.now() > deadline) return found;
    await Bun.sleep(10);
  }
}

describe("devices and transports", () => {
  test("enabling a device writes a test entry at once: an update of sys/audit/test", async () => {
    const peer = await streamListener();
    t.cleanup(peer.stop);
    await enableDevice({ address: `127.0.0.1:${peer.port}` });
    const [line] = await peer.lines(1);
    const probe = JSON.parse(line as string);
    expect(probe.type).toBe("request");
    expect(probe.request.path).toBe("sys/audit/test");
    expect(probe.request.operation).toBe("update");
  });

  test("enabling a socket device with no listener answers 400 and lists nothing new", async () => {
    const path = t.unique("audit");
    const resp = await t.req("PUT", `sys/audit/${path}`, {
      body: { type: "socket", options: { address: `127.0.0.1:${await closedPort()}` } },
    });
    expect(resp.status).toBe(400);
    expect(resp.json.errors).toHaveLength(1);
    expect(Object.keys((await t.req("GET", "sys/audit")).json.data)).not.toContain(`${path}/`);
  });

  test("GET sys/audit lists a device under its path with a slash, with type, options and path", async () => {
    const listed = (await t.req("GET", "sys/audit")).json.data[`${device}/`];
    expect(listed).toMatchObject({ type: "socket", local: false, path: `${device}/`, description: "" });
    expect(listed.options.address).toBe(`127.0.0.1:${tcp.port}`);
  });

  test("tcp: every entry is one line of compact JSON, the request entry before the response entry", async () => {
    const kv = await t.mount("kv", { options: { version: "2" } });
    await t.req("POST", `${kv}/data/lines`, { body: { data: { a: "b" } } });
    const raw = tcp
      .text()
      .split("\n")
      .filter((l) => l.includes(`"path":"${kv}/data/lines"`));
    expect(raw).toHaveLength(2);
    for (const line of raw) expect(line).toBe(JSON.stringify(JSON.parse(line)));
    const [req, resp] = raw.map((l) => JSON.parse(l));
    expect([req.type, resp.type]).toEqual(["request", "response"]);
    expect(resp.request.id).toBe(req.request.id);
    expect(req.response).toBeUndefined();
    expect(resp.response.data.version).toBe(1);
  });

  test("udp: one datagram per entry, each a whole entry ending in a newline", async () => {
    const peer = await udpListener();
    t.cleanup(async () => peer.stop());
    await enableDevice({ address: `127.0.0.1:${peer.port}`, socket_type: "udp" });
    const kv = await t.mount("kv");
    await t.req("PUT", `${kv}/udp`, { body: { a: "b" } });
    const mine = async () => peer.datagrams.filter((d) => d.includes(`"path":"${kv}/udp"`));
    for (let i = 0; i < 100 && (await mine()).length < 2; i++) await Bun.sleep(10);
    expect(peer.datagrams.length).toBeGreaterThanOrEqual(3);
    for (const d of peer.datagrams) {
      expect(d.endsWith("\n")).toBe(true);
      expect(d.indexOf("\n")).toBe(d.length - 1);
    }
    expect((await mine()).map((d) => JSON.parse(d).type)).toEqual(["request", "response"]);
  });

  test("unix: entries arrive as lines on the socket file", async () => {
    const sock = join(mkdtempSync(join(tmpdir(), "audit-unix-")), "audit.sock");
    const peer = await streamListener(sock);
    t.cleanup(peer.stop);
    await enableDevice({ address: sock, socket_type: "unix" });
    const kv = await t.mount("kv");
    await t.req("PUT", `${kv}/unix`, { body: { a: "b" } });
    expect((await entriesFor(`${kv}/unix`, 2, peer)).map((e) => e.type)).toEqual(["request", "response"]);
  });

  test("file: entries are appended to file_path one per line", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "audit-file-")), "vault_audit.log");
    await enableDevice({ file_path: file }, "file");
    const kv = await t.mount("kv");
    await t.req("PUT", `${kv}/file`, { body: { a: "b" } });
    const entries = parse(readFileSync(file, "utf8"));
    expect(entries[0]?.request.path).toBe("sys/audit/test");
    expect(entries.filter((e) => e.request.path === `${kv}/file`).map((e) => e.type)).toEqual([
      "request",
      "response",
    ]);
  });

  test("prefix: every entry starts with the prefix bytes, the test entry included", async () => {
    const peer = await streamListener();
    t.cleanup(peer.stop);
    await enableDevice({ address: `127.0.0.1:${peer.port}`, prefix: "vault-audit> " });
    const kv = await t.mount("kv");
    await t.req("PUT", `${kv}/prefixed`, { body: { a: "b" } });
    const lines = await peer.lines(3);
    for (const line of lines) expect(line.startsWith("vault-audit> ")).toBe(true);
    expect(JSON.parse((lines[0] as string).slice("vault-audit> ".length)).request.path).toBe(
      "sys/audit/test",
    );
  });
});

describe("what an entry says", () => {
  test("secrets and tokens appear only as HMACs, the ones sys/audit-hash computes", async () => {
    const kv = await t.mount("kv", { options: { version: "2" } });
    const plaintext = `s3cret-${crypto.randomUUID()}`;
    const created = (await t.req("POST", "auth/token/create", { body: { ttl: "5m" } })).json.auth;
    await t.req("POST", `${kv}/data/hmac`, {
      token: created.client_token,
      body: { data: { password: plaintext } },
    });
    const [req] = await entriesFor(`${kv}/data/hmac`);
    for (const clear of [plaintext, created.client_token, created.accessor])
      expect(tcp.text()).not.toContain(clear);
    const hash = async (input: string) =>
      (await t.req("POST", `sys/audit-hash/${device}`, { body: { input } })).json.data.hash;
    expect(req?.request.data.data.password).toBe(await hash(plaintext));
    expect(req?.request.client_token).toBe(await hash(created.client_token));
    expect(req?.auth.client_token).toBe(await hash(created.client_token));
    expect(req?.auth.accessor).toBe(await hash(created.accessor));
  });

  test.each([
    ["KV v1", {}, ""],
    ["KV v2", { options: { version: "2" } }, "data/"],
  ])("%s: the first write of a key is create, the next one update", async (_name, extra, sub) => {
    const kv = await t.mount("kv", extra);
    const body = sub ? { data: { a: "1" } } : { a: "1" };
    for (let i = 0; i < 2; i++) await t.req("POST", `${kv}/${sub}op`, { body });
    const entries = await entriesFor(`${kv}/${sub}op`, 4);
    expect(entries.filter((e) => e.type === "request").map((e) => e.request.operation)).toEqual([
      "create",
      "update",
    ]);
  });

  test("KV v2: PATCH is patch, DELETE is delete, and delete/undelete/destroy are update", async () => {
    const kv = await t.mount("kv", { options: { version: "2" } });
    await t.req("POST", `${kv}/data/k`, { body: { data: { a: "1" } } });
    await t.req("PATCH", `${kv}/data/k`, {
      body: { data: { b: "2" } },
      headers: { "Content-Type": "application/merge-patch+json" },
    });
    await t.req("DELETE", `${kv}/data/k`);
    for (const action of ["delete", "undelete", "destroy"]) {
      await t.req("POST", `${kv}/${action}/k`, { body: { versions: [1] } });
    }
    const opOf = async (path: string, n = 2) =>
      (await entriesFor(path, n)).filter((e) => e.type === "request").map((e) => e.request.operation);
    expect(await opOf(`${kv}/data/k`, 6)).toEqual(["create", "patch", "delete"]);
    for (const action of ["delete", "undelete", "destroy"])
      expect(await opOf(`${kv}/${action}/k`)).toEqual(["update"]);
  });

  test("policy writes are update whether new or not, and removal is delete", async () => {
    const name = t.unique("pol");
    const rules = 'path "secret/*" { capabilities = ["read"] }';
    await t.req("PUT", `sys/policies/acl/${name}`, { body: { policy: rules } });
    await t.req("PUT", `sys/policies/acl/${name}`, { body: { policy: rules } });
    await t.req("DELETE", `sys/policies/acl/${name}`);
    const entries = await entriesFor(`sys/policies/acl/${name}`, 6);
    expect(entries.filter((e) => e.type === "request").map((e) => e.request.operation)).toEqual([
      "update",
      "update",
      "delete",
    ]);
  });

  test("mount fields name the mount (and its accessor) and the root namespace is {id: root}", async () => {
    const kv = await t.mount("kv", { options: { version: "2" } });
    await t.req("POST", `${kv}/data/m`, { body: { data: { a: "1" } } });
    const [req, resp] = await entriesFor(`${kv}/data/m`);
    const accessor = (await t.req("GET", "sys/mounts")).json.data[`${kv}/`].accessor;
    for (const block of [req?.request, resp?.request, resp?.response]) {
      expect(block.mount_type).toBe("kv");
      expect(block.mount_point).toBe(`${kv}/`);
      expect(block.mount_class).toBe("secret");
    }
    expect(resp?.response.mount_accessor).toBe(accessor);
    expect(req?.request.namespace).toEqual({ id: "root" });
    expect(req?.request.remote_address).toBe("127.0.0.1");
    expect(req?.request.remote_port).toBeGreaterThan(0);
  });

  test.skipIf(
    !(process.env.VAULT_CONFORMANCE_ADDR === undefined || process.env.VAULT_CONFORMANCE_NAMESPACES === "1"),
  )("a request in a namespace names it with id and path, its path relative to the namespace", async () => {
    const ns = t.unique("ns");
    expect((await t.req("POST", `sys/namespaces/${ns}`)).status).toBe(200);
    t.cleanup(() => t.req("DELETE", `sys/namespaces/${ns}`));
    expect((await t.req("POST", "sys/mounts/kv", { ns, body: { type: "kv" } })).status).toBe(204);
    await t.req("PUT", "kv/in-ns", { ns, body: { a: "b" } });
    const [req] = await entriesFor("kv/in-ns");
    expect(req?.request.namespace.path).toBe(`${ns}/`);
    expect(req?.request.namespace.id).toMatch(/^[0-9A-Za-z]+$/);
  });

  test("a refused request is written with its error in both entries, and answered 403", async () => {
    const kv = await t.mount("kv");
    const resp = await t.req("GET", `${kv}/denied`, { token: "not-a-token" });
    expect(resp.status).toBe(403);
    const [req, res] = await entriesFor(`${kv}/denied`);
    expect(req?.error).toBe("permission denied");
    expect(res?.error).toBe("1 error occurred:\n\t* permission denied\n\n");
    expect(req?.auth).toEqual({ token_type: "default" });
    expect(res?.response.data.error).toMatch(/^hmac-sha256:/);
  });
});

describe("when no device can record an entry", () => {
  test("TCP listener gone: the next write happens yet answers 500; later ones answer 500 and never happen", async () => {
    const others = Object.keys((await t.req("GET", "sys/audit")).json.data).filter((p) => p !== `${device}/`);
    for (const p of others) await t.req("DELETE", `sys/audit/${p}`);
    const kv = await t.mount("kv");
    await t.req("PUT", `${kv}/guarded`, { body: { v: "old" } });
    const port = tcp.port;
    await tcp.stop();
    // The device still holds the connection the listener closed. The kernel takes the next entry
    // (the request entry) and the peer answers with a reset: that entry is lost without an error,
    // so the write goes ahead, and only the response entry fails (broken pipe, redial refused).
    expect((await t.req("PUT", `${kv}/guarded`, { body: { v: "entry-lost" } })).status).toBe(500);
    // Now there is no connection: the request entry's dial is refused, twice, before the write.
    expect((await t.req("PUT", `${kv}/guarded`, { body: { v: "refused" } })).status).toBe(500);
    tcp = await streamListener(undefined, port);
    const after = await t.req("GET", `${kv}/guarded`);
    expect(after.status).toBe(200);
    expect(after.json.data).toEqual({ v: "entry-lost" });
  });

  test("UDP listener gone: entries are lost silently and every request still succeeds", async () => {
    // Vault's socket device dials udp (a connected socket): the ICMP port-unreachable of one
    // datagram makes the next write fail with connection refused, and the device redials and
    // writes again, which succeeds. So no request fails, and no entry arrives anywhere.
    const peer = await udpListener();
    const udp = await enableDevice({ address: `127.0.0.1:${peer.port}`, socket_type: "udp" });
    await t.req("DELETE", `sys/audit/${device}`);
    const kv = await t.mount("kv");
    peer.stop();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++)
      statuses.push((await t.req("PUT", `${kv}/k${i}`, { body: { v: "x" } })).status);
    expect(statuses).toEqual(Array(20).fill(204));
    expect((await t.req("GET", `${kv}/k19`)).json.data).toEqual({ v: "x" });
    device = await enableDevice({ address: `127.0.0.1:${tcp.port}` });
    await t.req("DELETE", `sys/audit/${udp}`);
  });

  test("a response entry no device can take still answers 500, though the write happened", async () => {
    // Over UDP an entry over 65,507 bytes cannot be sent. A token created with many long policy
    // names has a small request entry (names HMAC'd) and a large response entry (names plain).
    const peer = await udpListener();
    t.cleanup(async () => peer.stop());
    const udp = await enableDevice({ address: `127.0.0.1:${peer.port}`, socket_type: "udp" });
    await t.req("DELETE", `sys/audit/${device}`);
    const countTokens = async () => (await t.req("LIST", "auth/token/accessors")).json.data.keys.length;
    const before = await countTokens();
    const policies = Array.from({ length: 150 }, (_, i) => `p${i}-${"x".repeat(240)}`);
    const resp = await t.req("POST", "auth/token/create", { body: { policies, ttl: "5m" } });
    expect(resp.status).toBe(500);
    expect(await countTokens()).toBe(before + 1);
    await t.req("DELETE", `sys/audit/${udp}`);
    device = await enableDevice({ address: `127.0.0.1:${tcp.port}` });
  });
});
