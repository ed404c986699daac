import { describe, expect, test } from "bun:test";
import { DedupRing, type MountRef, type OfferResult, type Priority } from "../../src/dispatch/ring.ts";
import { mountId, type SyncKey } from "../../src/sync-key.ts";

const kv = (path: string, mount = "secret/", namespace = ""): SyncKey => ({
  kind: "kv",
  namespace,
  mount,
  path,
});

/** Takes until empty, as "path" strings. */
function takeAll(ring: DedupRing): string[] {
  const out: string[] = [];
  for (let t = ring.take(); t; t = ring.take()) out.push(t.key.path);
  return out;
}

describe("offering", () => {
  // Each row: offers made in order (path:priority), what each offer answered, the order keys come out.
  test.each<[string, string[], OfferResult[], string[]]>([
    ["one key", ["a:live"], ["queued"], ["a"]],
    ["the same key twice", ["a:live", "a:live"], ["queued", "coalesced"], ["a"]],
    [
      "oldest first within a priority",
      ["b:live", "a:live", "c:live"],
      ["queued", "queued", "queued"],
      ["b", "a", "c"],
    ],
    ["live before reconcile", ["r:reconcile", "l:live"], ["queued", "queued"], ["l", "r"]],
    [
      "a reconcile key offered live is promoted",
      ["r1:reconcile", "r2:reconcile", "l:live", "r2:live"],
      ["queued", "queued", "queued", "coalesced"],
      ["l", "r2", "r1"],
    ],
    [
      "a live key offered by a pass stays live",
      ["a:live", "b:live", "a:reconcile"],
      ["queued", "queued", "coalesced"],
      ["a", "b"],
    ],
  ])("%s", (_name, offers, answers, order) => {
    const ring = new DedupRing({ capacity: 10 });
    const got = offers.map((o) => {
      const [path, priority] = o.split(":") as [string, Priority];
      return ring.offer(kv(path), priority);
    });
    expect(got).toEqual(answers);
    expect(takeAll(ring)).toEqual(order);
  });

  test("a promoted key that ran and is offered by a pass again waits behind older pass keys", () => {
    const ring = new DedupRing({ capacity: 10 });
    ring.offer(kv("x"), "reconcile");
    ring.offer(kv("r1"), "reconcile");
    ring.offer(kv("x"), "live");
    const x = ring.take()!;
    expect(x.key.path).toBe("x");
    ring.finish(x.id);
    ring.offer(kv("r2"), "reconcile");
    ring.offer(kv("x"), "reconcile");
    expect(takeAll(ring)).toEqual(["r1", "r2", "x"]);
  });

  test("keys differing only in kind, namespace or mount are different keys", () => {
    const ring = new DedupRing({ capacity: 10 });
    const keys: SyncKey[] = [
      kv("a"),
      kv("a", "other/"),
      kv("a", "secret/", "team/"),
      { ...kv("a"), kind: "policy" },
    ];
    expect(keys.map((k) => ring.offer(k, "live"))).toEqual(["queued", "queued", "queued", "queued"]);
    expect(ring.size).toBe(4);
  });

  test("hands back the very key it was given, even one whose path holds a NUL", () => {
    const ring = new DedupRing({ capacity: 10 });
    const odd = kv("we\u0000ird", "m\u0000/", "ns/");
    const plain = {
      kind: "policy",
      namespace: "team-a/",
      mount: "sys/policies/acl/",
      path: "admins",
    } as const;
    ring.offer(odd, "live");
    ring.offer(plain, "live");
    expect(ring.take()?.key).toEqual(odd);
    expect(ring.take()?.key).toEqual(plain);
  });
});

describe("single flight", () => {
  test("a key taken is in flight: a second take gives nothing until it is offered again", () => {
    const ring = new DedupRing({ capacity: 10 });
    ring.offer(kv("a"), "live");
    expect(ring.take()?.key.path).toBe("a");
    expect(ring.take()).toBeUndefined();
    expect(ring.status(kv("a"))).toBe("in-flight");
  });

  test("a hint mid-flight marks the key dirty and it runs once more after finishing", () => {
    const ring = new DedupRing({ capacity: 10 });
    ring.offer(kv("a"), "live");
    ring.take();
    expect(ring.offer(kv("a"), "live")).toBe("dirty");
    expect(ring.take()).toBeUndefined();
    expect(ring.finish(kv("a"))).toBe(true);
    expect(ring.take()?.key.path).toBe("a");
    expect(ring.finish(kv("a"))).toBe(false);
    expect(ring.take()).toBeUndefined();
    expect(ring.status(kv("a"))).toBe("idle");
  });

  test("a hot key offered 10,000 times while one run is in flight runs exactly twice", () => {
    const ring = new DedupRing({ capacity: 10 });
    ring.offer(kv("hot"), "live");
    let runs = 0;
    let taken = ring.take();
    for (let i = 0; i < 10_000; i++) ring.offer(kv("hot"), "live");
    while (taken) {
      runs++;
      ring.finish(taken.id);
      taken = ring.take();
    }
    expect(runs).toBe(2);
  });

  test("a dirty key comes back at the highest priority it was hinted with", () => {
    const ring = new DedupRing({ capacity: 10 });
    ring.offer(kv("a"), "reconcile");
    ring.offer(kv("r"), "reconcile");
    const a = ring.take()!;
    expect(a.priority).toBe("reconcile");
    ring.offer(kv("a"), "reconcile");
    ring.offer(kv("a"), "live");
    ring.offer(kv("a"), "reconcile");
    ring.finish(a.id);
    expect(ring.take()).toMatchObject({ key: kv("a"), priority: "live" });
  });

  test("finishing a key that is not in flight is a bug and says so", () => {
    const ring = new DedupRing({ capacity: 10 });
    expect(() => ring.finish(kv("never"))).toThrow("not in flight");
  });
});

describe("bounds", () => {
  test("a full ring answers overflow, counts it, and marks the key's mount for a pass once", () => {
    const marks: [MountRef, string][] = [];
    const ring = new DedupRing({ capacity: 2, onMountMarked: (m, why) => marks.push([m, why]) });
    expect(ring.offer(kv("a"), "live")).toBe("queued");
    expect(ring.offer(kv("b"), "live")).toBe("queued");
    expect(ring.offer(kv("c", "team-secrets/", "team/"), "live")).toBe("overflow");
    expect(ring.offer(kv("d", "team-secrets/", "team/"), "live")).toBe("overflow");
    expect(ring.offer(kv("a"), "live")).toBe("coalesced");
    expect(ring.stats().overflow).toBe(2);
    const mount: MountRef = { kind: "kv", namespace: "team/", mount: "team-secrets/" };
    expect(marks).toEqual([[mount, "overflow"]]);
    expect(ring.takeOverflowedMounts()).toEqual([mount]);
    expect(ring.takeOverflowedMounts()).toEqual([]);
    expect(ring.stats().overflow).toBe(2);
  });

  test("a pass may not take the slots kept for live hints", () => {
    const ring = new DedupRing({ capacity: 10, liveReserve: 3 });
    const answers = Array.from({ length: 8 }, (_, i) => ring.offer(kv(`r${i}`), "reconcile"));
    expect(answers.filter((a) => a === "queued")).toHaveLength(7);
    expect(answers[7]).toBe("overflow");
    expect(ring.room("reconcile")).toBe(0);
    expect(ring.room("live")).toBe(3);
    expect(["l1", "l2", "l3", "l4"].map((p) => ring.offer(kv(p), "live"))).toEqual([
      "queued",
      "queued",
      "queued",
      "overflow",
    ]);
  });

  test("a key in flight can still be marked dirty when the ring is full, and goes back in past capacity", () => {
    const ring = new DedupRing({ capacity: 1 });
    ring.offer(kv("a"), "live");
    const a = ring.take()!;
    ring.offer(kv("b"), "live");
    expect(ring.offer(kv("a"), "live")).toBe("dirty");
    ring.finish(a.id);
    expect(ring.size).toBe(2);
    expect(takeAll(ring)).toEqual(["b", "a"]);
  });

  test("marks name the mount, so two keys of one mount make one mark", () => {
    const ring = new DedupRing({ capacity: 1 });
    ring.offer(kv("a"), "live");
    ring.markMount(kv("x", "kv/"), "rate-limited");
    ring.markMount(kv("y", "kv/"), "overflow");
    expect(ring.takeOverflowedMounts().map(mountId)).toEqual([mountId(kv("x", "kv/"))]);
  });

  test("promotion over and over does not grow memory without bound", () => {
    const ring = new DedupRing({ capacity: 100 });
    // A live stream that never lets the reconcile queue drain, each key first offered by a pass.
    for (let i = 0; i < 50_000; i++) {
      ring.offer(kv(`k${i % 50}`), "reconcile");
      ring.offer(kv(`k${i % 50}`), "live");
      const t = ring.take()!;
      ring.finish(t.id);
    }
    const queue = (ring as unknown as { reconcile: { length: number } }).reconcile;
    expect(queue.length).toBeLessThan(3000);
    expect(ring.size).toBe(0);
  });
});

describe("drain", () => {
  test("returns what was waiting in take order and leaves keys in flight alone", () => {
    const ring = new DedupRing({ capacity: 10 });
    ring.offer(kv("busy"), "live");
    const busy = ring.take()!;
    ring.offer(kv("r"), "reconcile");
    ring.offer(kv("l1"), "live");
    ring.offer(kv("l2"), "live");
    ring.offer(kv("r"), "live");
    expect(ring.drain().map(({ key, priority }) => `${key.path}:${priority}`)).toEqual([
      "l1:live",
      "l2:live",
      "r:live",
    ]);
    expect(ring.size).toBe(0);
    expect(ring.take()).toBeUndefined();
    expect(ring.finish(busy.id)).toBe(false);
  });
});
