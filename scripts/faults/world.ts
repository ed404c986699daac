// One fault row's world: a source and two destination doubles, the source writing its audit log
// to a file (so it keeps answering when Courier's device fails) and to Courier over UDP or TCP,
// and Courier itself — a real process by default, or the agent inside this process when a row
// needs to reach its worker threads. The source is filled before Courier starts, so its start-up
// pass copies everything and a row begins in sync.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningAgent, startAgent } from "../../src/agent/index.ts";
import { loadConfig } from "../../src/config/load.ts";
import {
  type Harness,
  ROOT_TOKEN,
  startHarness,
  type Transport,
} from "../../test/support/courier-harness.ts";
import { captureLogs } from "../../test/support/log-capture.ts";
import { VaultApi } from "../../test/support/vault-api.ts";
import { startVaultDouble, type VaultDouble } from "../../test/support/vault-double/index.ts";
import { WriteLoad } from "./load.ts";

export interface WorldOptions {
  transport: Transport;
  keys: number;
  /** Run the agent in this process (for killing a worker thread). */
  inProcess?: boolean;
  /** More Courier flags. */
  flags?: string[];
}

/**
 * The flags every Courier of the matrix runs with (the report says so). With --sync.prune a pass
 * also deletes what only a destination holds, so a delete whose entry was lost is caught up too.
 */
export const COURIER_FLAGS = [
  "--http.address=127.0.0.1:0",
  "--retry.initial=200ms",
  "--retry.max=5s",
  "--sync.prune=true",
];

export interface FaultWorld {
  source: VaultApi;
  destinations: VaultApi[];
  doubles: { source: VaultDouble; destinations: VaultDouble[] };
  /** Flags that point `courier diff` at the same Vaults. */
  vaultFlags: string[];
  /** Where the running Courier serves /metrics (changes when it is restarted). */
  metricsUrl(): string;
  /** The Courier process, when it is one. */
  harness?: Harness;
  agent?: RunningAgent;
  /** Log lines at error level so far (every Courier of the row). */
  errors(): string[];
  /** Starts Courier again after it was killed, listening where it did. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startWorld(options: WorldOptions): Promise<FaultWorld> {
  const fill = async (source: VaultApi) => {
    await source.mount("kv1", "kv", { version: "1" });
    await WriteLoad.fill(source, options.keys);
  };
  return options.inProcess ? inProcessWorld(options, fill) : processWorld(options, fill);
}

async function processWorld(
  options: WorldOptions,
  fill: (source: VaultApi) => Promise<void>,
): Promise<FaultWorld> {
  const h = await startHarness({
    transport: options.transport,
    destinations: 2,
    flags: [...COURIER_FLAGS, ...(options.flags ?? [])],
    prepare: fill,
  });
  let url = await metricsAddress(h);
  const errorsBefore: string[] = [];
  const errorsOf = () =>
    h.courier
      .logs()
      .filter((r) => r.level === "error")
      .map((r) => r.msg);
  return {
    source: h.source,
    destinations: h.destinations,
    doubles: h.doubles,
    vaultFlags: vaultFlags(h.doubles.source, h.doubles.destinations),
    metricsUrl: () => url,
    harness: h,
    errors: () => [...errorsBefore, ...errorsOf()],
    async restart() {
      errorsBefore.push(...errorsOf());
      await h.restart();
      url = await metricsAddress(h);
    },
    async stop() {
      await h.stop();
    },
  };
}

async function metricsAddress(h: Harness): Promise<string> {
  return String((await h.courier.waitForLog("serving /healthz, /readyz and /metrics")).address);
}

async function inProcessWorld(
  options: WorldOptions,
  fill: (source: VaultApi) => Promise<void>,
): Promise<FaultWorld> {
  const source = await startVaultDouble({ rootToken: ROOT_TOKEN });
  const destinations = await Promise.all([0, 1].map(() => startVaultDouble({ rootToken: ROOT_TOKEN })));
  const sourceApi = new VaultApi(source.address, ROOT_TOKEN);
  const trail = `/tmp/courier-faults-${process.pid}-${Date.now()}.log`;
  await sourceApi.must("PUT", "sys/audit/trail", { type: "file", options: { file_path: trail } });
  await fill(sourceApi);
  const flags = vaultFlags(source, destinations);
  const { config } = await loadConfig({
    env: {},
    argv: [
      ...flags,
      `--vault.audit_address=${options.transport}://127.0.0.1:0`,
      // Its own state directory: what this world's Courier manages must not leak into another's.
      `--state.dir=${mkdtempSync(join(tmpdir(), "courier-faults-state-"))}`,
      ...COURIER_FLAGS,
      ...(options.flags ?? []),
    ],
    needs: { source: true, destinations: true },
  });
  const captured = captureLogs({ level: "info", secrets: [ROOT_TOKEN] });
  const agent = await startAgent(config, captured.log);
  const records = () => captured.records();
  const find = async (msg: string) => {
    for (let i = 0; i < 1000; i++) {
      const found = records().find((r) => r.msg === msg);
      if (found) return found;
      await Bun.sleep(10);
    }
    throw new Error(`the agent never logged "${msg}"`);
  };
  const url = String((await find("serving /healthz, /readyz and /metrics")).address);
  await find("reconcile pass finished");
  const address = agent.listener.address.replace(/^[a-z]+:\/\//, "");
  await sourceApi.must("PUT", "sys/audit/courier", {
    type: "socket",
    options: { socket_type: options.transport, address },
  });
  return {
    source: sourceApi,
    destinations: destinations.map((d) => new VaultApi(d.address, ROOT_TOKEN)),
    doubles: { source, destinations },
    vaultFlags: flags,
    metricsUrl: () => url,
    agent,
    errors: () =>
      records()
        .filter((r) => r.level === "error")
        .map((r) => String(r.msg)),
    async restart() {
      throw new Error("an agent in this process is not restarted");
    },
    async stop() {
      await agent.stop();
      await Promise.all([source.stop(), ...destinations.map((d) => d.stop())]);
      await Bun.file(trail)
        .delete()
        .catch(() => {});
    },
  };
}

function vaultFlags(source: VaultDouble, destinations: VaultDouble[]): string[] {
  return [
    `--vault.source.address=${source.address}`,
    `--vault.source.token=${ROOT_TOKEN}`,
    `--vault.destinations.addresses=${destinations.map((d) => d.address).join(",")}`,
    `--vault.destinations.tokens=${ROOT_TOKEN}`,
  ];
}
