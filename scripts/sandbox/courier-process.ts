// Courier itself, the compiled binary, between the servers. Its JSON log lines (stderr) are kept in
// <dir>/courier.log and handed to whoever listens, one parsed line at a time.
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { type CourierLine, parseCourierLine } from "./courier-lines.ts";
import { ROOT_TOKEN, tail } from "./servers.ts";

const READY_TIMEOUT_MS = 15_000;

export interface CourierOptions {
  binary: string;
  source: string;
  destinations: readonly string[];
  auditPort: number;
  metricsPort: number;
  dir: string;
  env: Record<string, string>;
}

export interface RunningCourier {
  proc: Subprocess;
  logFile: string;
  /** Calls `listener` for every line read from now on; returns a function that stops it. */
  onLine(listener: (line: CourierLine) => void): () => void;
}

/**
 * The command line, without tokens: those go in the environment, where `ps` does not show them.
 * Debug level, because each sync's "synced" line is a debug line.
 */
export function courierArgs(
  opts: Pick<CourierOptions, "source" | "destinations" | "auditPort" | "metricsPort">,
): string[] {
  return [
    "run",
    `--vault.source.address=${opts.source}`,
    `--vault.destinations.addresses=${opts.destinations.join(",")}`,
    `--vault.audit_address=127.0.0.1:${opts.auditPort}`,
    `--http.address=127.0.0.1:${opts.metricsPort}`,
    "--log.format=json",
    "--log.level=debug",
    "--worker.concurrency=2",
  ];
}

export async function startCourier(
  opts: CourierOptions,
  register: (proc: Subprocess) => void,
): Promise<RunningCourier> {
  const logFile = join(opts.dir, "courier.log");
  const proc = Bun.spawn([opts.binary, ...courierArgs(opts)], {
    cwd: opts.dir,
    env: {
      ...opts.env,
      VAULT_TOKEN: ROOT_TOKEN,
      COURIER_VAULT_DESTINATIONS_TOKENS: ROOT_TOKEN,
      COURIER_STATE_DIR: join(opts.dir, "state"),
    },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
    detached: true,
  });
  register(proc);

  const listeners = new Set<(line: CourierLine) => void>();
  const ready = new Promise<void>((resolve) => {
    const stop = subscribe(listeners, (line) => {
      if (line.kind !== "ready") return;
      stop();
      resolve();
    });
  });
  void readLines(proc.stderr, (raw) => {
    try {
      appendFileSync(logFile, `${raw}\n`);
    } catch {
      // the sandbox is stopping and its directory is already gone
    }
    const line = parseCourierLine(raw);
    if (line) for (const listener of listeners) listener(line);
  });

  const outcome = await Promise.race([
    ready.then(() => "ready" as const),
    proc.exited.then(() => "exited" as const),
    Bun.sleep(READY_TIMEOUT_MS).then(() => "timeout" as const),
  ]);
  if (outcome !== "ready") {
    await Bun.sleep(50); // let the last lines reach the log file
    const why = outcome === "exited" ? `exited with ${proc.exitCode}` : "did not start listening in time";
    throw new Error(`Courier ${why}:\n${tail(logFile)}`);
  }
  return { proc, logFile, onLine: (listener) => subscribe(listeners, listener) };
}

function subscribe<T>(set: Set<T>, item: T): () => void {
  set.add(item);
  return () => set.delete(item);
}

/** Splits a byte stream into lines (without "\n"); a last unterminated line is delivered too. */
async function readLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      onLine(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
  }
  if (pending !== "") onLine(pending);
}

/** Whether Courier answers /metrics (a Courier without its metrics server simply does not). */
export async function servesMetrics(metricsPort: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
      signal: AbortSignal.timeout(1_000),
    });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}
