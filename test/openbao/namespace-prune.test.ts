// A namespace deleted on the source while Courier is stopped, on real OpenBao: at restart it goes
// from a destination where everything in it is Courier's, and stays (reported by diff) where
// someone else wrote into it; --sync.prune=all takes it there too.
import { afterEach, describe, expect, test } from "bun:test";
import { courier, freshStateDir, type LogRecord } from "../support/courier-process.ts";
import { eventually } from "../support/eventually.ts";
import { type BaoServer, baoClient, localBao, mountKv2, must, startOpenBao } from "../support/openbao.ts";
import { type BaoHarness, startBaoHarness } from "../support/openbao-harness.ts";

let harness: BaoHarness | undefined;
let servers: BaoServer[] = [];
afterEach(async () => {
  await harness?.stop();
  await Promise.all(servers.map((s) => s.stop()));
  harness = undefined;
  servers = [];
});

/** In `ns`: a KV v2 mount kv2/ with two keys, and a policy. */
async function fillTeam(server: BaoServer, ns: string) {
  const bao = baoClient(server);
  await must(bao("POST", `sys/namespaces/${ns.slice(0, -1)}`, {}));
  await mountKv2(server, "kv2", ns);
  await must(bao("POST", "kv2/data/app", { data: { v: ns } }, ns));
  await must(bao("POST", "kv2/data/deep/db", { data: { v: ns } }, ns));
  await must(
    bao("PUT", "sys/policies/acl/reader", { policy: 'path "kv2/*" { capabilities = ["read"] }' }, ns),
  );
}

async function namespaces(server: BaoServer): Promise<string[]> {
  const reply = await baoClient(server)("LIST", "sys/namespaces");
  if (reply.status === 404) return []; // none left
  // Anything else is no answer: a wait for "none" must not pass on a 500 or a 503.
  if (reply.status !== 200)
    throw new Error(`LIST sys/namespaces: ${reply.status} ${JSON.stringify(reply.body)}`);
  // OpenBao lists namespaces in no fixed order.
  return [...reply.body.data.keys].sort();
}

const problems = (logs: LogRecord[]) => logs.filter((r) => r.level === "warn" || r.level === "error");

describe.skipIf(!localBao)("a namespace the source deleted, on real OpenBao", () => {
  test("goes where only Courier's data is in it, stays where a foreign key is (diff shows both owners), and goes with --sync.prune=all", async () => {
    harness = await startBaoHarness({
      prepare: async (_, { source }) => {
        await fillTeam(source, "team1/");
        await fillTeam(source, "team9/");
      },
    });
    const [d0, d1] = harness.servers.destinations as [BaoServer, BaoServer];
    for (const d of [d0, d1]) {
      expect(await namespaces(d)).toEqual(["team1/", "team9/"]);
      expect((await baoClient(d)("GET", "kv2/data/deep/db", undefined, "team9/")).body.data.data).toEqual({
        v: "team9/",
      });
    }

    await harness.restart(async () => {
      await must(baoClient(harness!.servers.source)("DELETE", "sys/namespaces/team9"));
      await eventually(async () => expect(await namespaces(harness!.servers.source)).toEqual(["team1/"]));
      await must(baoClient(d1)("POST", "kv2/data/by-hand", { data: { v: "not Courier's" } }, "team9/"));
      // diff, before any pass: team9/ is extra on both, Courier's on one, not on the other.
      const diff = await courier(["diff", ...harness!.flags, "--format=json"]);
      expect(diff.code).toBe(1);
      const rows = (JSON.parse(diff.stdout).drift as Record<string, unknown>[]).filter(
        (r) => r.kind === "namespace",
      );
      expect(rows).toEqual([
        expect.objectContaining({
          destination: d0.address,
          status: "extra",
          namespace: "team9/",
          owner: "managed",
        }),
        expect.objectContaining({
          destination: d1.address,
          status: "extra",
          namespace: "team9/",
          owner: "foreign",
        }),
      ]);
    });

    // The start-up pass of the restarted Courier (defaults: sync.prune=managed) has ended.
    await eventually(async () => expect(await namespaces(d0)).toEqual(["team1/"]));
    expect(await namespaces(d1)).toEqual(["team1/", "team9/"]);
    expect((await baoClient(d1)("GET", "kv2/data/by-hand", undefined, "team9/")).body.data.data).toEqual({
      v: "not Courier's",
    });
    expect((await baoClient(d1)("GET", "kv2/data/app", undefined, "team1/")).body.data.data).toEqual({
      v: "team1/",
    });
    const kept = harness.courier
      .logs()
      .find((r) => r.msg.startsWith("a namespace the source no longer has stays"));
    expect(kept).toMatchObject({ level: "info", destination: d1.address, namespace: "team9/" });
    expect(problems(harness.courier.logs())).toEqual([]);

    const table = await courier(["diff", ...harness.flags, "--format=table"]);
    expect(table.code).toBe(1);
    expect(table.stdout).toContain(`${d1.address}  extra    namespace team9/  (foreign)`);
    expect(table.stdout).not.toContain(`${d0.address}  extra`);

    await harness.restart(undefined, ["--sync.prune=all"]);
    await eventually(async () => expect(await namespaces(d1)).toEqual(["team1/"]));
    expect(await namespaces(d0)).toEqual(["team1/"]);
    expect((await courier(["diff", ...harness.flags])).code).toBe(0);
  }, 120_000);

  test("courier sync deletes it too (--dry-run only names it), and a namespace with a child goes children first", async () => {
    servers = await Promise.all([startOpenBao(), startOpenBao()]);
    const [source, destination] = servers as [BaoServer, BaoServer];
    await fillTeam(source, "team9/");
    await must(baoClient(source)("POST", "sys/namespaces/sub", {}, "team9/"));
    await mountKv2(source, "kv2", "team9/sub/");
    await must(baoClient(source)("POST", "kv2/data/x", { data: { v: "sub" } }, "team9/sub/"));
    const flags = [
      `--vault.source.address=${source.address}`,
      `--vault.source.token=${source.token}`,
      `--vault.destinations.addresses=${destination.address}`,
      `--vault.destinations.tokens=${destination.token}`,
      `--state.dir=${freshStateDir()}`,
    ];
    // Each run's stderr goes with its exit code, so a failure says why Courier failed.
    const first = await courier(["sync", ...flags]);
    expect({ code: first.code, stderr: first.stderr }).toMatchObject({ code: 0 });
    expect(
      (await baoClient(destination)("GET", "kv2/data/x", undefined, "team9/sub/")).body.data.data,
    ).toEqual({
      v: "sub",
    });

    await must(baoClient(source)("DELETE", "sys/namespaces/sub", undefined, "team9/"));
    await eventually(async () =>
      expect((await baoClient(source)("DELETE", "sys/namespaces/team9")).status).toBe(200),
    );
    await eventually(async () => expect(await namespaces(source)).toEqual([]));
    const planned = await courier(["sync", ...flags, "--dry-run"]);
    // A dry run that finds changes exits 1.
    expect({ code: planned.code, stderr: planned.stderr }).toMatchObject({ code: 1 });
    expect(
      planned.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line)),
    ).toEqual([{ destination: destination.address, action: "delete-namespace", namespace: "team9/" }]);
    expect(await namespaces(destination)).toEqual(["team9/"]);
    const synced = await courier(["sync", ...flags]);
    expect({ code: synced.code, stderr: synced.stderr }).toMatchObject({ code: 0 });
    await eventually(async () => expect(await namespaces(destination)).toEqual([]));
    expect((await courier(["diff", ...flags])).code).toBe(0);
  }, 60_000);

  test("a destination's own namespace stays, quietly, when the source token may not read sys/namespaces", async () => {
    servers = await Promise.all([startOpenBao(), startOpenBao()]);
    const [source, destination] = servers as [BaoServer, BaoServer];
    await must(baoClient(source)("POST", "secret/data/app", { data: { v: "1" } }));
    await fillTeam(destination, "other/");
    const rootOnly =
      'path "sys/mounts" { capabilities = ["read"] }\npath "secret/*" { capabilities = ["read", "list"] }\npath "sys/policies/acl/*" { capabilities = ["read", "list"] }\n';
    await must(baoClient(source)("PUT", "sys/policies/acl/root-only", { policy: rootOnly }));
    const token = (await must(baoClient(source)("POST", "auth/token/create", { policies: ["root-only"] })))
      .body.auth.client_token;
    const flags = [
      `--vault.source.address=${source.address}`,
      `--vault.source.token=${token}`,
      `--vault.destinations.addresses=${destination.address}`,
      `--vault.destinations.tokens=${destination.token}`,
      `--state.dir=${freshStateDir()}`,
      "--sync.policies=false",
      "--sync.prune=all",
    ];
    const synced = await courier(["sync", ...flags]);
    const warned = synced.stderr.split("\n").filter((line) => /"level":"(warn|error)"/.test(line));
    expect({ code: synced.code, warned }).toEqual({ code: 0, warned: [] });
    expect(await namespaces(destination)).toEqual(["other/"]);
    expect((await courier(["diff", ...flags])).code).toBe(0);
  }, 60_000);
});
