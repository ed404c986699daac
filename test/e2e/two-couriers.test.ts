// Two Couriers on one scope, as an HA set-up runs them: both hear every change and both sync it.
// They race each other on every key (one wins a check-and-set, the other finds its read already
// stale, a key vanishes between two reads); that is expected, so the destinations must end right
// and neither may warn about it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { deviceAddress, type Harness, ROOT_TOKEN, startHarness } from "../support/courier-harness.ts";
import { type CourierProcess, spawnCourier } from "../support/courier-process.ts";
import { onEveryDestination, problems } from "./everywhere.ts";

const HOT_WRITES = 200;
const DISTINCT_KEYS = 100;

describe("two Couriers on one scope", () => {
  let h: Harness;
  let second: CourierProcess;
  beforeAll(async () => {
    h = await startHarness({ transport: "udp" });
    second = spawnCourier([
      `--vault.source.address=${h.doubles.source.address}`,
      `--vault.source.token=${ROOT_TOKEN}`,
      `--vault.destinations.addresses=${h.doubles.destinations.map((d) => d.address).join(",")}`,
      `--vault.destinations.tokens=${ROOT_TOKEN}`,
      "--vault.audit_address=udp://127.0.0.1:0",
    ]);
    const ready = await second.waitForLog("listening for audit entries");
    await second.waitFor(
      (r) => r.msg === "reconcile pass finished" && r.reason === "start-up",
      "the second Courier's start-up pass",
    );
    await h.source.must("PUT", "sys/audit/courier-b", {
      type: "socket",
      options: deviceAddress("udp", String(ready.address)),
    });
  });
  afterAll(async () => {
    expect(await second?.stop()).toBe(0);
    expect(await h?.stop()).toBe(0);
  });

  test(`${HOT_WRITES} writes of one key and ${DISTINCT_KEYS} distinct keys end right on every destination`, async () => {
    const hot = (async () => {
      for (let i = 1; i <= HOT_WRITES; i++)
        await h.source.must("POST", "secret/data/race/hot", { data: { n: String(i) } });
    })();
    const distinct = Promise.all(
      Array.from({ length: DISTINCT_KEYS }, (_, i) =>
        h.source.must("POST", `secret/data/race/key-${i}`, { data: { i: String(i) } }),
      ),
    );
    await Promise.all([hot, distinct]);
    await onEveryDestination(
      h,
      async (d) => {
        expect(await d.kv2Data("secret", "race/hot")).toEqual({ n: String(HOT_WRITES) });
        for (let i = 0; i < DISTINCT_KEYS; i++) {
          expect(await d.kv2Data("secret", `race/key-${i}`)).toEqual({ i: String(i) });
        }
      },
      { timeoutMs: 20_000 },
    );
  });

  test("a key deleted and written again at once, over and over, ends as the source has it", async () => {
    for (let round = 1; round <= 50; round++) {
      await h.source.must("DELETE", "secret/metadata/race/phoenix");
      await h.source.must("POST", "secret/data/race/phoenix", { data: { round: String(round) } });
    }
    await onEveryDestination(
      h,
      async (d) => expect(await d.kv2Data("secret", "race/phoenix")).toEqual({ round: "50" }),
      { timeoutMs: 20_000 },
    );
  });

  test("neither Courier logged a warning or an error about the races", async () => {
    // Let the last reruns of either Courier end before reading their logs.
    await Bun.sleep(1000);
    const secondProblems = second.logs().filter((r) => r.level === "warn" || r.level === "error");
    expect({ first: problems(h), second: secondProblems }).toEqual({ first: [], second: [] });
  });
});
