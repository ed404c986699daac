// The agent started in this process, against Vault doubles, with its logs kept for assertions:
// passes are asserted by what the destinations hold and by the agent's own log lines.
import { type AgentTuning, type RunningAgent, startAgent } from "../../src/agent/index.ts";
import { loadConfig } from "../../src/config/load.ts";
import { freshStateDir } from "../support/courier-process.ts";
import { captureLogs } from "../support/log-capture.ts";
import type { Vault } from "../sync/vault-fixture.ts";

export interface AgentRun {
  agent: RunningAgent;
  /** Every JSON log line so far. */
  logs(): Record<string, unknown>[];
  /** The "reconcile pass finished" lines so far. */
  passes(): Record<string, unknown>[];
  /** Waits for a log line with this msg (and matching fields), or fails after `ms`. */
  waitForLog(msg: string, fields?: Record<string, unknown>, ms?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function runAgent(
  source: Pick<Vault, "address">,
  destinations: Pick<Vault, "address">[],
  flags: string[] = [],
  tuning: AgentTuning = {},
): Promise<AgentRun> {
  const { config } = await loadConfig({
    env: {},
    argv: [
      `--vault.source.address=${source.address}`,
      "--vault.source.token=root",
      `--vault.destinations.addresses=${destinations.map((d) => d.address).join(",")}`,
      "--vault.destinations.tokens=root",
      "--vault.audit_address=udp://127.0.0.1:0",
      "--worker.concurrency=1",
      // Its own unless the test gives one: what a run remembers reaches only a restart that asks.
      ...(flags.some((flag) => flag.startsWith("--state.dir")) ? [] : [`--state.dir=${freshStateDir()}`]),
      ...flags,
    ],
    needs: { source: true, destinations: true },
  });
  const captured = captureLogs({ level: "debug" });
  const agent = await startAgent(config, captured.log, tuning);
  const matches = (record: Record<string, unknown>, msg: string, fields: Record<string, unknown>) =>
    record.msg === msg && Object.entries(fields).every(([k, v]) => record[k] === v);
  return {
    agent,
    logs: captured.records,
    passes: () => captured.records().filter((r) => r.msg === "reconcile pass finished"),
    async waitForLog(msg, fields = {}, ms = 8_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = captured.records().find((r) => matches(r, msg, fields));
        if (found) return found;
        if (Date.now() > deadline) {
          throw new Error(`no log line "${msg}" ${JSON.stringify(fields)}; logs:\n${captured.text()}`);
        }
        await Bun.sleep(20);
      }
    },
    stop: () => agent.stop(),
  };
}

/** Waits until `check` holds, or fails after `ms` with what it last saw. */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  ms = 8_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`still not there after ${ms} ms: ${JSON.stringify(value)}`);
    await Bun.sleep(25);
  }
}
