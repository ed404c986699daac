// Reading a running Courier's /metrics the way Prometheus would, strictly parsed.
import { type ParsedFamily, parseExposition, sampleValue } from "../../support/metrics-exposition.ts";

export type Scrape = Map<string, ParsedFamily>;

/** A Courier that does not answer within `timeoutMs` (stopped, say) fails the scrape. */
export async function scrape(url: string, timeoutMs = 5_000): Promise<Scrape> {
  const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return parseExposition(await response.text());
}

/** One sample's value, 0 when absent: metric(s, "courier_audit_entries_total", {result: "accepted"}) */
export function metric(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  return sampleValue(s, name, labels) ?? 0;
}

/** The sum over every sample of a family whose labels include `labels`. */
export function metricSum(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  const family = s.get(name);
  if (!family) return 0;
  return family.samples
    .filter((sample) => Object.entries(labels).every(([k, v]) => sample.labels[k] === v))
    .reduce((sum, sample) => sum + sample.value, 0);
}
