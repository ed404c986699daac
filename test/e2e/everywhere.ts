// Assertions over every destination at once, polled: Courier is asynchronous, so a test waits
// until all destinations show what it expects (or fails with what the last look saw).
import type { Harness } from "../support/courier-harness.ts";
import { eventually, holds, type PollOptions } from "../support/eventually.ts";
import type { VaultApi } from "../support/vault-api.ts";

/** Waits until `check` passes on every destination. */
export function onEveryDestination(
  harness: Harness,
  check: (destination: VaultApi) => unknown | Promise<unknown>,
  options?: PollOptions,
): Promise<unknown> {
  return eventually(() => Promise.all(harness.destinations.map(check)), options);
}

/** Asserts `check` keeps passing on every destination for a while (something must not happen). */
export function stillOnEveryDestination(
  harness: Harness,
  check: (destination: VaultApi) => unknown | Promise<unknown>,
  options?: PollOptions,
): Promise<void> {
  return holds(() => Promise.all(harness.destinations.map(check)), options);
}

/** The log lines Courier wrote at warn or worse. */
export function problems(harness: Harness): { level: string; msg: string }[] {
  return harness.courier.logs().filter((r) => r.level === "warn" || r.level === "error");
}
