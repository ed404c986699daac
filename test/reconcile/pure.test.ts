import { describe, expect, test } from "bun:test";
import { type DriftSummary, describeCounts, diffExitCode, driftRows } from "../../src/reconcile/drift.ts";
import { PassTally } from "../../src/reconcile/one-pass.ts";
import { runOrdered } from "../../src/reconcile/one-shot.ts";
import { OutageWatch } from "../../src/reconcile/triggers.ts";
import { mergeListings, passNamespaces } from "../../src/reconcile/walk.ts";
import type { DestinationOutcome, SyncResult } from "../../src/sync/outcome.ts";
import type { SyncKey } from "../../src/sync-key.ts";

const kv = (path: string): SyncKey => ({ kind: "kv", namespace: "", mount: "secret/", path });

describe("mergeListings", () => {
  test.each([
    [
      "one Vault",
      [["b", "a/"]],
      [
        ["a/", [0]],
        ["b", [0]],
      ],
    ],
    [
      "a key only the destination has",
      [["a"], ["a", "x"]],
      [
        ["a", [0, 1]],
        ["x", [1]],
      ],
    ],
    [
      "a folder on both, a key on one",
      [["f/", "k"], ["f/"]],
      [
        ["f/", [0, 1]],
        ["k", [0]],
      ],
    ],
    ["nothing listed anywhere", [[], []], []],
    [
      "byte order, not locale order",
      [["b", "B", "a"]],
      [
        ["B", [0]],
        ["a", [0]],
        ["b", [0]],
      ],
    ],
    [
      "answers out of order are merged in order",
      [
        ["c", "a"],
        ["b", "a"],
      ],
      [
        ["a", [0, 1]],
        ["b", [1]],
        ["c", [0]],
      ],
    ],
    [
      "a name twice in one answer counts once",
      [["a", "a", "b"], ["a"]],
      [
        ["a", [0, 1]],
        ["b", [0]],
      ],
    ],
    [
      "a key and a folder of the same name",
      [["x", "x/"]],
      [
        ["x", [0]],
        ["x/", [0]],
      ],
    ],
  ])("%s", (_, lists, expected) => {
    expect([...mergeListings(lists as string[][])].map((l) => [l.name, l.on])).toEqual(expected as never);
  });
});

describe("runOrdered", () => {
  test("hands results on in the items' order though later ones finish first", async () => {
    const delays = [30, 1, 15, 0, 5];
    const seen: number[] = [];
    const count = await runOrdered(
      delays.keys(),
      3,
      async (i) => {
        await Bun.sleep(delays[i]!);
        return i * 10;
      },
      (result) => seen.push(result),
    );
    expect(seen).toEqual([0, 10, 20, 30, 40]);
    expect(count).toBe(5);
  });

  test("never has more than `limit` items running at once", async () => {
    let running = 0;
    let most = 0;
    await runOrdered(
      Array.from({ length: 40 }, (_, i) => i),
      4,
      async () => {
        most = Math.max(most, ++running);
        await Bun.sleep(1);
        running--;
      },
      () => {},
    );
    expect(most).toBe(4);
  });

  test("starts at most twice `limit` items past one that is slow to finish", async () => {
    let started = 0;
    let release: () => void = () => {};
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const done = runOrdered(
      Array.from({ length: 100 }, (_, i) => i),
      2,
      async (i) => {
        started++;
        if (i === 0) await slow;
      },
      () => {},
    );
    await Bun.sleep(20);
    expect(started).toBe(4);
    release();
    await done;
    expect(started).toBe(100);
  });

  test("fails as `work` failed, and starts no more items", async () => {
    let finished = 0;
    const run = runOrdered(
      Array.from({ length: 10 }, (_, i) => i),
      3,
      async (i) => {
        await Bun.sleep(i === 1 ? 1 : 10);
        if (i === 1) throw new Error("boom");
        finished++;
      },
      () => {},
    );
    await expect(run).rejects.toThrow("boom");
    expect(finished).toBeLessThan(9);
  });

  test("reads an async stream one item at a time", async () => {
    async function* items() {
      for (const x of ["a", "b", "c"]) yield x;
    }
    const out: string[] = [];
    await runOrdered(
      items(),
      2,
      async (x) => x.toUpperCase(),
      (x) => out.push(x),
    );
    expect(out).toEqual(["A", "B", "C"]);
  });
});

describe("passNamespaces", () => {
  test.each([
    ["", [""]],
    ["team-a", ["", "team-a/"]],
    ["/team-a/", ["", "team-a/"]],
    ["team-a/web", ["", "team-a/web/"]],
  ])("source namespace %p → %p", (namespace, expected) => {
    expect(passNamespaces(namespace)).toEqual(expected);
  });
});

const outcome = (destination: string, result: DestinationOutcome["result"], reason?: string) =>
  ({
    destination,
    result,
    done: result === "written" ? ["kv2-write"] : [],
    skipped: result === "skipped" ? ["deletes-off"] : [],
    ...(reason ? { error: { code: "VAULT_UNREACHABLE", message: "m", transient: true, reason } } : {}),
  }) as DestinationOutcome;

describe("driftRows and the exit code of diff", () => {
  test("names what differs for each destination and leaves equal ones out", () => {
    const rows = driftRows(kv("app"), {
      destinations: [
        { destination: "http://a", status: "equal", aspects: [] },
        { destination: "http://b", status: "differs", aspects: ["data", "max_versions"] },
        {
          destination: "http://c",
          status: "error",
          aspects: [],
          error: { code: "VAULT_ERROR", message: "sealed", transient: true },
        },
      ],
    });
    expect(rows).toEqual([
      {
        destination: "http://b",
        status: "differs",
        kind: "kv",
        namespace: "",
        mount: "secret/",
        path: "app",
        what: ["data", "max_versions"],
      },
      {
        destination: "http://c",
        status: "error",
        kind: "kv",
        namespace: "",
        mount: "secret/",
        path: "app",
        what: [],
        error: "sealed",
      },
    ]);
  });

  const summary = (
    counts: Partial<DriftSummary["destinations"][string]>,
    failure?: string,
  ): DriftSummary => ({
    keys: 3,
    destinations: { "http://a": { missing: 0, extra: 0, differs: 0, errors: 0, ...counts } },
    ...(failure ? { failure } : {}),
  });
  test.each([
    ["in sync", summary({}), 0],
    ["a key missing", summary({ missing: 1 }), 1],
    ["a key extra", summary({ extra: 1 }), 1],
    ["a key that could not be read", summary({ errors: 1 }), 2],
    ["drift found beside an error: drift is known", summary({ differs: 1, errors: 1 }), 1],
    ["the walk failed", summary({}, "cannot walk the source"), 2],
  ])("%s → exit %p", (_, input, code) => {
    expect(diffExitCode(input)).toBe(code);
  });

  test.each([
    ["1 missing, 4 different", { missing: 1, extra: 0, differs: 4, errors: 0 }],
    ["2 extra, 3 could not be compared", { missing: 0, extra: 2, differs: 0, errors: 3 }],
    ["in sync", { missing: 0, extra: 0, differs: 0, errors: 0 }],
  ])("a destination's counts read %p", (text, counts) => {
    expect(describeCounts(counts)).toBe(text);
  });
});

describe("PassTally", () => {
  const result = (...destinations: DestinationOutcome[]): SyncResult => ({ destinations });

  test("counts drift per destination, and what a run could not fix", () => {
    const tally = new PassTally(["http://a", "http://b"]);
    const ids = ["x", "y", "z"].map((p) => tally.add(kv(p)));
    tally.settle(ids[0]!, result(outcome("http://a", "unchanged"), outcome("http://b", "written")));
    tally.settle(ids[1]!, result(outcome("http://a", "skipped"), outcome("http://b", "unchanged")));
    tally.settle(
      ids[2]!,
      result(outcome("http://a", "retry", "unreachable"), outcome("http://b", "written")),
    );
    expect(tally.drift).toEqual({ "http://a": 2, "http://b": 2 });
    expect(tally.left).toEqual({ "http://a": 2, "http://b": 0 });
    expect([tally.walked, tally.changed, tally.unresolved, tally.pending.size]).toEqual([3, 2, 2, 0]);
    expect(tally.clean).toBe(false);
  });

  test("a result for a key it does not hold, or one already counted, is not counted", () => {
    const tally = new PassTally(["http://a"]);
    const id = tally.add(kv("x"));
    expect(tally.settle("other", result(outcome("http://a", "written")))).toBe(false);
    expect(tally.settle(id, result(outcome("http://a", "written")))).toBe(true);
    expect(tally.settle(id, result(outcome("http://a", "written")))).toBe(false);
    expect(tally.changed).toBe(1);
    expect(tally.clean).toBe(true);
  });

  test("lets go of keys the scheduler no longer holds, as not run", () => {
    const tally = new PassTally(["http://a"]);
    tally.add(kv("held"));
    const gone = tally.add(kv("gone"));
    expect(tally.sweep((key) => key.path === "gone")).toEqual([gone]);
    expect([tally.pending.size, tally.notRun, tally.clean]).toEqual([1, 1, false]);
  });
});

describe("OutageWatch", () => {
  test("names a destination once when it answers again after being unreachable", () => {
    const watch = new OutageWatch();
    const r = (...destinations: DestinationOutcome[]): SyncResult => ({ destinations });
    expect(
      watch.note(r(outcome("http://a", "retry", "unreachable"), outcome("http://b", "written"))),
    ).toEqual([]);
    expect(watch.note(r(outcome("http://a", "retry", "sealed")))).toEqual([]);
    expect(watch.note(r(outcome("http://a", "unchanged")))).toEqual(["http://a"]);
    expect(watch.note(r(outcome("http://a", "written")))).toEqual([]);
  });

  test("does not take one key's failure (a CAS conflict, a missing mount) for an outage", () => {
    const watch = new OutageWatch();
    const r = (...destinations: DestinationOutcome[]): SyncResult => ({ destinations });
    watch.note(r(outcome("http://a", "retry", "conflict")));
    watch.note(r(outcome("http://a", "failed", "bad-request")));
    expect(watch.note(r(outcome("http://a", "written")))).toEqual([]);
  });
});
