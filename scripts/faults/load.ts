// A steady write load on the source, as its clients would make it: `rate` operations a second
// across `keys` keys, spread over KV v2 (secret/load/), KV v1 (kv1/load/) and ACL policies
// (load-N), nine writes to one delete of each kind. Every operation's latency is kept with the
// time it started, so a row can say what the source's clients saw while a fault lasted.
import type { VaultApi } from "../../test/support/vault-api.ts";

export interface LoadOptions {
  /** Operations a second. */
  rate: number;
  keys: number;
  /** Most operations waiting for an answer at once; beyond it an operation is skipped and counted. */
  maxOutstanding?: number;
}

export interface Operation {
  /** When it was sent, ms since the load started. */
  at: number;
  ms: number;
  ok: boolean;
}

/** What one index stands for: kv2 for six in ten, kv1 for two, a policy for one, kv2 metadata for one. */
export function keyOf(i: number): { kind: "kv2" | "kv1" | "policy"; path: string } {
  const slot = i % 10;
  if (slot < 7) return { kind: "kv2", path: `load/k${i}` };
  if (slot < 9) return { kind: "kv1", path: `load/k${i}` };
  return { kind: "policy", path: `load-${i}` };
}

export class WriteLoad {
  readonly operations: Operation[] = [];
  skipped = 0;
  #started = 0;
  #issued = 0;
  #outstanding = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #inFlight = new Set<Promise<void>>();
  #counter = 0;

  constructor(
    private readonly source: VaultApi,
    private readonly options: LoadOptions,
  ) {}

  /** Writes every key once, as fast as the source takes them (before Courier starts, say). */
  static async fill(source: VaultApi, keys: number): Promise<void> {
    for (let i = 0; i < keys; i += 50) {
      const batch = Array.from({ length: Math.min(50, keys - i) }, (_, j) => i + j);
      await Promise.all(batch.map((k) => writeKey(source, k, "fill")));
    }
  }

  start(): void {
    this.#started = performance.now();
    this.#timer = setInterval(() => this.#tick(), 5);
  }

  /** Stops sending and waits for what is in flight. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all(this.#inFlight);
  }

  /** ms since the load started. */
  now(): number {
    return performance.now() - this.#started;
  }

  #tick(): void {
    const due = Math.floor((this.now() * this.options.rate) / 1000);
    while (this.#issued < due) {
      this.#issued++;
      if (this.#outstanding >= (this.options.maxOutstanding ?? 256)) {
        this.skipped++;
        continue;
      }
      this.#send();
    }
  }

  #send(): void {
    const key = Math.floor(Math.random() * this.options.keys);
    const remove = Math.random() < 0.1;
    const at = this.now();
    this.#outstanding++;
    const value = `${++this.#counter}`;
    const run = (remove ? deleteKey(this.source, key) : writeKey(this.source, key, value))
      .then(
        (ok) => ok,
        () => false,
      )
      .then((ok) => {
        this.operations.push({ at, ms: this.now() - at, ok });
        this.#outstanding--;
        this.#inFlight.delete(run);
      });
    this.#inFlight.add(run);
  }
}

async function writeKey(source: VaultApi, i: number, value: string): Promise<boolean> {
  const { kind, path } = keyOf(i);
  const reply =
    kind === "kv2"
      ? await source.call("POST", `secret/data/${path}`, { data: { v: value, i: String(i) } })
      : kind === "kv1"
        ? await source.call("PUT", `kv1/${path}`, { v: value, i: String(i) })
        : await source.call("PUT", `sys/policies/acl/${path}`, {
            policy: `# ${value}\npath "load/${i}/*" {\n  capabilities = ["read"]\n}\n`,
          });
  return reply.status < 300;
}

/** Deletes of every kind: a KV v2 key's latest version or all of it, a KV v1 key, a policy. */
async function deleteKey(source: VaultApi, i: number): Promise<boolean> {
  const { kind, path } = keyOf(i);
  const where =
    kind === "kv2"
      ? Math.random() < 0.5
        ? `secret/data/${path}`
        : `secret/metadata/${path}`
      : kind === "kv1"
        ? `kv1/${path}`
        : `sys/policies/acl/${path}`;
  const reply = await source.call("DELETE", where);
  return reply.status < 300;
}

/**
 * Latency of the operations sent in [from, to) ms: count, failures, p50, p99, max.
 * latency(ops, 0, 1000) → {count: 100, failed: 0, p50: 2.1, p99: 9.8, max: 12}
 */
export function latency(operations: readonly Operation[], from: number, to: number) {
  const inside = operations.filter((o) => o.at >= from && o.at < to);
  const sorted = inside.map((o) => o.ms).sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0 ? 0 : round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return {
    count: inside.length,
    failed: inside.filter((o) => !o.ok).length,
    p50: at(0.5),
    p99: at(0.99),
    max: round(sorted.at(-1) ?? 0),
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
