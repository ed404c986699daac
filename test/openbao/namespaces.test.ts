// Namespaces on real OpenBao: a source with team1/, team1/sub/ and team2/, each holding a KV v2
// mount, a KV v1 mount and a policy, replicated into destinations that have none of them.
import { afterEach, describe, expect, test } from "bun:test";
import type { CourierProcess, LogRecord } from "../support/courier-process.ts";
import { courier, spawnCourier } from "../support/courier-process.ts";
import { eventually } from "../support/eventually.ts";
import { type BaoServer, baoClient, freeUdpPort, localBao, must, startOpenBao } from "../support/openbao.ts";

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

/** A first write to a new KV v2 mount: it answers "Upgrading" for a moment, longer on a busy host. */
async function firstWrite(write: () => Promise<{ status: number; body: unknown }>) {
  for (let i = 0; i < 50; i++) {
    const reply = await write();
    if (reply.status !== 400 || !JSON.stringify(reply.body).includes("Upgrading"))
      return must(Promise.resolve(reply));
    await Bun.sleep(100);
  }
  throw new Error("the new KV v2 mount kept upgrading for 5 s");
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
  await firstWrite(() => bao("POST", "kv2/data/app", { data: { v: `${ns}0` } }, ns));
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
    await firstWrite(() => baoClient(source)("POST", "kv2/data/y", { data: { v: "1" } }, "team1/sub/"));

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

  test("Courier with defaults replicates every namespace, before and after it starts; diff sees drift in one, sync repairs it", async () => {
    const { auditUdpPort, source, destinations } = await startVaults(2);
    for (const ns of NAMESPACES) await makeNamespace(source, ns, { team: ns });
    for (const ns of NAMESPACES) await fillNamespace(source, ns);
    const c = startCourier(source, destinations, auditUdpPort);
    const pass = await c.waitFor(isPass("start-up"), "the start-up pass", 30_000);
    expect(pass.unresolved).toBe(0);
    for (const d of destinations) {
      for (const ns of NAMESPACES) {
        expect(await kv2Data(d, ns, "app")).toEqual({ v: `${ns}0` });
        expect(await kv1Data(d, ns, "app")).toEqual({ v: `${ns}0` });
        expect(await policy(d, ns, "reader")).toBe(policyText(ns, 0));
      }
    }

    // Every later create, update, delete and policy change, in each namespace.
    const bao = baoClient(source);
    const changed = Date.now();
    for (const ns of NAMESPACES) {
      await must(bao("POST", "kv2/data/new", { data: { v: "new" } }, ns));
      await must(bao("POST", "kv2/data/app", { data: { v: `${ns}1` } }, ns));
      await must(bao("PUT", "kv1/new", { v: "new" }, ns));
      await must(bao("DELETE", "kv1/app", undefined, ns));
      await must(bao("PUT", "sys/policies/acl/reader", { policy: policyText(ns, 1) }, ns));
      await must(bao("PUT", "sys/policies/acl/writer", { policy: policyText(ns, 2) }, ns));
    }
    await eventually(
      async () => {
        for (const d of destinations) {
          for (const ns of NAMESPACES) {
            expect(await kv2Data(d, ns, "new")).toEqual({ v: "new" });
            expect(await kv2Data(d, ns, "app")).toEqual({ v: `${ns}1` });
            expect(await kv1Data(d, ns, "new")).toEqual({ v: "new" });
            expect(await kv1Data(d, ns, "app")).toBe(404);
            expect(await policy(d, ns, "reader")).toBe(policyText(ns, 1));
            expect(await policy(d, ns, "writer")).toBe(policyText(ns, 2));
          }
        }
      },
      { timeoutMs: 15_000 },
    );
    console.log(`6 changes in each of 3 namespaces on 2 destinations within ${Date.now() - changed} ms`);
    for (const ns of NAMESPACES) await must(bao("DELETE", "kv2/metadata/new", undefined, ns));
    await eventually(async () => {
      for (const d of destinations)
        for (const ns of NAMESPACES) expect(await kv2Data(d, ns, "new")).toBe(404);
    });
    expect(problems(c)).toEqual([]);
    await running?.stop();
    running = undefined;

    // A value changed by hand deep in a namespace on one destination.
    await must(baoClient(destinations[0]!)("POST", "kv2/data/app", { data: { v: "by hand" } }, "team1/sub/"));
    const drift = await courier(["diff", ...vaultFlags(source, destinations), "--format=json"]);
    expect(drift.code).toBe(1);
    const rows = JSON.parse(drift.stdout).drift as Record<string, unknown>[];
    expect(rows.map((r) => [r.destination, r.status, `${r.namespace}${r.mount}${r.path}`])).toEqual([
      [destinations[0]!.address, "differs", "team1/sub/kv2/app"],
    ]);
    const repaired = await courier(["sync", ...vaultFlags(source, destinations)]);
    expect(repaired.code).toBe(0);
    expect(await kv2Data(destinations[0]!, "team1/sub/", "app")).toEqual({ v: "team1/sub/1" });
    const clean = await courier(["diff", ...vaultFlags(source, destinations)]);
    expect(clean.code).toBe(0);
  }, 90_000);

  test("--sync.namespaces 'team1/**' replicates team1/ and team1/sub/, and leaves team2/ alone", async () => {
    const { auditUdpPort, source, destinations } = await startVaults(1);
    const [destination] = destinations as [BaoServer];
    for (const ns of NAMESPACES) await makeNamespace(source, ns);
    for (const ns of NAMESPACES) await fillNamespace(source, ns);
    const c = startCourier(source, destinations, auditUdpPort, ["--sync.namespaces=team1/**"]);
    await c.waitFor(isPass("start-up"), "the start-up pass", 30_000);
    for (const ns of NAMESPACES)
      await must(baoClient(source)("POST", "kv2/data/later", { data: { v: ns } }, ns));
    await eventually(async () => {
      for (const ns of ["team1/", "team1/sub/"]) {
        expect(await kv2Data(destination, ns, "app")).toEqual({ v: `${ns}0` });
        expect(await kv2Data(destination, ns, "later")).toEqual({ v: ns });
        expect(await policy(destination, ns, "reader")).toBe(policyText(ns, 0));
      }
    });
    // The write in team2/ was seen and left alone; so was everything in it at start-up.
    await c.waitForLog("serving /healthz, /readyz and /metrics");
    expect((await baoClient(destination)("GET", "sys/namespaces/team2")).status).toBe(404);
    const diff = await courier(["diff", ...vaultFlags(source, destinations), "--sync.namespaces=team1/**"]);
    expect({ code: diff.code, stdout: diff.stdout }).toMatchObject({ code: 0 });
    expect(problems(c)).toEqual([]);
  }, 60_000);

  test("--sync.map moves secret/ to mirror/ and team1/ to dr/team1/ on destinations; diff shows both paths", async () => {
    const { auditUdpPort, source, destinations } = await startVaults(2);
    const bao = baoClient(source);
    for (const ns of ["team1/", "team1/sub/"]) await makeNamespace(source, ns, { team: ns });
    for (const ns of ["team1/", "team1/sub/"]) await fillNamespace(source, ns);
    await must(bao("POST", "secret/data/app", { data: { v: "root" } }));
    const map = "--sync.map=secret/=mirror/,team1/=dr/team1/";
    const c = startCourier(source, destinations, auditUdpPort, [map]);
    await c.waitFor(isPass("start-up"), "the start-up pass", 30_000);
    await must(bao("POST", "secret/data/live", { data: { v: "live" } }));
    await must(bao("POST", "kv2/data/live", { data: { v: "live" } }, "team1/sub/"));
    await eventually(async () => {
      for (const d of destinations) {
        expect(await baoClient(d)("GET", "mirror/data/live").then((r) => r.body?.data?.data)).toEqual({
          v: "live",
        });
        expect(await kv2Data(d, "dr/team1/sub/", "live")).toEqual({ v: "live" });
      }
    });
    for (const d of destinations) {
      const dest = baoClient(d);
      expect((await dest("GET", "mirror/data/app")).body.data.data).toEqual({ v: "root" });
      expect((await dest("GET", "secret/data/app")).status).toBe(404);
      for (const ns of ["team1/", "team1/sub/"]) {
        expect(await kv2Data(d, `dr/${ns}`, "app")).toEqual({ v: `${ns}0` });
        expect(await kv1Data(d, `dr/${ns}`, "app")).toEqual({ v: `${ns}0` });
        expect(await policy(d, `dr/${ns}`, "reader")).toBe(policyText(ns, 0));
      }
      expect((await dest("GET", "sys/namespaces/team1")).status).toBe(404);
      expect((await dest("GET", "sys/namespaces/team1", undefined, "dr/")).body.data.custom_metadata).toEqual(
        {
          team: "team1/",
        },
      );
    }
    expect(problems(c)).toEqual([]);
    await running?.stop();
    running = undefined;

    const flags = [...vaultFlags(source, destinations), map];
    expect((await courier(["diff", ...flags])).code).toBe(0);
    await must(baoClient(destinations[1]!)("POST", "mirror/data/app", { data: { v: "by hand" } }));
    const drift = await courier(["diff", ...flags, "--format=table"]);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain(
      `${destinations[1]!.address}  differs  kv secret/app → mirror/app  (data)`,
    );
    expect((await courier(["sync", ...flags])).code).toBe(0);
    expect((await courier(["diff", ...flags])).code).toBe(0);
  }, 90_000);
});
