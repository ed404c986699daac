// Courier on a real three-node OpenBao Raft cluster, one Courier per node with its own node as the
// source, and two destinations. Only the Courier of the active node syncs; when the active node dies
// (its Courier stopped first, so the entries of the writes it acknowledged last are lost with it),
// the new active node's Courier catches up with a full pass at once: sync.interval is 1 h, so
// nothing else could heal those keys.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type CourierProcess, type LogRecord, spawnCourier } from "../support/courier-process.ts";
import { type BaoServer, baoClient, freeUdpPort, localBao, startOpenBao } from "../support/openbao.ts";
import { type BaoCluster, type ClusterNode, startOpenBaoCluster } from "../support/openbao-cluster.ts";

interface NodeCourier {
  node: ClusterNode;
  courier: CourierProcess;
  url: string;
}

describe.skipIf(!localBao)("one Courier per node of a three-node OpenBao cluster", () => {
  let cluster: BaoCluster;
  let destinations: BaoServer[];
  let couriers: NodeCourier[];
  /** Every key the cluster acknowledged, with the value it holds last. */
  const acknowledged = new Map<string, string>();
  /** Samples of courier_source_active from every running Courier, taken all along. */
  const activeCounts: number[] = [];
  let sampling = true;
  let sampler: Promise<void>;

  beforeAll(async () => {
    const ports = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort()];
    [cluster, ...destinations] = await Promise.all([
      startOpenBaoCluster({ auditUdpPorts: ports, auditOptions: { elide_list_responses: "true" } }),
      startOpenBao(),
      startOpenBao(),
    ]);
    couriers = await Promise.all(
      cluster.nodes.map(async (node, i) => {
        const courier = spawnCourier([
          `--vault.source.address=${node.address}`,
          `--vault.source.token=${cluster.token}`,
          `--vault.destinations.addresses=${destinations.map((d) => d.address).join(",")}`,
          `--vault.destinations.tokens=${destinations.map((d) => d.token).join(",")}`,
          `--vault.audit_address=udp://127.0.0.1:${ports[i]}`,
          "--http.address=127.0.0.1:0",
          "--sync.interval=1h",
        ]);
        const url = String((await courier.waitForLog("serving /healthz, /readyz and /metrics")).address);
        await courier.waitForLog("listening for audit entries", () => true, 20_000);
        return { node, courier, url };
      }),
    );
    sampler = (async () => {
      while (sampling) {
        const live = couriers.filter((c) => c.courier.child.exitCode === null);
        const values = await Promise.all(live.map((c) => sourceActive(c.url).catch(() => 0)));
        activeCounts.push(values.reduce((a, b) => a + b, 0));
        await Bun.sleep(200);
      }
    })();
  }, 60_000);

  afterAll(async () => {
    sampling = false;
    await sampler;
    await Promise.all((couriers ?? []).map((c) => c.courier.stop()));
    await Promise.all([cluster?.stop(), ...(destinations ?? []).map((d) => d.stop())]);
  });

  test("only the active node's Courier says it is active; the others are ready and standing by", async () => {
    const active = await cluster.active();
    for (const { node, url } of couriers) {
      const readyz = await fetch(`${url}/readyz`);
      const text = await readyz.text();
      expect(readyz.status).toBe(200);
      if (node === active) {
        expect(await sourceActive(url)).toBe(1);
        expect(text).toBe("ready\n");
      } else {
        expect(await sourceActive(url)).toBe(0);
        expect(text).toStartWith("ready: standby");
      }
    }
  });

  test("200 writes through the active node reach both destinations", async () => {
    const active = await cluster.active();
    for (let i = 0; i < 200; i++) {
      const key = `app/k${i}`;
      const answer = await cluster.request(active, "POST", `secret/data/${key}`, { data: { v: `one-${i}` } });
      expect(answer.status).toBe(200);
      acknowledged.set(key, `one-${i}`);
    }
    await everyKeyOnBothDestinations(15_000);
  }, 30_000);

  test("writes sent to a standby end on both destinations with their latest value", async () => {
    const active = await cluster.active();
    const standby = cluster.nodes.find((n) => n !== active && n.running)!;
    // Read from the destinations all along: a value never goes back once a newer one was seen.
    const seen: number[][] = destinations.map(() => []);
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const [i, destination] of destinations.entries()) {
          const got = await baoClient(destination)("GET", "secret/data/standby/counter");
          const v = got.body?.data?.data?.v;
          if (typeof v === "string") seen[i]!.push(Number(v));
        }
        await Bun.sleep(20);
      }
    })();
    for (let n = 1; n <= 30; n++) {
      const answer = await cluster.request(standby, "POST", "secret/data/standby/counter", {
        data: { v: String(n) },
      });
      expect(answer.status).toBe(200);
    }
    acknowledged.set("standby/counter", "30");
    await everyKeyOnBothDestinations(15_000);
    watching = false;
    await watcher;
    for (const values of seen) {
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(values.at(-1)).toBe(30);
    }
  }, 30_000);

  test("after the active node and its Courier die, every acknowledged key reaches both destinations within 30 s", async () => {
    const first = await cluster.active();
    const firstCourier = couriers.find((c) => c.node === first)!;
    expect(await firstCourier.courier.stop()).toBe(0);
    // Acknowledged by the cluster, but their entries went to a Courier that is gone.
    for (let i = 0; i < 50; i++) {
      const answer = await cluster.request(first, "POST", `secret/data/orphan/k${i}`, {
        data: { v: `o-${i}` },
      });
      expect(answer.status).toBe(200);
      acknowledged.set(`orphan/k${i}`, `o-${i}`);
    }
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        for (const node of cluster.nodes.filter((n) => n.running && n !== first)) {
          const key = `during/k${i}`;
          const answer = await cluster
            .request(node, "POST", `secret/data/${key}`, { data: { v: `d-${i}` } })
            .catch(() => ({ status: 0 }));
          if (answer.status === 200) {
            acknowledged.set(key, `d-${i}`);
            break;
          }
        }
        await Bun.sleep(20);
      }
    })();
    await Bun.sleep(300);
    await first.kill();
    const next = await cluster.active();
    const tookOver = Date.now();
    const nextCourier = couriers.find((c) => c.node === next)!;
    // The keys only the catch-up pass can heal: their entries died with the first Courier.
    const orphans = new Map([...acknowledged].filter(([key]) => key.startsWith("orphan/")));
    await everyKeyOnBothDestinations(30_000, orphans);
    const catchUpMs = Date.now() - tookOver;
    console.log(
      `failover catch-up: the orphaned keys were on both destinations ${catchUpMs} ms after the new leader took over`,
    );
    await Bun.sleep(1_000);
    writing = false;
    await writer;
    await everyKeyOnBothDestinations(30_000);
    expect(catchUpMs).toBeLessThan(30_000);
    const pass = await nextCourier.courier.waitForLog(
      "reconcile pass finished",
      (r) => r.reason === "became active",
    );
    expect(pass.scope).toBe("full");
  }, 60_000);

  test("at most one Courier was active at any moment, and no standby's Courier ever ran a pass", async () => {
    expect(activeCounts.length).toBeGreaterThan(10);
    expect(Math.max(...activeCounts)).toBeLessThanOrEqual(1);
    // Each Courier's passes, in order, with the moments its node became active.
    const story = couriers.map(({ courier }) =>
      courier
        .logs()
        .filter(
          (r: LogRecord) =>
            r.msg === "reconcile pass started" ||
            r.msg === "the source node became active: a full pass follows at once" ||
            r.msg === "listening for audit entries",
        )
        .map((r) =>
          r.msg === "reconcile pass started"
            ? `pass:${r.reason}`
            : r.role
              ? `start:${r.role}`
              : "became active",
        ),
    );
    // The first active node's Courier ran the start-up pass; the next one only the catch-up pass
    // after its node became active; the third, a standby throughout, none.
    expect(story.map((events) => events.join(" ")).sort()).toEqual([
      "start:active pass:start-up",
      "start:standby",
      "start:standby became active pass:became active",
    ]);
  });

  async function everyKeyOnBothDestinations(timeoutMs: number, keys = acknowledged): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let missing: string[] = [];
    for (;;) {
      missing = [];
      for (const [i, destination] of destinations.entries()) {
        const read = baoClient(destination);
        const answers = await Promise.all(
          [...keys].map(async ([key, value]) => {
            const got = await read("GET", `secret/data/${key}`);
            return got.body?.data?.data?.v === value ? undefined : `${i}:${key}`;
          }),
        );
        missing.push(...answers.filter((m): m is string => m !== undefined));
      }
      if (missing.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(`${missing.length} keys not on the destinations: ${missing.slice(0, 10).join(", ")}`);
      }
      await Bun.sleep(250);
    }
  }
});

async function sourceActive(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = text.match(/^courier_source_active (\d)/m);
  if (!match) throw new Error("no courier_source_active in /metrics");
  return Number(match[1]);
}
