// What asks the agent for a pass besides start-up, and how fast such a pass may walk. The
// triggers: the sync.interval timer, mounts the ring marked (overflow, rate limit, too many
// retries), datagrams the kernel counted as dropped, a TCP or unix audit connection the sender
// closed (Vault closes its socket when a write times out, and may give up on that entry), and a
// destination that answers again after an outage. Each is cheap to check, so they are polled.

import type { IngestCounters } from "../audit/counters.ts";
import type { AuditListener } from "../audit/listeners/listener.ts";
import type { UdpListener } from "../audit/listeners/udp.ts";
import { systemClock, TokenBucket } from "../dispatch/clock.ts";
import type { DedupRing, MountRef } from "../dispatch/ring.ts";
import type { Logger } from "../observe/logger.ts";
import type { SyncResult } from "../sync/outcome.ts";

export interface PassRequester {
  request(reason: string, mounts?: readonly MountRef[]): void;
  /** A full pass is running or waiting: the timer need not ask for another. */
  readonly fullPending: boolean;
  /** Lets go of keys the scheduler dropped without an answer. */
  sweep(): void;
}

export interface TriggerOptions {
  passes: PassRequester;
  ring: DedupRing;
  listener: AuditListener;
  /** The ingest counters (for connections the sender ended). */
  counters?: IngestCounters;
  /** sync.interval in ms; 0 = no periodic pass. */
  intervalMs: number;
  log: Logger;
  /** How often the ring's marks and the kernel's drop counter are read (default 1 s). */
  pollMs?: number;
}

export function startPassTriggers(options: TriggerOptions): { stop(): void } {
  const { passes, ring, listener, log } = options;
  const udp = isUdp(listener) ? listener : undefined;
  let drops = 0;
  let ended = options.counters?.endedBySender ?? 0;
  const poll = setInterval(() => {
    const mounts = ring.takeOverflowedMounts();
    if (mounts.length > 0) passes.request("marked mounts", mounts);
    if (udp) {
      const now = udp.pollKernelDrops();
      if (now > drops) {
        log.warn("the kernel dropped audit datagrams; a full pass follows", { dropped: now - drops });
        drops = now;
        passes.request("udp kernel drops");
      }
    }
    const endedNow = options.counters?.endedBySender ?? 0;
    if (endedNow > ended) {
      log.info("the audit sender closed its connection; entries may have been lost: a full pass follows", {
        connections: endedNow - ended,
      });
      ended = endedNow;
      passes.request("audit connection closed");
    }
    passes.sweep();
  }, options.pollMs ?? 1_000);
  const periodic =
    options.intervalMs > 0
      ? setInterval(() => {
          if (!passes.fullPending) passes.request("interval");
        }, options.intervalMs)
      : undefined;
  return {
    stop() {
      clearInterval(poll);
      if (periodic) clearInterval(periodic);
    },
  };
}

/** Failures that mean the destination itself is out, rather than one key being wrong. */
const OUTAGES = new Set(["unreachable", "timeout", "sealed", "server-error", "tls"]);

/**
 * Watches sync results for a destination that was out (unreachable, sealed, …) and answers again.
 * A destination's keys back off one by one while it is out; a pass catches it up as a whole.
 */
export class OutageWatch {
  readonly #out = new Set<string>();

  /** The destinations this result shows back after an outage. */
  note(result: SyncResult): string[] {
    const back: string[] = [];
    for (const outcome of result.destinations) {
      const name = outcome.destination;
      if (outcome.result === "retry" || outcome.result === "failed") {
        if (OUTAGES.has(outcome.error?.reason ?? "")) this.#out.add(name);
      } else if (this.#out.delete(name)) {
        back.push(name);
      }
    }
    return back;
  }
}

function isUdp(listener: AuditListener): listener is UdpListener {
  return typeof (listener as Partial<UdpListener>).pollKernelDrops === "function";
}

/*
 * Pacing. Passes the audit stream can cause — mounts marked because hints overflowed or came
 * faster than --audit.max_rate, datagrams the kernel dropped — walk no faster than
 * --audit.max_rate keys a second (MIN_PACE at least, so a limit set very low still lets a pass
 * finish). Otherwise a flood of forged hints would get past the limit the long way round: each
 * hint over it marks the mount, and the pass that follows reads every key in it, again and again
 * while the flood lasts. Paced, a flood costs the source about twice the limit at most (the live
 * hints plus one paced walk). Passes no sender can cause — start-up, the interval, a destination
 * back after an outage, the source node becoming active — run at full speed.
 */
/** Keys a second a paced pass may always walk. */
const MIN_PACE = 50;

/** Reasons for a pass that the audit stream cannot cause. */
const UNPACED = new Set(["start-up", "interval", "destination back", "became active", "leader changed"]);

/** Waits until the next key may be offered. */
export type Pace = () => Promise<void>;

/**
 * The pace for a pass, or undefined when it runs at full speed.
 * pacingFor("marked mounts", 2000) → 2,000 keys/s;  pacingFor("marked mounts", 1) → 50 keys/s;
 * pacingFor("start-up", 2000) → undefined
 */
export function pacingFor(reason: string, maxRate: number): Pace | undefined {
  if (UNPACED.has(reason) || maxRate <= 0) return undefined;
  const perSecond = Math.max(MIN_PACE, maxRate);
  // A tenth of a second's worth at once, so waits are few and not shorter than a timer can sleep.
  const burst = Math.max(1, Math.ceil(perSecond / 10));
  const bucket = new TokenBucket({ perSecond, burst }, systemClock);
  const refillMs = Math.max(1, Math.ceil((burst * 1000) / perSecond));
  return async () => {
    while (!bucket.tryTake()) await Bun.sleep(refillMs);
  };
}
