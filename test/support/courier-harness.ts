// One end-to-end set-up: a source Vault double, destination doubles, Courier running as a process
// and listening for the source's audit stream, and the source's socket audit device pointed at it
// (enabled after Courier listens, as Vault writes a test entry on enabling). A file audit device
// on the source keeps a trail of every entry, so tests can replay real lines.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CourierProcess, spawnCourier } from "./courier-process.ts";
import { VaultApi } from "./vault-api.ts";
import { startVaultDouble, type VaultDouble, type VaultDoubleOptions } from "./vault-double/index.ts";

export type Transport = "udp" | "tcp" | "unix";

/**
 * Every double's root token. Not "root": Courier hides its tokens wherever they appear in a log
 * line, and a token that is an ordinary word would hide that word too ("policy root" → "policy ***").
 */
export const ROOT_TOKEN = "hvs.e2e-root-token-0123456789";

export interface HarnessOptions {
  transport: Transport;
  /** How many destinations (default 2). */
  destinations?: number;
  /** More courier flags, e.g. ["--sync.deletes=false"]. */
  flags?: string[];
  /** The compiled courier; default: `bun src/main.ts`. */
  binary?: string;
  /** More socket audit device options, e.g. {prefix: "vault:"}. */
  device?: Record<string, string>;
  /** Enable the source's socket audit device towards Courier (default true). */
  connectAudit?: boolean;
  /** Per destination (by index), how its double is made, e.g. {namespaces: false}. */
  destinationDoubles?: VaultDoubleOptions[];
  /** Runs before Courier starts, e.g. to mount engines or make namespaces. */
  prepare?(source: VaultApi, destinations: VaultApi[]): Promise<unknown>;
  /** Makes the token Courier uses on the source, after prepare (default: the root token). */
  sourceToken?(source: VaultApi): Promise<string>;
}

export interface Harness {
  source: VaultApi;
  destinations: VaultApi[];
  doubles: { source: VaultDouble; destinations: VaultDouble[] };
  courier: CourierProcess;
  /** Where Courier listens, as it logged it: "udp://127.0.0.1:40123", "unix:///tmp/…/audit.sock". */
  listening: string;
  /** Every line the source's file audit device wrote so far, parsed. */
  // biome-ignore lint/suspicious/noExplicitAny: audit entries, read by field
  trail(): { line: string; entry: any }[];
  /** Turns the source's audit device towards Courier off (writes then reach the trail only) and on. */
  auditToCourier(on: boolean): Promise<void>;
  /**
   * Stops Courier (SIGTERM; answers its exit code) and starts a new one listening where the old
   * one did, so the source's audit device reconnects to it as it would after an upgrade.
   */
  restart(between?: () => Promise<unknown>): Promise<number>;
  /** Stops Courier with SIGTERM and answers its exit code, then stops the doubles. */
  stop(): Promise<number>;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "courier-e2e-"));
  const source = await startVaultDouble({ rootToken: ROOT_TOKEN });
  const destinations = await Promise.all(
    Array.from({ length: options.destinations ?? 2 }, (_, i) =>
      startVaultDouble({ ...options.destinationDoubles?.[i], rootToken: ROOT_TOKEN }),
    ),
  );
  const sourceApi = new VaultApi(source.address, ROOT_TOKEN);
  const destinationApis = destinations.map((d) => new VaultApi(d.address, ROOT_TOKEN));
  const trailPath = join(dir, "audit.log");
  await sourceApi.must("PUT", "sys/audit/trail", { type: "file", options: { file_path: trailPath } });
  await options.prepare?.(sourceApi, destinationApis);
  const sourceToken = (await options.sourceToken?.(sourceApi)) ?? ROOT_TOKEN;

  const flags = (audit: string) => [
    `--vault.source.address=${source.address}`,
    `--vault.source.token=${sourceToken}`,
    `--vault.destinations.addresses=${destinations.map((d) => d.address).join(",")}`,
    `--vault.destinations.tokens=${ROOT_TOKEN}`,
    `--vault.audit_address=${audit}`,
    // One state directory across restarts, as a host keeps it: what was managed stays known.
    `--state.dir=${join(dir, "state")}`,
    ...(options.flags ?? []),
  ];
  let courier = spawnCourier(flags(listenAddress(options.transport, dir)), { binary: options.binary });
  const stopAll = async () => {
    const code = await courier.stop();
    await Promise.all([source.stop(), ...destinations.map((d) => d.stop())]);
    rmSync(dir, { recursive: true, force: true });
    return code;
  };
  try {
    const listening = await untilReady(courier);
    const device = {
      type: "socket",
      options: { ...deviceAddress(options.transport, listening), ...options.device },
    };
    if (options.connectAudit !== false) await sourceApi.must("PUT", "sys/audit/courier", device);
    const harness: Harness = {
      source: sourceApi,
      destinations: destinationApis,
      doubles: { source, destinations },
      courier,
      listening,
      trail: () => readAuditTrail(trailPath),
      async auditToCourier(on) {
        if (on) await sourceApi.must("PUT", "sys/audit/courier", device);
        else await sourceApi.must("DELETE", "sys/audit/courier");
      },
      async restart(between) {
        const code = await courier.stop();
        await between?.();
        courier = spawnCourier(flags(listening), { binary: options.binary });
        harness.courier = courier;
        await untilReady(courier);
        return code;
      },
      stop: stopAll,
    };
    return harness;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Every line a file audit device wrote so far, parsed. */
export function readAuditTrail(path: string) {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => ({ line, entry: JSON.parse(line) }));
}

/** Waits until Courier listens and its start-up pass has ended; answers where it listens. */
export async function untilReady(courier: CourierProcess): Promise<string> {
  const ready = await courier.waitForLog("listening for audit entries");
  // Courier walks the source once at start; tests begin once that walk has ended (finished, or
  // not for want of rights), so a key a test writes later is only ever synced because of what
  // the audit stream says about it.
  await courier.waitFor(
    (r) => /^reconcile pass (finished|did not finish)/.test(r.msg) && r.reason === "start-up",
    "the end of the start-up reconcile pass",
  );
  return String(ready.address);
}

/** Port 0: Courier logs the port it got, so parallel test files never collide. */
function listenAddress(transport: Transport, dir: string): string {
  return transport === "unix" ? `unix://${join(dir, "audit.sock")}` : `${transport}://127.0.0.1:0`;
}

/** "tcp://127.0.0.1:40123" → {socket_type: "tcp", address: "127.0.0.1:40123"} */
export function deviceAddress(transport: Transport, listening: string): Record<string, string> {
  return { socket_type: transport, address: listening.replace(/^[a-z]+:\/\//, "") };
}
