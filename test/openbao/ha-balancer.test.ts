// One Courier behind a load balancer in front of a real three-node OpenBao cluster: the balancer
// routes to the active node only (its health check is sys/health, 200 on the active node alone),
// as the README asks. Every node's audit device sends to the one Courier. When the active node is
// killed, syncs that fail meanwhile are retried against the new active node, and the leader change
// brings a catch-up pass, so every write the cluster acknowledged reaches the destination.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type CourierProcess, spawnCourier } from "../support/courier-process.ts";
import { type BaoServer, baoClient, freeUdpPort, localBao, startOpenBao } from "../support/openbao.ts";
import {
  type BaoCluster,
  type ClusterNode,
  healthStatus,
  startOpenBaoCluster,
} from "../support/openbao-cluster.ts";

/** A balancer on loopback that forwards every request to the node whose sys/health says 200. */
function startBalancer(cluster: BaoCluster) {
  let target: ClusterNode | undefined;
  let checking = true;
  const checks = (async () => {
    while (checking) {
      const statuses = await Promise.all(cluster.nodes.map((n) => (n.running ? healthStatus(n) : 0)));
      target = cluster.nodes[statuses.indexOf(200)];
      await Bun.sleep(200);
    }
  })();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const node = target;
      if (!node) return new Response("no healthy backend\n", { status: 503 });
      const url = new URL(request.url);
      const body =
        request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
      try {
        const answer = await fetch(`${node.address}${url.pathname}${url.search}`, {
          method: request.method,
          headers: request.headers,
          body,
          redirect: "manual",
        });
        return new Response(await answer.arrayBuffer(), { status: answer.status, headers: answer.headers });
      } catch {
        return new Response("backend failed\n", { status: 502 });
      }
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    async stop() {
      checking = false;
      await checks;
      await server.stop(true);
    },
  };
}

describe.skipIf(!localBao)(
  "one Courier behind a load balancer in front of a three-node OpenBao cluster",
  () => {
    let cluster: BaoCluster;
    let destination: BaoServer;
    let balancer: ReturnType<typeof startBalancer>;
    let courier: CourierProcess;

    beforeAll(async () => {
      const port = await freeUdpPort();
      // Each node its own device path, all sending to the one Courier.
      [cluster, destination] = await Promise.all([
        startOpenBaoCluster({ auditUdpPorts: [port, port, port] }),
        startOpenBao(),
      ]);
      balancer = startBalancer(cluster);
      courier = spawnCourier([
        `--vault.source.address=${balancer.url}`,
        `--vault.source.token=${cluster.token}`,
        `--vault.destinations.addresses=${destination.address}`,
        `--vault.destinations.tokens=${destination.token}`,
        `--vault.audit_address=udp://127.0.0.1:${port}`,
        "--sync.interval=1h",
        "--retry.initial=200ms",
        "--retry.max=1s",
      ]);
      await courier.waitFor(
        (r) => r.msg === "reconcile pass finished" && r.reason === "start-up",
        "the start-up pass",
        20_000,
      );
    }, 60_000);

    afterAll(async () => {
      await courier?.stop();
      await balancer?.stop();
      await Promise.all([cluster?.stop(), destination?.stop()]);
    });

    test("writes through the balancer before, during and after the active node dies all reach the destination, and the leader change brings a catch-up pass", async () => {
      const acknowledged = new Map<string, string>();
      let writing = true;
      const writer = (async () => {
        for (let i = 0; writing; i++) {
          const answer = await fetch(`${balancer.url}/v1/secret/data/lb/k${i}`, {
            method: "POST",
            headers: { "X-Vault-Token": cluster.token },
            body: JSON.stringify({ data: { v: `v-${i}` } }),
          }).catch(() => undefined);
          if (answer?.status === 200) acknowledged.set(`lb/k${i}`, `v-${i}`);
          await answer?.arrayBuffer();
          await Bun.sleep(20);
        }
      })();
      await Bun.sleep(1_500);
      const first = await cluster.active();
      await first.kill();
      const next = await cluster.active();
      expect(next).not.toBe(first);
      const tookOver = Date.now();
      await Bun.sleep(1_500);
      writing = false;
      await writer;
      expect(acknowledged.size).toBeGreaterThan(20);

      const read = baoClient(destination);
      const deadline = tookOver + 30_000;
      let missing: string[] = [];
      do {
        const answers = await Promise.all(
          [...acknowledged].map(async ([key, value]) =>
            (await read("GET", `secret/data/${key}`)).body?.data?.data?.v === value ? undefined : key,
          ),
        );
        missing = answers.filter((k): k is string => k !== undefined);
        if (missing.length > 0) await Bun.sleep(250);
      } while (missing.length > 0 && Date.now() < deadline);
      expect(missing).toEqual([]);
      console.log(
        `behind a balancer: every acknowledged key on the destination ${Date.now() - tookOver} ms after the new leader took over`,
      );
      const catchUp = await courier.waitFor(
        (r) =>
          r.msg === "reconcile pass finished" &&
          (r.reason === "leader changed" || r.reason === "became active"),
        "a catch-up pass",
        10_000,
      );
      expect(catchUp.scope).toBe("full");
    }, 60_000);
  },
);
