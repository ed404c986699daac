// A one-shot pass has no scheduler to retry for it, so a key whose sync hit a race is run once or
// twice more, for the destinations that hit it: a check-and-set lost to a concurrent write, a new
// KV v2 mount still upgrading its storage. (Keys of one new mount share one creation; see
// MountsApi.ensure.) Outages
// (unreachable, sealed) are not retried here: they would only make a failing pass slower.

import type { DestinationOutcome, SyncResult } from "../sync/outcome.ts";
import type { SyncVault } from "../sync/state.ts";
import { type SyncOptions, syncKey } from "../sync/sync.ts";
import type { SyncKey } from "../sync-key.ts";

/** Failures that mean "someone else changed it in between": a fresh read settles them. */
const RACES = new Set(["conflict", "upgrading", "inconsistent"]);
const WAITS_MS = [50, 250];

export async function syncWithRetries(
  key: SyncKey,
  source: SyncVault,
  destinations: readonly SyncVault[],
  options: SyncOptions,
): Promise<SyncResult> {
  let result = await syncKey(key, source, [...destinations], options);
  for (const wait of WAITS_MS) {
    const raced = result.destinations.flatMap((outcome, i) => (isRace(outcome) ? [i] : []));
    if (raced.length === 0) return result;
    await Bun.sleep(wait);
    const again = await syncKey(
      key,
      source,
      raced.map((i) => destinations[i]!),
      options,
    );
    result = merge(result, raced, again);
  }
  return result;
}

function isRace(outcome: DestinationOutcome): boolean {
  return outcome.result === "retry" && RACES.has(outcome.error?.reason ?? "");
}

/** The first result with the raced destinations' outcomes replaced by their second try's. */
function merge(first: SyncResult, raced: number[], again: SyncResult): SyncResult {
  const destinations = [...first.destinations];
  raced.forEach((index, j) => {
    const before = destinations[index]!;
    const after = again.destinations[j]!;
    // What the first try did (a mount made) still happened: keep it in the record.
    destinations[index] = { ...after, done: [...before.done, ...after.done] };
  });
  return again.sourceError ? { ...first, destinations } : { destinations };
}
