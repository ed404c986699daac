// A source whose only audit device is the UDP socket device `courier setup` declares (its own
// config block, so this breaks if setup's device changes), holding a folder of 1,500 keys. A LIST
// of that folder writes an entry far larger than a UDP datagram unless the device elides list
// responses; the device then fails the entry and, with no other device, OpenBao answers 500 —
// to the operator and to Courier's own full pass alike.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import { loadConfig } from "../../src/config/load.ts";
import { type DeviceSpec, serverConfigBlock, socketDevice } from "../../src/setup/audit-devices.ts";
import { spawnCourier } from "../support/courier-process.ts";
import { type BaoServer, baoClient, freeUdpPort, localBao, startOpenBao } from "../support/openbao.ts";
import { startVaultDouble } from "../support/vault-double/index.ts";

const KEYS = 1500;

/** The socket device `courier setup` enables for Courier listening on 127.0.0.1:`port`. */
async function setupDevice(port: number): Promise<DeviceSpec> {
  const { config } = await loadConfig({ argv: [`--vault.audit_address=127.0.0.1:${port}`], env: {} });
  const device = socketDevice(config);
  if ("tails" in device) throw new Error("a UDP address needs a socket device");
  return device;
}

/** A dev server declaring only `device`, with KEYS keys under secret/big/ (written 32 at a time). */
async function sourceWithBigFolder(device: DeviceSpec): Promise<BaoServer> {
  const server = await startOpenBao({ config: serverConfigBlock(device) });
  const bao = baoClient(server);
  let next = 0;
  const writer = async () => {
    while (next < KEYS) {
      const key = `big/key-${String(next++).padStart(4, "0")}`;
      const written = await bao("POST", `secret/data/${key}`, { data: { value: key } });
      if (written.status !== 200) throw new Error(`writing ${key}: ${written.status}`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, writer));
  return server;
}

/** A UDP socket on `port` keeping every datagram, standing where Courier listens. */
async function udpPeer(port: number) {
  const datagrams: string[] = [];
  const socket = createSocket("udp4");
  socket.on("message", (message) => datagrams.push(message.toString()));
  await new Promise<void>((resolve) => socket.bind(port, "127.0.0.1", resolve));
  return { datagrams, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

describe.skipIf(!localBao)("a source whose only audit device is the one courier setup declares", () => {
  let port: number;
  let server: BaoServer;
  beforeAll(async () => {
    port = await freeUdpPort();
    server = await sourceWithBigFolder(await setupDevice(port));
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("a LIST of 1,500 keys answers 200 with every key, and Courier's address gets their count", async () => {
    const peer = await udpPeer(port);
    try {
      const listed = await baoClient(server)("LIST", "secret/metadata/big/");
      expect(listed.status).toBe(200);
      expect(listed.body.data.keys).toHaveLength(KEYS);
      const isListResponse = (d: string) =>
        d.includes('"type":"response"') && d.includes('"operation":"list"');
      for (let i = 0; i < 100 && !peer.datagrams.some(isListResponse); i++) await Bun.sleep(20);
      const entry = JSON.parse(peer.datagrams.find(isListResponse) ?? "{}");
      expect(entry.request?.path).toBe("secret/metadata/big/");
      expect(entry.response?.data).toEqual({ keys: KEYS });
    } finally {
      await peer.close();
    }
  });

  test("Courier's start-up pass lists the folder and copies all 1,500 keys to a destination", async () => {
    const destination = await startVaultDouble({ rootToken: "hvs.destination-token" });
    const courier = spawnCourier([
      `--vault.source.address=${server.address}`,
      `--vault.source.token=${server.token}`,
      `--vault.destinations.addresses=${destination.address}`,
      "--vault.destinations.tokens=hvs.destination-token",
      `--vault.audit_address=127.0.0.1:${port}`,
      "--sync.mounts=secret/",
      "--sync.policies=false",
    ]);
    try {
      const pass = await courier.waitFor(
        (r) => r.reason === "start-up" && r.msg !== "reconcile pass started",
        "the start-up pass's end",
        60_000,
      );
      expect(pass).toMatchObject({
        msg: "reconcile pass finished",
        keys: KEYS,
        changed: KEYS,
        unresolved: 0,
      });
      const listed = await fetch(`${destination.address}/v1/secret/metadata/big/?list=true`, {
        headers: { "X-Vault-Token": "hvs.destination-token" },
      });
      expect(((await listed.json()) as { data: { keys: string[] } }).data.keys).toHaveLength(KEYS);
    } finally {
      expect(await courier.stop()).toBe(0);
      await destination.stop();
    }
  }, 90_000);
});

describe.skipIf(!localBao)(
  "the same device without elide_list_responses, as setup declared it before",
  () => {
    test("makes the same LIST answer 500: the entry does not fit a datagram and no device recorded it", async () => {
      const port = await freeUdpPort();
      const device = await setupDevice(port);
      const { elide_list_responses: _, ...unelided } = device.options;
      const server = await sourceWithBigFolder({ ...device, options: unelided });
      const peer = await udpPeer(port);
      try {
        const listed = await baoClient(server)("LIST", "secret/metadata/big/");
        expect(listed.status).toBe(500);
        expect(listed.body.errors).toEqual(["internal error"]);
        expect(server.output()).toContain("message too long");
        expect(server.output()).toContain("no audit backend succeeded in logging the response");
      } finally {
        await peer.close();
        await server.stop();
      }
    });
  },
);
