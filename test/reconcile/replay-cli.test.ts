// courier replay against the audit lines real Vault servers wrote (test/fixtures), with a
// source double whose mounts match the server that wrote most of them (Vault ≈1.4, 2020): kv/ is
// KV v1, kv-v2/ is KV v2, transit/, pki/, pki_int/ and totp/ are other engines.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { courier, ROOT } from "../support/courier-process.ts";
import { ok, startVault, type Vault } from "../sync/vault-fixture.ts";

const REAL = join(ROOT, "test", "fixtures", "vault-audit", "real");
const FILES = readdirSync(REAL)
  .filter((file) => file.endsWith(".jsonl"))
  .sort();

let source: Vault;
let destination: Vault;
let dir: string;

beforeAll(async () => {
  [source, destination] = await Promise.all([startVault(), startVault()]);
  dir = mkdtempSync(join(tmpdir(), "courier-replay-"));
  // That server had no secret/ (a dev server's default): without it, secret/ paths name no mount.
  await ok(source.api("DELETE", "sys/mounts/secret"));
  await ok(source.api("POST", "sys/mounts/kv", { type: "kv", options: { version: "1" } }));
  await ok(source.api("POST", "sys/mounts/kv-v2", { type: "kv", options: { version: "2" } }));
  for (const engine of ["transit", "pki", "pki_int", "totp"]) {
    await ok(source.api("POST", `sys/mounts/${engine}`, { type: engine.replace("_int", "") }));
  }
});
afterAll(async () => {
  await Promise.all([source, destination].map((v) => v?.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const sourceFlags = () => [`--vault.source.address=${source.address}`, "--vault.source.token=root"];

/** courier replay with `input` on stdin. */
const replayStdin = (input: string, ...args: string[]) =>
  courier(["replay", "-", ...sourceFlags(), ...args], {}, input);

const kv = (mount: string, path: string) => JSON.stringify({ kind: "kv", namespace: "", mount, path });
const policy = (name: string) =>
  JSON.stringify({ kind: "policy", namespace: "", mount: "sys/policies/acl/", path: name });
const fixture = (file: string) => readFileSync(join(REAL, file), "utf8");
/** The JSON log lines on stderr. */
const records = (stderr: string) =>
  stderr
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
/** The "replay read its input" log line's counts. */
const counts = (stderr: string) => {
  const record = records(stderr).find((r) => r.msg === "replay read its input");
  const { lines, blank, broken, ignored, keys } = record;
  return { lines, blank, broken, ignored, keys };
};

describe("replay --dry-run on the real lines", () => {
  // Worked out by reading each file: only a response entry without an error, for a write, in a
  // KV mount or sys/policies/acl, names a key.
  const expected: Record<string, string[]> = {
    "elastic-kmip-response-other-type.jsonl": [], // an entry type Courier ignores
    "elastic-kv2-data-read.jsonl": [], // a read changes nothing (and secret/ is no mount here)
    "elastic-permission-denied-pki-update.jsonl": [], // refused: both entries carry an error
    "vg-kv1-create.jsonl": [kv("kv/", "lab/user7-my-secret-3")],
    "vg-kv1-delete.jsonl": [kv("kv/", "event/event-1")],
    "vg-kv1-update.jsonl": [kv("kv/", "lab/user7-my-secret-3")],
    "vg-kv2-data-create.jsonl": [kv("kv-v2/", "lab-admin-1")],
    "vg-kv2-data-update.jsonl": [kv("kv-v2/", "lab/user7-my-secret-3")],
    "vg-kv2-metadata-list.jsonl": [], // a LIST
    "vg-permission-denied-sys-mounts-read.jsonl": [], // refused, and a read
    "vg-policies-acl-update.jsonl": [policy("admins")],
    "vg-sys-mounts-enable-kv.jsonl": [], // a mount change: no key
  };

  test("the fixtures hold exactly the files worked out here", () => {
    expect(FILES).toEqual(Object.keys(expected).sort());
  });

  test.each(Object.entries(expected))("%s → %p", async (file, keys) => {
    const out = await replayStdin(fixture(file), "--dry-run");
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(keys.map((k) => `${k}\n`).join(""));
  });

  test("every real line at once: each distinct key once, in order of first appearance", async () => {
    const out = await replayStdin(FILES.map(fixture).join(""), "--dry-run");
    expect(out.code).toBe(0);
    expect(out.stdout.split("\n")).toEqual([
      kv("kv/", "lab/user7-my-secret-3"),
      kv("kv/", "event/event-1"),
      kv("kv-v2/", "lab-admin-1"),
      kv("kv-v2/", "lab/user7-my-secret-3"),
      policy("admins"),
      "",
    ]);
    expect(counts(out.stderr)).toEqual({ lines: 23, blank: 0, broken: 0, ignored: 17, keys: 5 });
  });

  test("a prefix is stripped; blank and broken lines are counted on stderr and skipped", async () => {
    const [request, response] = fixture("vg-kv2-data-create.jsonl").trim().split("\n");
    const input = [
      "",
      `vault-audit:${request}`,
      "{ this is not JSON",
      "",
      `vault-audit:${response}`,
      `${response!.slice(0, 200)}`,
      '{"type":"response"}',
      "",
    ].join("\n");
    const out = await replayStdin(input, "--dry-run", "--audit.prefix=vault-audit:");
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`${kv("kv-v2/", "lab-admin-1")}\n`);
    expect(counts(out.stderr)).toEqual({ lines: 5, blank: 2, broken: 3, ignored: 1, keys: 1 });
    expect(out.stderr).toContain('"msg":"some lines are not audit entries and were skipped","broken":3');
  });
});

describe("replay FILE", () => {
  test("syncs every key the file names to the destinations, and exits 0", async () => {
    await ok(source.api("PUT", "kv/lab/user7-my-secret-3", { pw: "one" }));
    await ok(source.api("POST", "kv-v2/data/lab-admin-1", { data: { pw: "two" } }));
    await ok(source.api("POST", "kv-v2/data/lab/user7-my-secret-3", { data: { pw: "three" } }));
    await ok(
      source.api("PUT", "sys/policies/acl/admins", { policy: 'path "*" { capabilities = ["read"] }' }),
    );
    const file = join(dir, "audit.log");
    writeFileSync(file, FILES.map(fixture).join(""));
    const out = await courier([
      "replay",
      file,
      ...sourceFlags(),
      `--vault.destinations.addresses=${destination.address}`,
      "--vault.destinations.tokens=root",
      "--log.level=debug",
    ]);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe("");
    const synced = records(out.stderr)
      .filter((r) => r.msg === "synced")
      .map((r) => r.key);
    expect(synced).toEqual([
      "kv kv/lab/user7-my-secret-3",
      "kv kv-v2/lab-admin-1",
      "kv kv-v2/lab/user7-my-secret-3",
      "policy admins",
    ]);
    expect((await destination.api("GET", "kv/lab/user7-my-secret-3")).body.data).toEqual({ pw: "one" });
    expect((await destination.api("GET", "kv-v2/data/lab-admin-1")).body.data.data).toEqual({ pw: "two" });
    expect((await destination.api("GET", "kv-v2/data/lab/user7-my-secret-3")).body.data.data).toEqual({
      pw: "three",
    });
    expect((await destination.api("GET", "sys/policies/acl/admins")).body.data.policy).toContain("read");
    // event-1 was deleted on the source: there is nothing to copy, and nothing was made for it.
    expect((await destination.api("GET", "kv/event/event-1")).status).toBe(404);
  });

  test("names a file that does not exist", async () => {
    const out = await courier(["replay", join(dir, "missing.log"), ...sourceFlags(), "--dry-run"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(`courier: cannot read ${join(dir, "missing.log")}: no such file\n`);
  });

  test("asks for the file when none is given", async () => {
    const out = await courier(["replay", ...sourceFlags(), "--dry-run"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      "courier: replay needs the audit log to read: courier replay FILE (- for stdin)\n",
    );
  });
});
