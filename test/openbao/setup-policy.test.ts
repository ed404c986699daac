// `courier setup policy` on real OpenBao: the policies it prints, written into real servers as the
// only policy of Courier's tokens, let a sync replicate keys and policies of the root namespace and
// of child namespaces; under sync.map the destination policy grants the mapped paths, and the
// policy printed without the map is refused there.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { courier, freshStateDir } from "../support/courier-process.ts";
import { eventually } from "../support/eventually.ts";
import { type BaoServer, baoClient, localBao, mountKv2, must, startOpenBao } from "../support/openbao.ts";

const MAP = "--sync.map=secret/=mirror/,team1/=dr/team1/";
const reader = (n: string) => `path "kv/data/${n}" {\n  capabilities = ["read"]\n}\n`;

const servers: BaoServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.stop())));

let source: BaoServer;
/** Each test its own source (one deletes a namespace): keys and policies in the root, team1/ and team1/sub/. */
beforeEach(async () => {
  if (!localBao) return;
  source = await startOpenBao();
  servers.push(source);
  const bao = baoClient(source);
  await must(bao("POST", "secret/data/app", { data: { v: "root" } }));
  await must(bao("PUT", "sys/policies/acl/ops", { policy: reader("root") }));
  await must(bao("POST", "sys/namespaces/team1", { custom_metadata: { owner: "payments" } }));
  await must(bao("POST", "sys/namespaces/sub", {}, "team1/"));
  await mountKv2(source, "kv", "team1/");
  await must(bao("POST", "kv/data/app", { data: { v: "team1" } }, "team1/"));
  await must(bao("PUT", "sys/policies/acl/reader", { policy: reader("team1") }, "team1/"));
  await must(bao("POST", "sys/mounts/kv1", { type: "kv", options: { version: "1" } }, "team1/sub/"));
  await must(bao("PUT", "kv1/app", { v: "sub" }, "team1/sub/"));
  await must(bao("PUT", "sys/policies/acl/reader", { policy: reader("sub") }, "team1/sub/"));
});

function flagsFor(destination: BaoServer, tokens: { source?: string; destination?: string } = {}) {
  return [
    `--vault.source.address=${source.address}`,
    `--vault.source.token=${tokens.source ?? source.token}`,
    `--vault.destinations.addresses=${destination.address}`,
    `--vault.destinations.tokens=${tokens.destination ?? destination.token}`,
  ];
}

/** `courier setup policy --for <which>`, written into `server` as policy `name`; answers a token holding only it (and default). */
async function tokenWithPrinted(
  server: BaoServer,
  name: string,
  which: "source" | "destination",
  flags: string[],
): Promise<string> {
  const printed = await courier(["setup", "policy", `--for=${which}`, ...flags]);
  expect(printed.code).toBe(0);
  const bao = baoClient(server);
  await must(bao("PUT", `sys/policies/acl/${name}`, { policy: printed.stdout }));
  const made = await must(bao("POST", "auth/token/create", { policies: [name], ttl: "1h" }));
  return made.body.auth.client_token;
}

async function read(server: BaoServer, path: string, namespace?: string) {
  const reply = await baoClient(server)("GET", path, undefined, namespace);
  return reply.status === 200 ? reply.body.data : reply.status;
}

/** `courier diff`'s rows, briefly. */
async function drift(flags: string[]) {
  const diff = await courier(["diff", ...flags, "--format=json"]);
  expect(diff.code).toBe(1);
  const rows = JSON.parse(diff.stdout).drift as Record<string, string>[];
  return rows.map((r) => [r.status, r.kind, `${r.namespace}${r.path}`, r.owner]);
}

const warnings = (stderr: string) =>
  stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line))
    .filter((r) => r.level === "warn" || r.level === "error");

describe.skipIf(!localBao)("courier setup policy on real OpenBao", () => {
  test("tokens with only the printed source and destination policies sync the root and child namespaces end to end", async () => {
    const destination = await startOpenBao();
    servers.push(destination);
    const flags = flagsFor(destination);
    const sourceToken = await tokenWithPrinted(source, "courier-source", "source", flags);
    const destinationToken = await tokenWithPrinted(destination, "courier-destination", "destination", flags);
    const run = [
      ...flagsFor(destination, { source: sourceToken, destination: destinationToken }),
      `--state.dir=${freshStateDir()}`,
    ];

    const synced = await courier(["sync", ...run]);
    expect({ code: synced.code, stderr: synced.stderr }).toMatchObject({ code: 0 });
    expect((await read(destination, "secret/data/app")).data).toEqual({ v: "root" });
    expect((await read(destination, "sys/policies/acl/ops")).policy).toBe(reader("root"));
    expect((await read(destination, "kv/data/app", "team1/")).data).toEqual({ v: "team1" });
    expect((await read(destination, "sys/policies/acl/reader", "team1/")).policy).toBe(reader("team1"));
    expect(await read(destination, "kv1/app", "team1/sub/")).toEqual({ v: "sub" });
    expect((await read(destination, "sys/policies/acl/reader", "team1/sub/")).policy).toBe(reader("sub"));
    expect((await read(destination, "sys/namespaces/team1")).custom_metadata).toEqual({ owner: "payments" });
    expect(warnings(synced.stderr)).toEqual([]);

    // team1/sub/ deleted on the source: the same tokens may see all it holds on the destination
    // is Courier's, and delete it.
    await must(baoClient(source)("DELETE", "sys/namespaces/sub", undefined, "team1/"));
    await eventually(async () => expect(await read(source, "sys/namespaces/sub", "team1/")).toBe(404));
    const pruned = await courier(["sync", ...run]);
    expect({ code: pruned.code, warnings: warnings(pruned.stderr) }).toEqual({ code: 0, warnings: [] });
    await eventually(async () => expect(await read(destination, "sys/namespaces/sub", "team1/")).toBe(404));
    // In sync but for Courier's own policy, which only the destination has (another writer's).
    expect(await drift(run)).toEqual([["extra", "policy", "courier-destination", "foreign"]]);
  }, 60_000);

  test("under --sync.map the printed destination policy grants the mapped paths; the unmapped one is refused (403)", async () => {
    const destination = await startOpenBao();
    servers.push(destination);
    const flags = flagsFor(destination);
    const unmapped = await tokenWithPrinted(destination, "courier-unmapped", "destination", flags);
    const mapped = await tokenWithPrinted(destination, "courier-mapped", "destination", [...flags, MAP]);

    const refused = await courier(["sync", ...flagsFor(destination, { destination: unmapped }), MAP]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${destination.address} denied POST mirror/data/app`);
    expect(await read(destination, "mirror/data/app")).toBe(404);

    const run = [...flagsFor(destination, { destination: mapped }), MAP, `--state.dir=${freshStateDir()}`];
    const synced = await courier(["sync", ...run]);
    expect({ code: synced.code, stderr: synced.stderr }).toMatchObject({ code: 0 });
    expect((await read(destination, "mirror/data/app")).data).toEqual({ v: "root" });
    expect((await read(destination, "kv/data/app", "dr/team1/")).data).toEqual({ v: "team1" });
    expect((await read(destination, "sys/policies/acl/reader", "dr/team1/")).policy).toBe(reader("team1"));
    expect(await read(destination, "kv1/app", "dr/team1/sub/")).toEqual({ v: "sub" });
    expect((await read(destination, "sys/policies/acl/reader", "dr/team1/sub/")).policy).toBe(reader("sub"));
    expect((await read(destination, "sys/namespaces/team1", "dr/")).custom_metadata).toEqual({
      owner: "payments",
    });
    expect(warnings(synced.stderr)).toEqual([]);
    expect(await drift(run)).toEqual([
      ["extra", "policy", "courier-mapped", "foreign"],
      ["extra", "policy", "courier-unmapped", "foreign"],
    ]);
  }, 60_000);
});
