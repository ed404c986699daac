// Courier as a user runs it: the compiled binary (dist/courier, built when its sources changed),
// `courier run` with the default configuration but for the addresses it must be told.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBinary } from "../../../test/support/binary.ts";
import { type Child, spawnChild } from "./child.ts";

export interface CourierOptions {
  source: { address: string; token: string };
  destinations: { address: string; token: string }[];
  /** "udp://127.0.0.1:40000" */
  auditAddress: string;
  /** More settings as flags ("--audit.max_rate=0"); say in the report why any was needed. */
  flags?: string[];
}

export interface CourierProcess {
  child: Child;
  binary: string;
  /** ms from spawn to the "listening for audit entries" log line. */
  listeningAfterMs: number;
  /** The command line, tokens left out (they go by environment). */
  command: string;
  stop(): Promise<void>;
}

export async function startCourier(options: CourierOptions): Promise<CourierProcess> {
  // Another build to compare with, or a profiling run from source:
  // BENCH_COURIER_COMMAND="/tmp/courier-before" or "bun --cpu-prof-md src/main.ts".
  const command = process.env.BENCH_COURIER_COMMAND?.split(" ").filter(Boolean) ?? [await ensureBinary()];
  const binary = command.join(" ");
  const stateDir = mkdtempSync(join(tmpdir(), "courier-bench-"));
  const args = courierArgs(options, stateDir);
  const child = spawnChild([...command, ...args], courierEnv(options));
  const stop = async () => {
    await child.stop(5_000);
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    const { ms } = await child.waitFor(/"listening for audit entries"|listening for audit entries/, 20_000);
    return {
      child,
      binary,
      listeningAfterMs: ms,
      command: `dist/courier ${args.join(" ")}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The `run` command line; `stateDir` is a fresh directory the caller removes afterwards. */
export function courierArgs(options: CourierOptions, stateDir: string): string[] {
  return [
    "run",
    `--vault.source.address=${options.source.address}`,
    `--vault.destinations.addresses=${options.destinations.map((d) => d.address).join(",")}`,
    `--vault.audit_address=${options.auditAddress}`,
    `--state.dir=${stateDir}`,
    "--log.format=json",
    ...(options.flags ?? []),
    // To compare settings on the same benchmark: BENCH_COURIER_FLAGS="--worker.concurrency=1".
    ...(process.env.BENCH_COURIER_FLAGS ?? "").split(" ").filter(Boolean),
  ];
}

export function courierEnv(options: CourierOptions): Record<string, string> {
  return {
    VAULT_TOKEN: options.source.token,
    COURIER_VAULT_DESTINATIONS_TOKENS: options.destinations.map((d) => d.token).join(","),
  };
}

/** A UDP port nobody holds right now (bound to port 0, then released). */
export async function freeUdpPort(): Promise<number> {
  const socket = await Bun.udpSocket({ hostname: "127.0.0.1", port: 0 });
  const port = socket.port;
  socket.close();
  return port;
}

/** A TCP port nobody holds right now (for --http.address). */
export function freeTcpPort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}
