// Servers the tests start side by side are each their own: a port is handed out once, and a server
// counts as ready only when it is the process that answers, never a neighbour on the same address.
import { afterEach, describe, expect, test } from "bun:test";
import { type BaoServer, startBaoServer } from "../../scripts/openbao/bao-server.ts";
import { localBao } from "../support/openbao.ts";

let servers: BaoServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

const write = (server: BaoServer, value: string) =>
  fetch(`${server.address}/v1/secret/data/which`, {
    method: "POST",
    headers: { "X-Vault-Token": server.token },
    body: JSON.stringify({ data: { server: value } }),
  });

async function read(server: BaoServer): Promise<unknown> {
  const reply = await fetch(`${server.address}/v1/secret/data/which`, {
    headers: { "X-Vault-Token": server.token },
  });
  return reply.status === 200
    ? ((await reply.json()) as { data: { data: unknown } }).data.data
    : reply.status;
}

describe.skipIf(!localBao)("bao dev servers started side by side", () => {
  test("three started at once have three addresses, each its own server", async () => {
    servers = await Promise.all([1, 2, 3].map(() => startBaoServer(localBao)));
    expect(new Set(servers.map((s) => s.address)).size).toBe(3);
    for (const [i, server] of servers.entries()) expect((await write(server, String(i))).status).toBe(200);
    expect(await Promise.all(servers.map(read))).toEqual([{ server: "0" }, { server: "1" }, { server: "2" }]);
  }, 60_000);

  test("a server asked for a port another holds fails and says why, instead of passing for it", async () => {
    servers = [await startBaoServer(localBao)];
    const port = Number(new URL(servers[0]!.address).port);
    const second = startBaoServer(localBao, { port });
    await expect(second).rejects.toThrow(/exited with 1; it printed:[\s\S]*address already in use/);
  }, 60_000);
});
