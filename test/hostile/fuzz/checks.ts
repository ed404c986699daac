// What a fuzz run asserts about each input and about the process afterwards.
import type { IngestCounters } from "../../../src/audit/counters.ts";

/** Every line counted anywhere: the sum that must grow by exactly one per input. */
export function countedLines(counters: IngestCounters): number {
  let sum = counters.accepted + counters.mountRefreshes + counters.unknownMounts;
  sum += counters.oversize + counters.truncated;
  for (const reason in counters.ignored) sum += counters.ignored[reason as keyof typeof counters.ignored];
  for (const reason in counters.rejected) sum += counters.rejected[reason as keyof typeof counters.rejected];
  return sum;
}

/**
 * Does the outcome match one of the expected ones? "x*" matches any outcome starting with "x".
 * matches("sync:kv::secret/:a", ["sync:*"]) → true;  matches("ignored:cubbyhole", ["oversize"]) → false
 */
export function matches(outcome: string, expect: readonly string[]): boolean {
  return expect.some((want) =>
    want.endsWith("*") ? outcome.startsWith(want.slice(0, -1)) : outcome === want,
  );
}

/** The first word of an outcome: "sync:kv::secret/:a" → "sync", "ignored:cubbyhole" → "ignored" */
export function outcomeClass(outcome: string): string {
  const colon = outcome.indexOf(":");
  return colon === -1 ? outcome : outcome.slice(0, colon);
}

/**
 * Time one input may take: 20 ms plus 100 ns a byte (a 1 MiB line: ~125 ms). Linear work is far
 * below it; a parser or framer gone quadratic is far above.
 */
export function budgetMs(bytes: number): number {
  return 20 + bytes * 100e-6;
}

/** What Object.prototype and friends hold now, to show later that no input added to them. */
export function prototypeSnapshot(): string {
  const names = (o: object) => Object.getOwnPropertyNames(o).sort().join(",");
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map(names).join("|");
}

/** Properties a polluted prototype would make every object answer. */
export function pollutedProperty(): string | undefined {
  const probe: Record<string, unknown> = {};
  for (const name of ["type", "request", "path", "operation", "namespace", "polluted", "error"]) {
    if (probe[name] !== undefined) return name;
  }
  return undefined;
}
