// Configuration problems: one line each, naming the setting, where its value came from and what
// is wrong. Secret values are never echoed.
import { CourierError } from "../errors.ts";
import { describeOrigin, type Origin } from "./origin.ts";

/** Every problem found while loading, reported together so one run shows them all. */
export class ConfigError extends CourierError {
  constructor(readonly problems: readonly string[]) {
    super("CONFIG_INVALID", problems.join("\n"));
  }
}

/**
 * One problem line.
 * problemAt("worker.concurrency", fromFlag("--worker.concurrency"), "must be …")
 *   → "worker.concurrency (flag --worker.concurrency): must be …"
 */
export function problemAt(key: string, origin: Origin, text: string): string {
  return `${key} (${describeOrigin(origin)}): ${text}`;
}

/**
 * The value as a message may quote it: short, and never for a secret.
 * quoteValue("abc", false) → ', got "abc"'; quoteValue("hvs.x", true) → ""
 */
export function quoteValue(value: unknown, secret: boolean): string {
  if (secret || value === undefined) return "";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return `, got ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}

/**
 * A suggestion for a mistyped name: a candidate ending the same way, or one a few edits away.
 * didYouMean("source.address", ["vault.source.address"]) → "; did you mean vault.source.address?"
 */
export function didYouMean(
  word: string,
  candidates: Iterable<string>,
  compareAs: (name: string) => string = (name) => name,
): string {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const form = compareAs(candidate);
    const score = form.endsWith(`.${word}`) ? 0 : editDistance(word, form);
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 4));
  return best !== undefined && bestScore <= limit ? `; did you mean ${best}?` : "";
}

/** editDistance("tokne", "token") → 2 */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
