// setup's preflight on real OpenBao with namespaces below the source token's: it checks the rights
// inside each namespace in scope (sys/capabilities-self, under each namespace's path) and names
// every one a token lacks, as it does for the root.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { courier } from "../support/courier-process.ts";
import { type BaoServer, baoClient, localBao, mountKv2, must, startOpenBao } from "../support/openbao.ts";

let source: BaoServer;
let destination: BaoServer;
let printed: string;

beforeAll(async () => {
  if (!localBao) return;
  [source, destination] = await Promise.all([startOpenBao(), startOpenBao()]);
  const bao = baoClient(source);
  await must(bao("POST", "sys/namespaces/team1", {}));
  await must(bao("POST", "sys/namespaces/sub", {}, "team1/"));
  await mountKv2(source, "kv", "team1/");
  await must(
    bao("PUT", "sys/policies/acl/reader", { policy: 'path "kv/*" { capabilities = ["read"] }' }, "team1/"),
  );
  await must(bao("POST", "sys/mounts/kv1", { type: "kv", options: { version: "1" } }, "team1/sub/"));
  const policy = await courier(["setup", "policy", "--for=source", ...flags(source.token)]);
  expect(policy.code).toBe(0);
  printed = policy.stdout;
});
afterAll(() => Promise.all([source, destination].map((s) => s?.stop())));

function flags(sourceToken: string) {
  return [
    `--vault.source.address=${source.address}`,
    `--vault.source.token=${sourceToken}`,
    `--vault.destinations.addresses=${destination.address}`,
    `--vault.destinations.tokens=${destination.token}`,
    // Courier would tail a file device: setup enables nothing, so only Courier's own rights are checked.
    "--vault.audit_address=file:///var/log/openbao/audit.log",
  ];
}

/** The printed policy without the blocks whose path `drop` picks. */
function without(drop: (path: string) => boolean): string {
  return printed
    .split("\n\n")
    .filter((block) => {
      const path = /path "([^"]+)"/.exec(block)?.[1];
      return path === undefined || !drop(path);
    })
    .join("\n\n");
}

async function tokenWith(policy: string): Promise<string> {
  const bao = baoClient(source);
  const name = `p${crypto.randomUUID().slice(0, 8)}`;
  await must(bao("PUT", `sys/policies/acl/${name}`, { policy }));
  return (await must(bao("POST", "auth/token/create", { policies: [name], ttl: "1h" }))).body.auth
    .client_token;
}

/** courier's own lines on stderr, without the "courier: " in front. */
const lines = (stderr: string) =>
  stderr
    .split("\n")
    .filter((line) => line.startsWith("courier: "))
    .map((line) => line.slice("courier: ".length));

describe.skipIf(!localBao)("setup's preflight with source namespaces, on real OpenBao", () => {
  test("a token with exactly the printed source policy passes, namespaces checked", async () => {
    expect(printed).toContain('path "team1/sub/kv1/*"');
    const setup = await courier(["setup", ...flags(await tokenWith(printed))]);
    expect({ code: setup.code, stderr: setup.stderr }).toEqual({ code: 0, stderr: "" });
    expect(setup.stdout).toContain(
      "preflight: every Vault answers and every token has the rights Courier needs",
    );
  });

  test("a token without the lines of team1/: each right it lacks there is one line naming the namespace and path", async () => {
    const setup = await courier([
      "setup",
      ...flags(await tokenWith(without((path) => path.startsWith("team1/")))),
    ]);
    expect(setup.code).toBe(7);
    const at = `source ${source.address} lacks`;
    const inside = "(inside namespace team1/)";
    expect(lines(setup.stderr)).toEqual([
      `${at} "read" on team1/sys/mounts ${inside}: path "team1/sys/mounts" { capabilities = ["read"] }`,
      `${at} "read" on team1/sys/policies/acl/* ${inside}: path "team1/sys/policies/acl/*" { capabilities = ["read"] }`,
      `${at} "list" on team1/sys/policies/acl/* ${inside}: path "team1/sys/policies/acl/*" { capabilities = ["list"] }`,
      `${at} "list" on team1/sys/namespaces ${inside}: path "team1/sys/namespaces" { capabilities = ["list"] }`,
      `${at} "read" on team1/sys/namespaces/* ${inside}: path "team1/sys/namespaces/*" { capabilities = ["read"] }`,
      "setup stopped after the preflight (5 problems); `courier setup policy` prints the policies Courier's tokens need",
    ]);
  });

  test("a token without the KV lines of team1/sub/: the mount it cannot read there is named", async () => {
    const setup = await courier([
      "setup",
      ...flags(await tokenWith(without((path) => path.startsWith("team1/sub/kv1/")))),
    ]);
    expect(setup.code).toBe(7);
    const at = `source ${source.address} lacks`;
    expect(lines(setup.stderr)).toEqual([
      `${at} "read" on team1/sub/kv1/* (inside namespace team1/sub/): path "team1/sub/kv1/*" { capabilities = ["read"] }`,
      `${at} "list" on team1/sub/kv1/* (inside namespace team1/sub/): path "team1/sub/kv1/*" { capabilities = ["list"] }`,
      "setup stopped after the preflight (2 problems); `courier setup policy` prints the policies Courier's tokens need",
    ]);
  });

  test("a token that cannot list namespaces at all: the preflight says none below is found, and stops for nothing else", async () => {
    const setup = await courier([
      "setup",
      ...flags(
        await tokenWith(without((path) => path.startsWith("team1/") || path.startsWith("sys/namespaces"))),
      ),
    ]);
    expect({ code: setup.code, stderr: setup.stderr }).toEqual({ code: 0, stderr: "" });
    expect(setup.stdout).toContain(
      `source ${source.address} lacks "list" on sys/namespaces: path "sys/namespaces" { capabilities = ["list"] }; without it no namespace below is found, checked or replicated`,
    );
  });
});
