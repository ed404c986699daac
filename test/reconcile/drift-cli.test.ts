// diff, sync and sync --dry-run as a user runs them: real processes against Vault doubles, with
// drift injected straight into a destination the way an operator (or a lost event) would leave it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { courier } from "../support/courier-process.ts";
import { mountKv, ok, startVault, type Vault } from "../sync/vault-fixture.ts";

let source: Vault;
let east: Vault;
let west: Vault;
let flags: string[];

const POLICY = 'path "secret/*" { capabilities = ["read"] }';

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVault(), startVault(), startVault()]);
  flags = [
    `--vault.source.address=${source.address}`,
    "--vault.source.token=root",
    `--vault.destinations.addresses=${east.address},${west.address}`,
    "--vault.destinations.tokens=root",
  ];
  await mountKv([source, east, west], "kv", 1);
  await ok(source.api("PUT", "kv/plain", { a: "plain-value" }));
  await ok(source.api("POST", "secret/data/app/db", { data: { pw: "db-password" } }));
  await ok(source.api("POST", "secret/data/app/api", { data: { key: "api-key" } }));
  await ok(source.api("POST", "secret/data/meta", { data: { m: "meta-value" } }));
  await ok(source.api("PUT", "sys/policies/acl/ops", { policy: POLICY }));
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
});

const diff = (...extra: string[]) => courier(["diff", ...flags, ...extra]);
const sync = (...extra: string[]) => courier(["sync", ...flags, ...extra]);
/** The rows of `diff --format json`, shortened to what a test compares. */
const rows = (stdout: string) =>
  (JSON.parse(stdout).drift as Record<string, unknown>[]).map((r) =>
    `${r.destination === east.address ? "east" : "west"} ${r.status} ${r.mount}${r.path} ${(r.what as string[]).join(",")}`.trim(),
  );
const line = (destination: Vault, action: string, kind: string, mount: string, path: string) =>
  JSON.stringify({ destination: destination.address, action, kind, namespace: "", mount, path });

describe("a first sync", () => {
  test("copies everything to destinations that hold nothing yet, and diff then says in sync", async () => {
    const before = await diff();
    expect(before.code).toBe(1);
    expect(JSON.parse(before.stdout).summary.destinations[east.address]).toEqual({
      missing: 5,
      extra: 0,
      differs: 0,
      errors: 0,
    });
    const synced = await sync();
    expect(synced.code).toBe(0);
    const after = await diff();
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toEqual({
      drift: [],
      summary: {
        in_sync: true,
        keys: 6,
        destinations: {
          [east.address]: { missing: 0, extra: 0, differs: 0, errors: 0 },
          [west.address]: { missing: 0, extra: 0, differs: 0, errors: 0 },
        },
      },
    });
  });
});

describe("drift injected into a destination", () => {
  beforeAll(async () => {
    await ok(east.api("POST", "secret/data/app/db", { data: { pw: "tampered" } })); // changed value
    await ok(east.api("POST", "secret/data/stray", { data: { s: "stray-value" } })); // extra key
    await ok(east.api("DELETE", "kv/plain")); // missing key
    await ok(east.api("POST", "secret/metadata/meta", { max_versions: 3 })); // changed setting
    await ok(east.api("DELETE", "secret/data/app/api")); // deleted version
    await ok(east.api("PUT", "sys/policies/acl/ops", { policy: 'path "*" { capabilities = ["sudo"] }' }));
  });

  const expectedDrift = [
    "east differs sys/policies/acl/ops policy",
    "east missing kv/plain",
    "east differs secret/app/api deleted",
    "east differs secret/app/db data",
    "east differs secret/meta max_versions",
    "east extra secret/stray",
  ];

  test("diff reports each difference, names what differs, and exits 1", async () => {
    const out = await diff("--format", "json");
    expect(out.code).toBe(1);
    expect(rows(out.stdout)).toEqual(expectedDrift);
    expect(JSON.parse(out.stdout).summary.destinations).toEqual({
      [east.address]: { missing: 1, extra: 1, differs: 4, errors: 0 },
      [west.address]: { missing: 0, extra: 0, differs: 0, errors: 0 },
    });
  });

  test("diff prints a table when asked, and never a secret value", async () => {
    const out = await diff("--format=table");
    expect(out.code).toBe(1);
    const pad = " ".repeat(east.address.length - "DESTINATION".length);
    expect(out.stdout.split("\n")).toEqual([
      `DESTINATION${pad}  STATUS   KEY`,
      `${east.address}  differs  policy ops  (policy)`,
      `${east.address}  missing  kv kv/plain`,
      `${east.address}  differs  kv secret/app/api  (deleted)`,
      `${east.address}  differs  kv secret/app/db  (data)`,
      `${east.address}  differs  kv secret/meta  (max_versions)`,
      `${east.address}  extra    kv secret/stray  (foreign)`,
      "",
      `${east.address}: 1 missing, 1 extra, 4 different`,
      `${west.address}: in sync`,
      "7 keys compared: drift found",
      "",
    ]);
    for (const value of ["tampered", "db-password", "api-key", "plain-value", "stray-value", "sudo"]) {
      expect(out.stdout + out.stderr).not.toContain(value);
    }
  });

  test("sync --dry-run prints exactly the changes a sync would make, one JSON line each, and changes nothing", async () => {
    const out = await sync("--dry-run");
    expect(out.code).toBe(1);
    expect(out.stdout.split("\n")).toEqual([
      line(east, "write", "policy", "sys/policies/acl/", "ops"),
      line(east, "write", "kv", "kv/", "plain"),
      line(east, "undelete", "kv", "secret/", "app/api"),
      line(east, "write", "kv", "secret/", "app/db"),
      line(east, "write-metadata", "kv", "secret/", "meta"),
      "",
    ]);
    // Logs stay on stderr as JSON lines; stdout holds only the changes.
    expect(out.stderr).toContain('"msg":"dry run finished: nothing was changed"');
    expect(rows((await diff()).stdout)).toEqual(expectedDrift);
    expect((await east.api("GET", "secret/data/app/db")).body.data.data).toEqual({ pw: "tampered" });
  });

  test("sync --dry-run --sync.prune also plans deleting the key only the destination has", async () => {
    const out = await sync("--dry-run", "--sync.prune");
    expect(out.code).toBe(1);
    expect(out.stdout.trim().split("\n").at(-1)).toBe(line(east, "delete", "kv", "secret/", "stray"));
    expect((await east.api("GET", "secret/metadata/stray")).status).toBe(200);
  });

  test("sync fixes every difference but the extra key, which only pruning removes", async () => {
    const out = await sync();
    expect(out.code).toBe(0);
    const after = await diff();
    expect(after.code).toBe(1);
    expect(rows(after.stdout)).toEqual(["east extra secret/stray"]);
    expect((await east.api("GET", "secret/data/app/db")).body.data.data).toEqual({ pw: "db-password" });
    expect((await east.api("GET", "secret/metadata/meta")).body.data.max_versions).toBe(0);
    expect((await east.api("GET", "sys/policies/acl/ops")).body.data.policy).toBe(POLICY);
  });

  test("sync --sync.prune deletes it, and diff then exits 0", async () => {
    expect((await sync("--sync.prune")).code).toBe(0);
    expect((await east.api("GET", "secret/metadata/stray")).status).toBe(404);
    const after = await diff();
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout).drift).toEqual([]);
  });
});

describe("when it cannot tell", () => {
  test("diff exits 2 and names the destination it could not read", async () => {
    const closed = await closedAddress();
    const out = await courier([
      "diff",
      `--vault.source.address=${source.address}`,
      "--vault.source.token=root",
      `--vault.destinations.addresses=${closed}`,
      "--vault.destinations.tokens=root",
    ]);
    expect(out.code).toBe(2);
    const report = JSON.parse(out.stdout);
    expect(report.summary.in_sync).toBe(false);
    expect(report.drift.every((r: { status: string }) => r.status === "error")).toBe(true);
    expect(report.drift[0].error).toContain(closed);
  });

  test("diff exits 2 when the source cannot be walked", async () => {
    const out = await courier([
      "diff",
      `--vault.source.address=${await closedAddress()}`,
      "--vault.source.token=root",
      `--vault.destinations.addresses=${east.address}`,
      "--vault.destinations.tokens=root",
    ]);
    expect(out.code).toBe(2);
    expect(JSON.parse(out.stdout).summary.failure).toStartWith("cannot walk the source: ");
    expect(out.stderr).toContain("courier: cannot walk the source: ");
  });

  test("a sync whose source cannot be walked says so and exits non-zero", async () => {
    const out = await courier([
      "sync",
      `--vault.source.address=${await closedAddress()}`,
      "--vault.source.token=root",
      `--vault.destinations.addresses=${east.address}`,
      "--vault.destinations.tokens=root",
    ]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain("courier: cannot walk the source: ");
  });
});

/** An address nothing listens on: a port that was just free. */
async function closedAddress(): Promise<string> {
  const socket = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = socket;
  socket.stop(true);
  return `http://127.0.0.1:${port}`;
}
