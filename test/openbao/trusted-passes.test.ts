// On real OpenBao: a pass over KV v2 keys verified equal before reads only their metadata (the
// source's own file audit device shows no data read), while changes made by hand on either side
// still show in the metadata and are repaired; keys deleted on the source while nobody watched
// go from the destinations Courier wrote them to, and only from those.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { courier, freshStateDir } from "../support/courier-process.ts";
import { type BaoServer, baoClient, localBao, startOpenBao } from "../support/openbao.ts";

const KEYS = 8;
let servers: BaoServer[] = [];
let source: BaoServer;
let east: BaoServer;
let west: BaoServer;
let auditFile = "";
let flags: string[] = [];

beforeAll(async () => {
  if (!localBao) return;
  auditFile = join(mkdtempSync(join(tmpdir(), "courier-trusted-")), "audit.log");
  const fileDevice = `audit "file" "trail" {\n  options {\n    file_path = "${auditFile}"\n  }\n}`;
  servers = await Promise.all([startOpenBao({ config: fileDevice }), startOpenBao(), startOpenBao()]);
  [source, east, west] = servers as [BaoServer, BaoServer, BaoServer];
  for (let i = 0; i < KEYS; i++) {
    await baoClient(source)("POST", `secret/data/app/k${i}`, { data: { n: String(i) } });
  }
  flags = [
    `--vault.source.address=${source.address}`,
    `--vault.source.token=${source.token}`,
    `--vault.destinations.addresses=${east.address},${west.address}`,
    `--vault.destinations.tokens=${east.token},${west.token}`,
    `--state.dir=${freshStateDir()}`,
    "--sync.policies=false",
  ];
}, 60_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

/** Data reads the source's audit device recorded (request entries for secret/data/…). */
function sourceDataReads(): number {
  return readFileSync(auditFile, "utf8")
    .split("\n")
    .filter((line) => line.includes('"secret/data/'))
    .map((line) => JSON.parse(line))
    .filter((e) => e.type === "request" && e.request.operation === "read").length;
}
const data = async (server: BaoServer, path: string) => {
  const reply = await baoClient(server)("GET", `secret/data/${path}`);
  return reply.status === 200 ? reply.body.data.data : reply.status;
};

describe.skipIf(!localBao)("passes on real OpenBao that trust what was verified", () => {
  test("after a pass that found every key equal, the next reads no data on the source", async () => {
    expect((await courier(["sync", ...flags])).code).toBe(0);
    const first = sourceDataReads();
    // The pass that records what is equal still reads every key's data.
    expect((await courier(["sync", ...flags])).code).toBe(0);
    const before = sourceDataReads();
    expect(before - first).toBe(KEYS);
    expect((await courier(["sync", ...flags])).code).toBe(0);
    expect(sourceDataReads() - before).toBe(0);
  }, 60_000);

  test("changes by hand on a destination, and a delete on the source, are still found and mended", async () => {
    await baoClient(east)("POST", "secret/data/app/k1", { data: { n: "by hand" } });
    await baoClient(west)("DELETE", "secret/data/app/k2");
    await baoClient(east)("POST", "secret/data/app/theirs", { data: { n: "east's own" } });
    await baoClient(source)("DELETE", "secret/metadata/app/k3");
    const out = await courier(["sync", ...flags]);
    expect(out.code).toBe(0);
    expect(await data(east, "app/k1")).toEqual({ n: "1" });
    expect(await data(west, "app/k2")).toEqual({ n: "2" });
    for (const server of [east, west]) expect(await data(server, "app/k3")).toBe(404);
    expect(await data(east, "app/theirs")).toEqual({ n: "east's own" });
    const diff = await courier(["diff", ...flags, "--deep", "--format=json"]);
    const rows = JSON.parse(diff.stdout).drift as { path: string; status: string; owner: string }[];
    expect(rows.map((r) => `${r.status} ${r.path} ${r.owner}`)).toEqual(["extra app/theirs foreign"]);
  }, 60_000);
});
