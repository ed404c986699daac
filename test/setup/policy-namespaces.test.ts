// `courier setup policy` for a source with namespaces below the token's: the policies name each
// namespace in scope by its path, as a policy in a parent namespace grants paths in a child one,
// and a token with exactly the printed source policy can read what a pass reads there.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { printPolicies } from "../../src/setup/run.ts";
import { captured, configFrom, startTestVault, type TestVault, vaultFlags } from "./helpers.ts";

let source: TestVault;
let destination: TestVault;
let plain: TestVault;

const ok = async (reply: Promise<{ status: number; body: unknown }>) => {
  const { status, body } = await reply;
  if (status >= 300) throw new Error(`${status} ${JSON.stringify(body)}`);
};

beforeAll(async () => {
  [source, destination, plain] = await Promise.all([startTestVault(), startTestVault(), startTestVault()]);
  await ok(source.api("POST", "sys/namespaces/team1", { custom_metadata: { owner: "payments" } }));
  await ok(source.api("POST", "team1/sys/namespaces/sub", {}));
  await ok(source.api("POST", "sys/namespaces/team2", {}));
  await ok(source.api("POST", "team1/sys/mounts/secret", { type: "kv", options: { version: "2" } }));
  await ok(source.api("POST", "team1/sys/mounts/kv1", { type: "kv", options: { version: "1" } }));
  await ok(source.api("POST", "team1/sub/sys/mounts/kv", { type: "kv", options: { version: "2" } }));
  await ok(source.api("POST", "team2/sys/mounts/kv", { type: "kv", options: { version: "2" } }));
  await ok(source.api("POST", "team1/sub/kv/data/app", { data: { v: "1" } }));
  await ok(source.api("POST", "team1/kv1/app", { v: "1" }));
});
afterAll(async () => {
  await Promise.all([source, destination, plain].map((v) => v?.double.stop()));
});

async function policy(vault: TestVault, only: "source" | "destination", flags: string[] = []) {
  const config = await configFrom([...vaultFlags(vault, destination), ...flags]);
  const out = captured();
  expect(await printPolicies(config, { only, force: false }, out.output)).toBe(0);
  return out.out();
}

const block = (path: string, capabilities: string[]) =>
  `path "${path}" {\n  capabilities = [${capabilities.map((c) => `"${c}"`).join(", ")}]\n}`;

describe("courier setup policy with namespaces on the source", () => {
  test("the source policy lists the namespaces and reads each one's mounts, under its path", async () => {
    const text = await policy(source, "source");
    expect(text).toContain(block("sys/namespaces", ["list"]));
    expect(text).toContain(block("sys/namespaces/*", ["read"]));
    expect(text).toContain(block("team1/sys/namespaces", ["list"]));
    expect(text).toContain(block("team1/sys/mounts", ["read"]));
    expect(text).toContain(block("team1/secret/data/*", ["read"]));
    expect(text).toContain(block("team1/kv1/*", ["read", "list"]));
    expect(text).toContain(block("team1/sub/kv/metadata/*", ["read", "list"]));
    expect(text).toContain(block("team1/sub/sys/policies/acl/*", ["read", "list"]));
    expect(text).toContain(block("team2/kv/data/*", ["read"]));
  });

  test("a token with exactly the printed source policy lists and reads inside the namespaces", async () => {
    const token = await source.tokenWith((await policy(source, "source")).replace(/^#.*$/gm, ""));
    expect((await source.api("GET", "sys/namespaces?list=true", undefined, token)).status).toBe(200);
    expect((await source.api("GET", "team1/sys/namespaces?list=true", undefined, token)).status).toBe(200);
    expect(
      (await source.api("GET", "sys/namespaces/team1", undefined, token)).body.data.custom_metadata,
    ).toEqual({
      owner: "payments",
    });
    expect((await source.api("GET", "team1/sub/kv/data/app", undefined, token)).body.data.data).toEqual({
      v: "1",
    });
    expect((await source.api("GET", "team1/kv1/app", undefined, token)).body.data).toEqual({ v: "1" });
    expect((await source.api("GET", "team1/sub/sys/mounts", undefined, token)).status).toBe(200);
    const withoutNamespaces = await source.tokenWith((await policy(plain, "source")).replace(/^#.*$/gm, ""));
    expect((await source.api("GET", "team1/sub/kv/data/app", undefined, withoutNamespaces)).status).toBe(403);
  });

  test("the destination policy makes the namespaces, and writes each one's mounts and policies", async () => {
    const text = await policy(source, "destination");
    // delete and list: sync.prune (managed by default) deletes namespaces the source no longer has.
    expect(text).toContain(block("sys/namespaces/*", ["create", "read", "update", "delete"]));
    expect(text).toContain(block("sys/namespaces", ["list"]));
    expect(text).toContain(block("team1/sys/namespaces/*", ["create", "read", "update", "delete"]));
    expect(text).toContain(block("team1/sub/kv/destroy/*", ["update"]));
    expect(text).toContain(block("team1/sub/sys/mounts/*", ["update"]));
    const kept = await policy(source, "destination", ["--sync.create_mounts=false", "--sync.prune=off"]);
    expect(kept).toContain(block("team1/sys/namespaces/*", ["read"]));
    expect(kept).not.toContain('"sys/namespaces"');
  });

  test("under sync.map the destination policy names the mapped paths and each namespace level they need", async () => {
    const text = await policy(source, "destination", ["--sync.map=secret/=mirror/,team1/=dr/team1/"]);
    expect(text).toContain(block("mirror/data/*", ["create", "read", "update", "delete"]));
    expect(text).toContain(block("dr/sys/namespaces/*", ["create", "read", "update", "delete"]));
    expect(text).toContain(block("dr/team1/sub/kv/destroy/*", ["update"]));
    expect(text).toContain(block("dr/team1/sys/policies/acl/*", ["read", "update", "delete", "list"]));
    expect(text).toContain(block("team2/kv/data/*", ["create", "read", "update", "delete"]));
    // Nothing lands at the source's paths, and no policies land in dr/ itself.
    expect(text).not.toContain('"secret/');
    expect(text).not.toContain('"team1/');
    expect(text).not.toContain('"dr/sys/policies');
  });

  test("a destination with a map of its own gets a policy of its own, at its mapped paths", async () => {
    const dir = mkdtempSync(join(tmpdir(), "courier-policy-"));
    const file = join(dir, "courier.yaml");
    writeFileSync(
      file,
      [
        "vault:",
        "  destinations:",
        "    list:",
        `      - address: ${destination.address}`,
        `        token: ${destination.double.rootToken}`,
        "      - address: http://127.0.0.1:1/",
        "        token: elsewhere",
        '        map: ["team1/=dr/team1/"]',
        "",
      ].join("\n"),
    );
    const config = await configFrom([
      `--config=${file}`,
      `--vault.source.address=${source.address}`,
      `--vault.source.token=${source.double.rootToken}`,
      "--sync.map=secret/=mirror/",
    ]);
    const out = captured();
    expect(await printPolicies(config, { only: "destination", force: false }, out.output)).toBe(0);
    const [shared = "", own = ""] = out.out().split(/\n(?=# courier-destination)/);
    expect(shared).toStartWith(`# courier-destination: Courier's token on ${destination.address}\n`);
    expect(shared).toContain(block("mirror/data/*", ["create", "read", "update", "delete"]));
    expect(shared).toContain(block("team1/sub/kv/destroy/*", ["update"]));
    expect(shared).not.toContain('"dr/');
    expect(own).toStartWith(
      "# courier-destination-1: Courier's token on http://127.0.0.1:1, which has a sync map of its own\n",
    );
    // Its own map replaces sync.map there: secret/ stays secret/, team1/ goes to dr/team1/.
    expect(own).toContain(block("secret/data/*", ["create", "read", "update", "delete"]));
    expect(own).toContain(block("dr/team1/sub/kv/destroy/*", ["update"]));
    expect(own).toContain(block("dr/sys/namespaces/*", ["create", "read", "update", "delete"]));
    expect(own).not.toContain('"mirror/');
    expect(own).not.toContain('"team1/');
  });

  test("sync.namespaces narrows them: team2/ out of scope is not named", async () => {
    const text = await policy(source, "source", ["--sync.namespaces=team1/**"]);
    expect(text).toContain("team1/sub/kv/data/*");
    expect(text).not.toContain("team2/");
  });

  test("a source without namespaces gets the policy it got before, no namespace line", async () => {
    const text = await policy(plain, "source");
    expect(text).not.toContain("namespaces");
    expect(text).toBe(
      [
        "# courier-source: Courier's token on the source Vault\n",
        `# the mount table: which mounts are KV, and their version\n${block("sys/mounts", ["read"])}\n`,
        `# read secrets of secret/\n${block("secret/data/*", ["read"])}\n`,
        `# read versions and settings, and walk secret/\n${block("secret/metadata/*", ["read", "list"])}\n`,
        `# read and list ACL policies\n${block("sys/policies/acl/*", ["read", "list"])}\n`,
      ].join("\n"),
    );
  });
});
