// Namespaces on real OpenBao: a source with team1/, team1/sub/ and team2/, each holding a KV v2
// mount, a KV v1 mount and a policy, replicated into destinations that have none of them.
import { afterEach, describe, expect, test } from "bun:test";
import type { CourierProcess, LogRecord } from "../support/courier-process.ts";
import { courier, spawnCourier } from "../support/courier-process.ts";
import { eventually } from "../support/eventually.ts";
import { type BaoServer, baoClient, freeUdpPort, localBao, startOpenBao } from "../support/openbao.ts";

const NAMESPACES = ["team1/", "team1/sub/", "team2/"];
const policyText = (ns: string, n: number) => `path "kv2/data/${ns}${n}" {\n  capabilities = ["read"]\n}\n`;

let servers: BaoServer[] = [];
let running: CourierProcess | undefined;

afterEach(async () => {
  await running?.stop();
  await Promise.all(servers.map((s) => s.stop()));
  running = undefined;
  servers = [];
});

async function startVaults(count: number) {
  const auditUdpPort = await freeUdpPort();
  const source = await startOpenBao({ auditUdpPort });
  const destinations = await Promise.all(Array.from({ length: count }, () => startOpenBao()));
  servers.push(source, ...destinations);
  return { auditUdpPort, source, destinations };
}

function vaultFlags(source: BaoServer, destinations: BaoServer[]) {
  return [
    `--vault.source.address=${source.address}`,
    `--vault.source.token=${source.token}`,
    `--vault.destinations.addresses=${destinations.map((d) => d.address).join(",")}`,
    `--vault.destinations.tokens=${destinations[0]!.token}`,
  ];
}

function startCourier(
  source: BaoServer,
  destinations: BaoServer[],
  auditUdpPort: number,
  flags: string[] = [],
) {
  running = spawnCourier([
    ...vaultFlags(source, destinations),
    `--vault.audit_address=udp://127.0.0.1:${auditUdpPort}`,
    "--http.address=127.0.0.1:0",
    ...flags,
  ]);
  return running;
}

async function must(result: Promise<{ status: number; body: unknown }>) {
  const { status, body } = await result;
  if (status >= 300) throw new Error(`answered ${status}: ${JSON.stringify(body)}`);
}

/** team1/sub/ is made inside team1/, as OpenBao wants: one segment at a time. */
async function makeNamespace(server: BaoServer, path: string, metadata: Record<string, string> = {}) {
  const segments = path.split("/").filter(Boolean);
  const parent = segments.slice(0, -1).join("/");
  await must(
    baoClient(server)("POST", `sys/namespaces/${segments.at(-1)}`, { custom_metadata: metadata }, parent),
  );
}

/** In `ns`: a KV v2 mount kv2/, a KV v1 mount kv1/, a policy, and one key in each mount. */
async function fillNamespace(server: BaoServer, ns: string) {
  const bao = baoClient(server);
  await must(bao("POST", "sys/mounts/kv2", { type: "kv", options: { version: "2" } }, ns));
  await must(bao("POST", "sys/mounts/kv1", { type: "kv", options: { version: "1" } }, ns));
  await must(bao("PUT", "sys/policies/acl/reader", { policy: policyText(ns, 0) }, ns));
  await must(bao("POST", "kv2/data/app", { data: { v: `${ns}0` } }, ns));
  await must(bao("PUT", "kv1/app", { v: `${ns}0` }, ns));
}

async function kv2Data(server: BaoServer, ns: string, path: string) {
  const reply = await baoClient(server)("GET", `kv2/data/${path}`, undefined, ns);
  return reply.status === 200 ? reply.body.data.data : reply.status;
}

async function kv1Data(server: BaoServer, ns: string, path: string) {
  const reply = await baoClient(server)("GET", `kv1/${path}`, undefined, ns);
  return reply.status === 200 ? reply.body.data : reply.status;
}

async function policy(server: BaoServer, ns: string, name: string) {
  const reply = await baoClient(server)("GET", `sys/policies/acl/${name}`, undefined, ns);
  return reply.status === 200 ? reply.body.data.policy : reply.status;
}

const isPass = (reason: string) => (r: LogRecord) =>
  r.msg === "reconcile pass finished" && r.reason === reason;
const problems = (c: CourierProcess) => c.logs().filter((r) => r.level === "warn" || r.level === "error");

describe.skipIf(!localBao)("namespaces on real OpenBao", () => {
  test("a write in a namespace the destinations lack makes the namespace there, with its metadata, and lands", async () => {
    const { auditUdpPort, source, destinations } = await startVaults(2);
    const c = startCourier(source, destinations, auditUdpPort);
    await c.waitFor(isPass("start-up"), "the start-up pass", 20_000);

    await makeNamespace(source, "team1/", { owner: "payments" });
    await makeNamespace(source, "team1/sub/", { tier: "gold" });
    await must(
      baoClient(source)("POST", "sys/mounts/kv2", { type: "kv", options: { version: "2" } }, "team1/sub/"),
    );
    await must(baoClient(source)("POST", "kv2/data/y", { data: { v: "1" } }, "team1/sub/"));

    await eventually(
      async () => {
        for (const d of destinations) expect(await kv2Data(d, "team1/sub/", "y")).toEqual({ v: "1" });
      },
      { timeoutMs: 15_000 },
    );
    for (const d of destinations) {
      const made = await baoClient(d)("LIST", "sys/namespaces");
      expect(made.body.data.key_info["team1/"].custom_metadata).toEqual({ owner: "payments" });
      const sub = await baoClient(d)("GET", "sys/namespaces/sub", undefined, "team1/");
      expect(sub.body.data.custom_metadata).toEqual({ tier: "gold" });
    }
    expect(problems(c)).toEqual([]);
  }, 40_000);
});
