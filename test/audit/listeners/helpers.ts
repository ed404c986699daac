// Shared pieces for the listener tests: a recording onLine and a bounded wait.

import { createIngestCounters, type IngestCounters } from "../../../src/audit/counters.ts";
import type { StreamListenerOptions } from "../../../src/audit/listeners/stream.ts";
import type { UdpListenerOptions } from "../../../src/audit/listeners/udp.ts";
import { LOOPBACK_CIDRS } from "../../../src/config/addresses.ts";

export interface Recorder {
  lines: { line: string; sender: string }[];
  warnings: string[];
  counters: IngestCounters;
  options: UdpListenerOptions & StreamListenerOptions;
}

export function recorder(more: Partial<UdpListenerOptions & StreamListenerOptions> = {}): Recorder {
  const lines: { line: string; sender: string }[] = [];
  const warnings: string[] = [];
  const counters = createIngestCounters();
  return {
    lines,
    warnings,
    counters,
    options: {
      onLine: (line, sender) => lines.push({ line, sender }),
      onWarning: (message) => warnings.push(message),
      counters,
      allow: LOOPBACK_CIDRS,
      ...more,
    },
  };
}

/** Waits until `done()` holds, or fails after `ms` with `what`. */
export async function waitFor(done: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

/** An audit-like entry of about `size` bytes, numbered so order can be checked. */
export function entry(n: number, size = 200): string {
  const head = `{"type":"response","request":{"operation":"update","path":"kv/k${n}"},"pad":"`;
  return `${head}${"p".repeat(Math.max(0, size - head.length - 2))}"}`;
}
