// Tokens on a clock the test moves: TTLs, expiry, renewal, periodic tokens, use counts and
// revocation of a token's children.
import { describe, expect, test } from "bun:test";
import { DoubleHttpError } from "../errors.ts";
import type { TokenEntry } from "../types.ts";
import { TokenStore } from "./token-store.ts";

const ROOT_NS = { id: "root", path: "" };

function setup() {
  let now = Date.parse("2025-01-01T00:00:00Z");
  const store = new TokenStore({ rootTokenId: "root", now: () => now });
  const root = store.lookup("root") as TokenEntry;
  return {
    store,
    root,
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
  };
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DoubleHttpError && err.status === 400) return err.message;
    throw err;
  }
  throw new Error("expected a 400");
}

describe("the dev root token", () => {
  test("never expires, has policy root and is not renewable", () => {
    const { store, root, advance } = setup();
    expect(root.policies).toEqual(["root"]);
    expect(root.ttl).toBe(0);
    advance(10 * 365 * 86400);
    expect(store.lookup("root")?.id).toBe("root");
    expect(refusal(() => store.renew("root"))).toBe("lease is not renewable");
  });
});

describe("creating tokens", () => {
  test.each([
    ["no ttl takes the 32-day default", {}, 2_764_800],
    ["ttl as a duration string", { ttl: "1h" }, 3600],
    ["ttl in seconds", { ttl: 90 }, 90],
    ["explicit_max_ttl caps the ttl", { ttl: "2h", explicit_max_ttl: "30m" }, 1800],
    ["a period sets the ttl", { period: "10m" }, 600],
    ["ttl beyond the 32-day max is capped", { ttl: "1000h" }, 2_764_800],
  ])("%s", (_name, params, ttl) => {
    const { store, root } = setup();
    const t = store.create(root, { policies: ["app"], ...params }, ROOT_NS);
    expect(t.ttl).toBe(ttl);
    expect(t.renewable).toBe(true);
  });

  test.each([
    ["policies are lower-cased, sorted and get default", { policies: ["B", "a"] }, ["a", "b", "default"]],
    ["no_default_policy leaves default out", { policies: ["a"], no_default_policy: true }, ["a"]],
    ["no policies inherit the parent's", {}, ["root"]],
    ["a comma-separated string works too", { policies: "x,y" }, ["default", "x", "y"]],
  ])("%s", (_name, params, policies) => {
    const { store, root } = setup();
    expect(store.create(root, params, ROOT_NS).policies).toEqual(policies);
  });

  test("a child of a non-root token may only hold a subset of its policies, and keeps default", () => {
    const { store, root } = setup();
    const parent = store.create(root, { policies: ["a", "b"] }, ROOT_NS);
    expect(store.create(parent, { policies: ["a"] }, ROOT_NS, { sudo: false }).policies).toEqual([
      "a",
      "default",
    ]);
    expect(refusal(() => store.create(parent, { policies: ["c"] }, ROOT_NS, { sudo: false }))).toBe(
      "child policies must be subset of parent",
    );
  });

  test("display names, metadata, num_uses and custom ids come out as Vault shapes them", () => {
    const { store, root } = setup();
    const t = store.create(
      root,
      { display_name: "ci job_1", meta: { team: "x" }, num_uses: 3, id: "my-token" },
      ROOT_NS,
    );
    expect(t.displayName).toBe("token-ci-job-1");
    expect(t.meta).toEqual({ team: "x" });
    expect(t.numUses).toBe(3);
    expect(t.id).toBe("my-token");
    expect(t.accessor).toMatch(/^[0-9A-Za-z]{24}$/);
  });

  test("generated ids look like Vault's service and batch tokens", () => {
    const { store, root } = setup();
    expect(store.create(root, {}, ROOT_NS).id).toMatch(/^hvs\.[0-9A-Za-z]{24}$/);
    expect(store.create(root, { type: "batch", policies: ["a"] }, ROOT_NS).id).toMatch(/^hvb\./);
    expect(store.create(root, {}, { id: "Ab12c", path: "team-a/" }).id).toMatch(/\.Ab12c$/);
  });

  test.each([
    [{ type: "weird" }, "invalid 'token_type' value"],
    [{ num_uses: -1 }, "number of uses cannot be negative"],
    [{ ttl: "soon" }, 'time: invalid duration "soon"'],
    [{ ttl: "-5s" }, "ttl must be positive"],
  ])("%j is refused: %s", (params, message) => {
    const { store, root } = setup();
    expect(refusal(() => store.create(root, params, ROOT_NS))).toBe(message);
  });

  test("without sudo: no orphans, no periodic tokens, no custom ids; a use-limited token creates nothing", () => {
    const { store, root } = setup();
    const plain = store.create(root, { policies: ["a"] }, ROOT_NS);
    expect(refusal(() => store.create(plain, { no_parent: true }, ROOT_NS, { sudo: false }))).toBe(
      "root or sudo privileges required to create orphan token",
    );
    expect(refusal(() => store.create(plain, { period: "1h" }, ROOT_NS, { sudo: false }))).toBe(
      "root or sudo privileges required to create periodic token",
    );
    expect(refusal(() => store.create(plain, { id: "x" }, ROOT_NS, { sudo: false }))).toBe(
      "root or sudo privileges required to specify token id",
    );
    const limited = store.create(root, { num_uses: 2 }, ROOT_NS);
    expect(refusal(() => store.create(limited, {}, ROOT_NS))).toBe(
      "restricted use token cannot generate child tokens",
    );
  });
});

describe("expiry and renewal", () => {
  test("a token is gone once its ttl has passed", () => {
    const { store, root, advance } = setup();
    const t = store.create(root, { ttl: "60s" }, ROOT_NS);
    advance(59);
    expect(store.lookup(t.id)).toBeDefined();
    advance(1);
    expect(store.lookup(t.id)).toBeUndefined();
    expect(store.byAccessor(t.accessor)).toBeUndefined();
  });

  test("renewing restarts the ttl from now; an increment asks for another length", () => {
    const { store, root, advance } = setup();
    const t = store.create(root, { ttl: "60s" }, ROOT_NS);
    advance(50);
    const renewed = store.renewDetailed(t.id, 0);
    expect(renewed.ttl).toBe(60);
    advance(50);
    expect(store.lookup(t.id)).toBeDefined();
    expect(store.renewDetailed(t.id, 30).ttl).toBe(30);
  });

  test("renewal never goes past explicit_max_ttl, then fails", () => {
    const { store, root, advance } = setup();
    const t = store.create(root, { ttl: "60s", explicit_max_ttl: "100s" }, ROOT_NS);
    advance(50);
    const capped = store.renewDetailed(t.id, 0);
    expect(capped.ttl).toBe(50);
    expect(capped.warnings[0]).toBe(
      'TTL of "1m" exceeded the effective max_ttl of "50s"; TTL value is capped accordingly',
    );
    advance(50);
    expect(refusal(() => store.renew(t.id))).toBe("token not found");
  });

  test("a periodic token lives as long as it is renewed within each period", () => {
    const { store, root, advance } = setup();
    const t = store.create(root, { period: "60s" }, ROOT_NS);
    for (let i = 0; i < 5; i++) {
      advance(45);
      expect(store.renewDetailed(t.id, 0).ttl).toBe(60);
    }
    advance(61);
    expect(store.lookup(t.id)).toBeUndefined();
  });

  test("renewable=false and batch tokens cannot be renewed", () => {
    const { store, root } = setup();
    const fixed = store.create(root, { renewable: false }, ROOT_NS);
    const batch = store.create(root, { type: "batch", policies: ["a"] }, ROOT_NS);
    expect(refusal(() => store.renew(fixed.id))).toBe("lease is not renewable");
    expect(refusal(() => store.renew(batch.id))).toBe("batch tokens cannot be renewed");
  });
});

describe("uses and revocation", () => {
  test("a token with num_uses serves that many requests, the last one included", () => {
    const { store, root } = setup();
    const t = store.create(root, { num_uses: 2 }, ROOT_NS);
    expect(store.use(t.id)?.numUses).toBe(1);
    store.settle(t.id);
    expect(store.use(t.id)?.numUses).toBe(-1);
    store.settle(t.id);
    expect(store.use(t.id)).toBeUndefined();
    expect(store.lookupTainted(t.id)).toBeUndefined();
  });

  test("on its last use a token is pending revocation until the request settles, as in Vault", () => {
    const { store, root } = setup();
    const t = store.create(root, { num_uses: 1, ttl: "1h" }, ROOT_NS);
    store.use(t.id);
    expect(store.lookup(t.id)).toBeUndefined();
    expect(store.lookupTainted(t.id)?.numUses).toBe(-1);
    expect(store.use(t.id)).toBeUndefined();
    expect(refusal(() => store.renew(t.id))).toBe("token not found");
    store.settle(t.id);
    expect(store.lookupTainted(t.id)).toBeUndefined();
  });

  test("settling a request revokes nothing while uses remain, nor an unlimited token", () => {
    const { store, root } = setup();
    const limited = store.create(root, { num_uses: 3 }, ROOT_NS);
    const unlimited = store.create(root, {}, ROOT_NS);
    for (const t of [limited, unlimited]) {
      store.use(t.id);
      store.settle(t.id);
    }
    expect(store.lookup(limited.id)?.numUses).toBe(2);
    expect(store.lookup(unlimited.id)?.numUses).toBe(0);
  });

  test("revoking a token revokes its children, not orphans", () => {
    const { store, root } = setup();
    const parent = store.create(root, { policies: ["a"] }, ROOT_NS);
    const child = store.create(parent, { policies: ["a"] }, ROOT_NS);
    const orphan = store.create(parent, { policies: ["a"] }, ROOT_NS, { orphan: true });
    store.revoke(parent.id);
    expect(store.lookup(child.id)).toBeUndefined();
    expect(store.lookup(orphan.id)?.orphan).toBe(true);
  });

  test("revoke-orphan keeps the children alive as orphans", () => {
    const { store, root } = setup();
    const parent = store.create(root, { policies: ["a"] }, ROOT_NS);
    const child = store.create(parent, { policies: ["a"] }, ROOT_NS);
    store.revokeOrphan(parent.id);
    expect(store.lookup(parent.id)).toBeUndefined();
    expect(store.lookup(child.id)?.orphan).toBe(true);
  });
});
