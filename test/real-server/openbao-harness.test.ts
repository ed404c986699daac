// The harness real-server tests stand on: a dev server whose only audit device is a UDP socket
// device declared in its configuration, sending each entry as one datagram.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSocket, type Socket } from "node:dgram";
import { type BaoServer, baoClient, freeUdpPort, localBao, startOpenBao } from "../support/openbao.ts";

describe.skipIf(!localBao)("a real OpenBao with Courier's UDP device declared", () => {
  let server: BaoServer;
  let socket: Socket;
  const datagrams: string[] = [];
  beforeAll(async () => {
    const port = await freeUdpPort();
    socket = createSocket("udp4");
    socket.on("message", (message) => datagrams.push(message.toString()));
    await new Promise<void>((resolve) => socket.bind(port, "127.0.0.1", resolve));
    server = await startOpenBao({ auditUdpPort: port });
  });
  afterAll(async () => {
    await server?.stop();
    socket?.close();
  });

  test("sends the response entry of a KV v2 write as one datagram", async () => {
    const bao = baoClient(server);
    expect((await bao("POST", "secret/data/harness", { data: { a: "1" } })).status).toBe(200);
    const deadline = Date.now() + 5000;
    const isWrite = (line: string) =>
      line.includes('"type":"response"') && line.includes("secret/data/harness");
    while (!datagrams.some(isWrite) && Date.now() < deadline) await Bun.sleep(20);
    const entry = JSON.parse(datagrams.find(isWrite) ?? "{}");
    expect(entry.request.path).toBe("secret/data/harness");
    expect(entry.request.operation).toBe("create");
  });
});
