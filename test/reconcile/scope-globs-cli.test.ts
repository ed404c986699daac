// sync.include / sync.exclude as an operator writes them: globs over "<mount><path>", the way
// Courier names keys in its logs. A glob that can match nothing in the mounts in scope is a
// mistake that would otherwise replicate nothing (or exclude nothing) without a word: every
// command that reads the scope refuses it at start-up, naming the glob and the mounts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { courier, spawnCourier } from "../support/courier-process.ts";
import { mountKv, ok, startVault, type Vault } from "../sync/vault-fixture.ts";

let source: Vault;
let destination: Vault;
let flags: string[];

beforeAll(async () => {
  [source, destination] = await Promise.all([startVault(), startVault()]);
  flags = [
    `--vault.source.address=${source.address}`,
    "--vault.source.token=root",
    `--vault.destinations.addresses=${destination.address}`,
    "--vault.destinations.tokens=root",
  ];
  await mountKv([source], "kv", 1);
  await ok(source.api("POST", "secret/data/gone/x", { data: { v: "gone-x" } }));
  await ok(source.api("POST", "secret/data/app/db", { data: { v: "app-db" } }));
  await ok(source.api("PUT", "kv/app/a", { v: "kv-app-a" }));
  await ok(source.api("PUT", "kv/other", { v: "kv-other" }));
});
afterAll(async () => {
  await Promise.all([source, destination].map((v) => v?.stop()));
});

const sync = (...extra: string[]) => courier(["sync", ...flags, ...extra]);
const kv2 = async (mount: string, path: string) =>
  (await destination.api("GET", `${mount}/data/${path}`)).body?.data?.data ?? null;
const kv1 = async (mount: string, path: string) =>
  (await destination.api("GET", `${mount}/${path}`)).body?.data ?? null;

describe("a glob that can match no mount in scope", () => {
  test("stops sync with exit 2, naming the glob, the mounts in scope and the glob meant; nothing is copied", async () => {
    const out = await sync("--sync.include=gone/**");
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(
      'courier: sync.include "gone/**" can match no key in the KV mounts in scope (kv/, secret/)',
    );
    expect(out.stderr).toContain('did you mean "kv/gone/**" or "secret/gone/**"?');
    expect(await kv2("secret", "gone/x")).toBeNull();
  });

  test("stops diff, replay and run the same way", async () => {
    const expected = 'sync.include "gone/**" can match no key';
    const diff = await courier(["diff", ...flags, "--sync.include=gone/**"]);
    expect([diff.code, diff.stderr]).toEqual([2, expect.stringContaining(expected)]);
    const replay = await courier(["replay", "--dry-run", "-", ...flags, "--sync.include=gone/**"], {}, "");
    expect([replay.code, replay.stderr]).toEqual([2, expect.stringContaining(expected)]);

    const run = spawnCourier([...flags, "--vault.audit-address=udp://127.0.0.1:0", "--sync.include=gone/**"]);
    const exited = await Promise.race([run.child.exited, Bun.sleep(15_000).then(() => "still running")]);
    if (exited === "still running") await run.stop();
    expect([exited, run.stderr()]).toEqual([2, expect.stringContaining(expected)]);
  });

  test("names a mount left out by sync.mounts as out of scope", async () => {
    const out = await sync("--sync.mounts=kv/", "--sync.include=secret/gone/**");
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(
      'sync.include "secret/gone/**" can match no key in the KV mounts in scope (kv/)',
    );
  });

  test("refuses a glob that can only name a folder: keys never end in /", async () => {
    const out = await sync("--sync.include=secret/gone/");
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('did you mean "secret/gone/**"?');
  });

  test("refuses an exclude that can exclude nothing, rather than replicate what it meant to keep out", async () => {
    const out = await sync("--sync.exclude=app/**");
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('sync.exclude "app/**" can match no key in the KV mounts in scope');
    expect(await kv2("secret", "app/db")).toBeNull();
  });
});

describe("the documented form, <mount><path>", () => {
  test("secret/gone/** copies secret/gone/x and nothing else, and exits 0", async () => {
    const out = await sync("--sync.include=secret/gone/**");
    expect([out.code, out.stderr]).toEqual([0, expect.any(String)]);
    expect(await kv2("secret", "gone/x")).toEqual({ v: "gone-x" });
    expect(await kv2("secret", "app/db")).toBeNull();
    expect(await kv1("kv", "app/a")).toBeNull();
  });

  test("*/app/** takes one folder from every mount, and an exclude of a policy is accepted", async () => {
    const out = await sync("--sync.include=*/app/**", "--sync.exclude=sys/policies/acl/default");
    expect(out.code).toBe(0);
    expect(await kv2("secret", "app/db")).toEqual({ v: "app-db" });
    expect(await kv1("kv", "app/a")).toEqual({ v: "kv-app-a" });
    expect(await kv1("kv", "other")).toBeNull();
  });
});
