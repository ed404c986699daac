// Rule 5: only a clean 404 from the source means "absent". A source that answers 403, 500 or
// "sealed" when Courier reads a deleted key leaves the destinations alone; once it answers again,
// the delete goes through.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import { onEveryDestination, stillOnEveryDestination } from "./everywhere.ts";

const POLICY = 'path "secret/data/*" {\n  capabilities = ["read"]\n}\n';
/** What Courier's source token may do: everything it needs, except reading secret/…/denied/*. */
const LIMITED = `
path "sys/mounts" { capabilities = ["read"] }
path "sys/internal/ui/mounts/*" { capabilities = ["read"] }
path "sys/policies/acl/*" { capabilities = ["read"] }
path "secret/data/*" { capabilities = ["read"] }
path "secret/metadata/*" { capabilities = ["read", "list"] }
path "kv1/*" { capabilities = ["read"] }
path "secret/data/denied/*" { capabilities = ["deny"] }
path "secret/metadata/denied/*" { capabilities = ["deny"] }
`;

interface Case {
  what: string;
  status: number;
  errors: string[];
  /** The source path whose reads fail. */
  read: string;
  create(h: Harness): Promise<unknown>;
  remove(h: Harness): Promise<unknown>;
  present(d: Harness["destinations"][number]): Promise<boolean>;
  key: string;
}

const CASES: Case[] = [
  {
    what: "a KV v2 metadata delete, with the source answering 500",
    status: 500,
    errors: ["internal error"],
    read: "secret/metadata/flaky/a",
    create: (h) => h.source.must("POST", "secret/data/flaky/a", { data: { v: "1" } }),
    remove: (h) => h.source.must("DELETE", "secret/metadata/flaky/a"),
    present: async (d) => (await d.kv2Data("secret", "flaky/a")) !== null,
    key: "kv secret/flaky/a",
  },
  {
    what: "a KV v1 delete, with the source answering 503 sealed",
    status: 503,
    errors: ["Vault is sealed"],
    read: "kv1/flaky",
    create: (h) => h.source.must("PUT", "kv1/flaky", { v: "1" }),
    remove: (h) => h.source.must("DELETE", "kv1/flaky"),
    present: async (d) => (await d.kv1Data("kv1", "flaky")) !== null,
    key: "kv kv1/flaky",
  },
  {
    what: "a policy delete, with the source answering 403",
    status: 403,
    errors: ["permission denied"],
    read: "sys/policies/acl/flaky",
    create: (h) => h.source.must("PUT", "sys/policies/acl/flaky", { policy: POLICY }),
    remove: (h) => h.source.must("DELETE", "sys/policies/acl/flaky"),
    present: async (d) => (await d.policy("flaky")) !== null,
    key: "policy flaky",
  },
];

describe.each(["udp", "tcp"] as const)("a source that cannot be read, over %s", (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      transport,
      flags: ["--retry.initial=50ms", "--retry.max=200ms"],
      async prepare(source, destinations) {
        for (const vault of [source, ...destinations]) await vault.mount("kv1", "kv", { version: "1" });
      },
      async sourceToken(source) {
        await source.must("PUT", "sys/policies/acl/courier-limited", { policy: LIMITED });
        const token = await source.must("POST", "auth/token/create", { policies: ["courier-limited"] });
        return token.body.auth.client_token as string;
      },
    });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  test.each(CASES)("$what never deletes on the destinations, and deletes once it answers", async (c) => {
    await c.create(h);
    await onEveryDestination(h, async (d) => expect(await c.present(d)).toBe(true));
    await h.source.faults([
      { kind: "status", status: c.status, errors: c.errors, path: c.read, method: "GET" },
    ]);
    try {
      await c.remove(h);
      await h.courier.waitForLog("could not read the source; will retry", (r) => r.key === c.key, 4_000);
      // Retried every 50–200 ms meanwhile, always failing: the destinations keep the key.
      await stillOnEveryDestination(h, async (d) => expect(await c.present(d)).toBe(true));
    } finally {
      await h.source.clearFaults();
    }
    await onEveryDestination(h, async (d) => expect(await c.present(d)).toBe(false));
  });

  test("a token that may not read a key never leads to deleting it", async () => {
    // A copy made earlier (say, before the source token's policy was narrowed).
    for (const d of h.destinations) await d.must("POST", "secret/data/denied/a", { data: { v: "1" } });
    await h.source.must("POST", "secret/data/denied/a", { data: { v: "1" } });
    await h.source.must("DELETE", "secret/metadata/denied/a");
    const warning = await h.courier.waitForLog(
      "could not read the source; will retry",
      (r) => r.key === "kv secret/denied/a",
      4_000,
    );
    // The write's own sync reads data/ alone, the delete's reads metadata/: either names what is missing.
    expect(String(warning.error)).toMatch(/the token needs "read" on "secret\/(data|metadata)\/denied\/a"/);
    await stillOnEveryDestination(h, async (d) =>
      expect(await d.kv2Data("secret", "denied/a")).toEqual({ v: "1" }),
    );
  });
});
