// Whether Courier is ready to do its job: listening for the audit stream, holding the source's
// mount table, and able to reach the source Vault. The source is asked (sys/health) at most once
// per interval however often /readyz is polled, and a slow answer counts as "not reachable"
// rather than holding the probe open.

import type { VaultReply } from "../vault/http.ts";

export type Readiness = { ready: true } | { ready: false; reasons: string[] };

export interface SourceProbeOptions {
  /** A fresh answer is reused for this long (default 5 s). */
  everyMs?: number;
  /** An answer slower than this counts as none (default 2 s). */
  timeoutMs?: number;
  now?: () => number;
}

/** Asks the source's sys/health, caching the verdict: undefined when reachable, else why not. */
export class SourceProbe {
  readonly #everyMs: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #last: { at: number; problem: string | undefined } | undefined;
  #running: Promise<string | undefined> | undefined;

  constructor(
    private readonly health: () => Promise<VaultReply>,
    options: SourceProbeOptions = {},
  ) {
    this.#everyMs = options.everyMs ?? 5_000;
    this.#timeoutMs = options.timeoutMs ?? 2_000;
    this.#now = options.now ?? Date.now;
  }

  async problem(): Promise<string | undefined> {
    if (this.#last && this.#now() - this.#last.at < this.#everyMs) return this.#last.problem;
    this.#running ??= this.#ask().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #ask(): Promise<string | undefined> {
    let timer: Timer | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(
        () => resolve(`the source Vault did not answer sys/health within ${this.#timeoutMs / 1000}s`),
        this.#timeoutMs,
      );
    });
    const answer = this.health().then(
      (reply) => healthProblem(reply.status),
      (error: unknown) =>
        `the source Vault did not answer: ${error instanceof Error ? error.message : String(error)}`,
    );
    const problem = await Promise.race([answer, late]).finally(() => clearTimeout(timer));
    this.#last = { at: this.#now(), problem };
    return problem;
  }
}

/**
 * What a sys/health status means for Courier; undefined when it can read from that node.
 * healthProblem(200) → undefined; healthProblem(429) → undefined (a standby forwards reads);
 * healthProblem(503) → "the source Vault is sealed (sys/health 503)"
 */
export function healthProblem(status: number): string | undefined {
  switch (status) {
    case 200: // active
    case 429: // standby: forwards requests to the active node
    case 473: // performance standby: serves reads itself
      return undefined;
    case 472:
      return "the source Vault is a DR secondary, which serves no reads (sys/health 472)";
    case 501:
      return "the source Vault is not initialised (sys/health 501)";
    case 503:
      return "the source Vault is sealed (sys/health 503)";
    default:
      return `the source Vault answered sys/health with ${status}`;
  }
}

/** The agent's own start-up milestones, set as they happen. */
export interface Milestones {
  mountTableLoaded: boolean;
  listening: boolean;
  stopping: boolean;
}

/** Local reasons first; the source is only asked once nothing local stands in the way. */
export async function checkReadiness(milestones: Milestones, probe: SourceProbe): Promise<Readiness> {
  if (milestones.stopping) return { ready: false, reasons: ["stopping"] };
  const reasons: string[] = [];
  if (!milestones.mountTableLoaded) reasons.push("the source's mount table is not loaded yet");
  if (!milestones.listening) reasons.push("not listening for the audit stream yet");
  if (reasons.length > 0) return { ready: false, reasons };
  const problem = await probe.problem();
  return problem === undefined ? { ready: true } : { ready: false, reasons: [problem] };
}
