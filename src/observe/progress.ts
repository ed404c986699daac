// How far a long pass has got, while it runs: on a terminal, one line redrawn in place (keys
// walked, done, rate, errors; a bar and an estimate once the walk has ended and the total is
// known); elsewhere, and in the agent, a log line at most every 10 s. Nothing at all for a pass
// that ends within the first second or two: short passes stay quiet.

import type { Logger } from "./logger.ts";

/** What a pass has counted so far; the pass updates it, the reporter only reads it. */
export interface PassCounts {
  /** Keys the walk has found. */
  walked: number;
  /** Keys whose work is over, whatever came of it. */
  done: number;
  /** Keys (or LISTs) that failed. */
  errors: number;
  /** The walk has ended: `walked` is the total. */
  walkEnded: boolean;
}

export function passCounts(): PassCounts {
  return { walked: 0, done: 0, errors: 0, walkEnded: false };
}

/** Where a terminal line goes: process.stderr, or a test's stand-in. */
export interface Terminal {
  write(text: string): unknown;
  columns?: number;
}

export interface ProgressOptions {
  /** A terminal to redraw a line on; without one, `log` gets a line every `logEveryMs`. */
  terminal?: Terminal;
  log?: Logger;
  /** What the log line says; "reconcile pass progress" by default. */
  message?: string;
  /** Fields every log line carries (the pass's reason, its scope). */
  fields?: Record<string, unknown>;
  /** Quiet until then. */
  firstAfterMs?: number;
  redrawEveryMs?: number;
  logEveryMs?: number;
  now?: () => number;
}

export interface ProgressReporter {
  /** Clears the terminal line (if drawn) before something else is printed; it is drawn again later. */
  clear(): void;
  /** Stops reporting and clears the line. */
  stop(): void;
}

const FIRST_AFTER_MS = 1500;
const REDRAW_EVERY_MS = 250;
const LOG_EVERY_MS = 10_000;
const BAR_WIDTH = 20;

/** `counts` is read at each report: the object a pass updates, or a function that answers it. */
export function reportProgress(
  counts: PassCounts | (() => PassCounts),
  options: ProgressOptions,
): ProgressReporter {
  const read = typeof counts === "function" ? counts : () => counts;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const { terminal, log } = options;
  let drawn = false;
  const tick = () => {
    const elapsed = now() - started;
    if (elapsed < (options.firstAfterMs ?? FIRST_AFTER_MS)) return;
    if (terminal) {
      const line = progressLine(read(), elapsed);
      // A pseudo-terminal that never learnt its size says 0 columns: take the classic 80.
      const width = (terminal.columns || 80) - 1;
      terminal.write(`\r\x1b[K${line.slice(0, width)}`);
      drawn = true;
    } else {
      log?.info(options.message ?? "reconcile pass progress", {
        ...options.fields,
        ...progressFields(read(), elapsed),
      });
    }
  };
  const every = terminal ? (options.redrawEveryMs ?? REDRAW_EVERY_MS) : (options.logEveryMs ?? LOG_EVERY_MS);
  // The first report comes at firstAfterMs, or at the first interval when that is later.
  const timer = setInterval(tick, every);
  timer.unref?.();
  const clear = () => {
    if (drawn) terminal?.write("\r\x1b[K");
    drawn = false;
  };
  return {
    clear,
    stop() {
      clearInterval(timer);
      clear();
    },
  };
}

/** progressFields({walked: 900, done: 600, errors: 1, walkEnded: false}, 2000) → {keys: 900, done: 600, rate: 300, errors: 1} */
export function progressFields(counts: PassCounts, elapsedMs: number) {
  const rate = Math.round(counts.done / Math.max(elapsedMs / 1000, 0.001));
  const fields: { keys: number; done: number; rate: number; errors: number; total?: number } = {
    keys: counts.walked,
    done: counts.done,
    rate,
    errors: counts.errors,
  };
  if (counts.walkEnded) fields.total = counts.walked;
  return fields;
}

/**
 * progressLine(walk going on) → "walking: 1,200 keys, 900 done, 450/s, 0 errors"
 * progressLine(walk ended)    → "[########------------] 40% 900/2,250 keys, 450/s, 0 errors, ~3s left"
 */
export function progressLine(counts: PassCounts, elapsedMs: number): string {
  const { rate } = progressFields(counts, elapsedMs);
  const n = (value: number) => value.toLocaleString("en-US");
  const tail = `${n(rate)}/s, ${n(counts.errors)} error${counts.errors === 1 ? "" : "s"}`;
  if (!counts.walkEnded || counts.walked === 0) {
    return `walking: ${n(counts.walked)} keys, ${n(counts.done)} done, ${tail}`;
  }
  const share = Math.min(1, counts.done / counts.walked);
  const filled = Math.round(share * BAR_WIDTH);
  const bar = `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
  const left = rate > 0 ? `, ~${duration((counts.walked - counts.done) / rate)} left` : "";
  return `${bar} ${Math.floor(share * 100)}% ${n(counts.done)}/${n(counts.walked)} keys, ${tail}${left}`;
}

/** duration(75) → "1m15s"; duration(4.2) → "5s" */
function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}
