// Assertions over every destination at once, polled: Courier is asynchronous, so a test waits
// until all destinations show what it expects (or fails with what the last look saw). Doubles or
// real OpenBao alike: only the destinations and Courier's log are looked at.
import type { Harness } from "../support/courier-harness.ts";
import { eventually, holds, type PollOptions } from "../support/eventually.ts";
import type { VaultApi } from "../support/vault-api.ts";

/** What these helpers look at: the doubles' harness and the real-OpenBao one both have it. */
type Destinations = Pick<Harness, "destinations" | "courier">;

/** Waits until `check` passes on every destination. */
export function onEveryDestination(
  harness: Destinations,
  check: (destination: VaultApi) => unknown | Promise<unknown>,
  options?: PollOptions,
): Promise<unknown> {
  return eventually(() => Promise.all(harness.destinations.map(check)), options);
}

/** Asserts `check` keeps passing on every destination for a while (something must not happen). */
export function stillOnEveryDestination(
  harness: Destinations,
  check: (destination: VaultApi) => unknown | Promise<unknown>,
  options?: PollOptions,
): Promise<void> {
  return holds(() => Promise.all(harness.destinations.map(check)), options);
}

/** The log lines Courier wrote at warn or worse. */
export function problems(harness: Destinations): { level: string; msg: string }[] {
  return harness.courier.logs().filter((r) => r.level === "warn" || r.level === "error");
}
