// The broker: enabling writes Vault's probe entry or refuses, and a request only counts as
// audited when at least one device recorded it.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DoubleHttpError } from "../errors.ts";
import type { LogicalRequest } from "../types.ts";
import { AuditBroker } from "./broker.ts";
import { hasher } from "./hmac.ts";
import { closedPort, streamListener, udpListener } from "./listeners.ts";

const key = new TextEncoder().encode("broker-key");
const dir = mkdtempSync(join(tmpdir(), "audit-broker-"));
const brokers: AuditBroker[] = [];
const stops: (() => unknown)[] = [];
afterAll(async () => {
  for (const b of brokers) await b.close();
  for (const s of stops) await s();
});

function broker(): AuditBroker {
  const b = new AuditBroker({ hmacKey: key, now: () => Date.parse("2025-06-04T20:02:46.117Z") });
  brokers.push(b);
  return b;
}

const req: LogicalRequest = {
  id: "req-1",
  operation: "update",
  path: "secret/data/app",
  namespace: { id: "root", path: "" },
  data: { data: { password: "p" } },
  query: new URLSearchParams(),
  headers: new Map(),
  clientToken: "",
  token: undefined,
  remoteAddress: "127.0.0.1",
  remotePort: 40000,
  mount: undefined,
  mountSubpath: "",
};

async function refusal(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DoubleHttpError) return { status: err.status, message: err.message };
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("enabling and listing devices", () => {
  test("enabling writes the sys/audit/test probe at once, with the device's prefix", async () => {
    const peer = await streamListener();
    stops.push(peer.stop);
    const b = broker();
    await b.enable("sock", { type: "socket", options: { address: `127.0.0.1:${peer.port}`, prefix: "P>" } });
    const [line] = await peer.lines(1);
    expect(line?.startsWith("P>")).toBe(true);
    const probe = JSON.parse((line as string).slice(2));
    expect(probe.request.path).toBe("sys/audit/test");
    expect(probe.request.operation).toBe("update");
    expect(probe.type).toBe("request");
  });

  test("enabling a socket device whose listener is down answers 400 and enables nothing", async () => {
    const b = broker();
    const port = await closedPort();
    const answer = await refusal(
      b.enable("down", { type: "socket", options: { address: `127.0.0.1:${port}` } }),
    );
    expect(answer.status).toBe(400);
    expect(answer.message).toStartWith("audit backend failed test message: ");
    expect(b.hasDevices()).toBe(false);
    expect(b.list()).toEqual({});
  });

  test("skip_test=true enables a device without writing the probe", async () => {
    const b = broker();
    const port = await closedPort();
    await b.enable("later", { type: "socket", options: { address: `127.0.0.1:${port}`, skip_test: "true" } });
    expect(b.hasDevices()).toBe(true);
  });

  test("list answers keyed by path with a slash, with type, description, options, local and path", async () => {
    const b = broker();
    await b.enable("file1", { type: "file", description: "main log", options: { file_path: "discard" } });
    expect(b.list()).toEqual({
      "file1/": {
        type: "file",
        description: "main log",
        options: { file_path: "discard" },
        local: false,
        path: "file1/",
      },
    });
  });

  test.each([
    ["file1", "path already in use"],
    ["file1/nested", "path already in use"],
  ])("enabling %s over an enabled file1/ answers 400 %s", async (path, message) => {
    const b = broker();
    await b.enable("file1", { type: "file", options: { file_path: "discard" } });
    expect(await refusal(b.enable(path, { type: "file", options: { file_path: "discard" } }))).toEqual({
      status: 400,
      message,
    });
  });

  test("bad options answer 400 with Vault's message", async () => {
    expect(await refusal(broker().enable("s", { type: "socket", options: {} }))).toEqual({
      status: 400,
      message: "address is required",
    });
  });

  test("disable removes a device; disabling an unknown path is not an error", async () => {
    const b = broker();
    await b.enable("f", { type: "file", options: { file_path: "discard" } });
    await b.disable("f/");
    await b.disable("never");
    expect(b.hasDevices()).toBe(false);
  });
});

describe("logging requests and responses", () => {
  test("with no device every request counts as audited", async () => {
    expect(await broker().logRequest(req)).toBe(true);
  });

  test("request then response entries go to every device, each its own line", async () => {
    const b = broker();
    const path = join(dir, "both.log");
    await b.enable("file", { type: "file", options: { file_path: path } });
    const peer = await udpListener();
    stops.push(peer.stop);
    await b.enable("udp", {
      type: "socket",
      options: { address: `127.0.0.1:${peer.port}`, socket_type: "udp" },
    });
    expect(await b.logRequest(req)).toBe(true);
    expect(await b.logResponse(req, { status: 204 })).toBe(true);
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines.map((l) => JSON.parse(l).type)).toEqual(["request", "request", "response"]);
    const datagrams = await peer.waitFor(3);
    expect(datagrams.slice(1)).toEqual(lines.slice(1).map((l) => `${l}\n`));
  });

  test("false when every device failed the entry (Vault answers 500), true when one of two wrote it", async () => {
    const peer = await streamListener();
    const b = broker();
    await b.enable("sock", { type: "socket", options: { address: `127.0.0.1:${peer.port}` } });
    await peer.stop();
    expect(await b.logRequest(req)).toBe(false);
    expect(await b.logResponse(req, { status: 204 })).toBe(false);
    await b.enable("file", { type: "file", options: { file_path: join(dir, "fallback.log") } });
    expect(await b.logRequest(req)).toBe(true);
  });

  test("an entry too big for one datagram fails on a udp-only server", async () => {
    const peer = await udpListener();
    stops.push(peer.stop);
    const b = broker();
    await b.enable("udp", {
      type: "socket",
      options: { address: `127.0.0.1:${peer.port}`, socket_type: "udp" },
    });
    // Each string becomes a 76-character HMAC: a thousand of them outgrow one datagram.
    const big = { ...req, data: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, "v"])) };
    expect(await b.logRequest(big)).toBe(false);
  });

  test("a response that carries a core error is written with it, as go-multierror prints it", async () => {
    const b = broker();
    const path = join(dir, "error.log");
    await b.enable("file", { type: "file", options: { file_path: path } });
    await b.logResponse(req, { status: 400, errors: ["bad"], error: "invalid request" });
    const entry = JSON.parse(readFileSync(path, "utf8").trimEnd().split("\n")[1] as string);
    expect(entry.error).toBe("1 error occurred:\n\t* invalid request\n\n");
  });

  test("hash is the HMAC the entries use (sys/audit-hash)", () => {
    expect(broker().hash("secret")).toBe(hasher(key)("secret"));
    expect(broker().hash("secret")).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
  });
});
