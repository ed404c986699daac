// Knowing the moment a destination holds a write, without polling it: the destination (a Vault
// double) gets a TCP socket audit device pointed at the benchmark, and its response entry for a
// KV v2 data write — written once the write is done, before Vault answers — is timestamped here.

import { createIngestCounters } from "../../../src/audit/counters.ts";
import { listenForAudit } from "../../../src/audit/listeners/listen.ts";
import type { AuditListener } from "../../../src/audit/listeners/listener.ts";
import { parseAuditLine } from "../../../src/audit/parse.ts";
import { disableAudit, enableSocketAudit } from "./double.ts";

const DEVICE = "bench-watch";
const DATA = "secret/data/";
const WRITES = new Set(["create", "update"]);

export interface WriteWatch {
  /**
   * Called with the secret's path under secret/, performance.now() and the operation ("create"
   * for a new key, "update" for a later version) for each data write.
   */
  onWrite: (path: string, at: number, operation: string) => void;
  /** Data writes seen so far. */
  readonly writes: number;
  stop(): Promise<void>;
}

export async function watchWrites(
  vault: { address: string; token: string },
  transport: "udp" | "tcp" = "udp",
): Promise<WriteWatch> {
  let writes = 0;
  let listener: AuditListener | undefined;
  const watch: WriteWatch = {
    onWrite: () => {},
    get writes() {
      return writes;
    },
    async stop() {
      await disableAudit(vault, DEVICE).catch(() => {});
      await listener?.close();
    },
  };
  listener = await listenForAudit(`${transport}://127.0.0.1:0`, {
    counters: createIngestCounters(),
    allow: ["127.0.0.0/8"],
    onLine(line) {
      const at = performance.now();
      const parsed = parseAuditLine(line);
      if (!parsed.ok) return;
      const { entry } = parsed;
      if (entry.type !== "response" || entry.error || !WRITES.has(entry.operation)) return;
      if (!entry.path.startsWith(DATA)) return;
      writes++;
      watch.onWrite(entry.path.slice(DATA.length), at, entry.operation);
    },
  });
  const port = (listener as AuditListener & { port: number }).port;
  await enableSocketAudit(vault, DEVICE, `127.0.0.1:${port}`, transport);
  return watch;
}
