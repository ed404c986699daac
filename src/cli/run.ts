// `courier run` (alias `auditServer`, the original Courier's name): load the configuration,
// start the agent, and on SIGINT/SIGTERM stop it and exit 0. A second signal exits at once.
import { defineCommand } from "citty";
import { startAgent } from "../agent/index.ts";
import { buildInfo } from "../build-info.ts";
import type { Config } from "../config/schema.ts";
import type { Logger } from "../observe/logger.ts";
import { commandArgs, prepare, runAction } from "./common.ts";

export interface Agent {
  stop(): Promise<void>;
}
export type StartAgent = (config: Config, log: Logger) => Promise<Agent>;

export default defineCommand({
  meta: {
    name: "run",
    alias: "auditServer",
    description: "Listen to the source Vault's audit stream and keep every destination equal to it.",
  },
  args: () => commandArgs(),
  run: ({ rawArgs }) => runAction(() => runAgent(rawArgs)),
});

/** Runs until a signal; returns the exit code. `start` is the agent (replaceable in tests). */
export async function runAgent(rawArgs: readonly string[], start: StartAgent = startAgent): Promise<number> {
  const { config, log } = await prepare(rawArgs, {
    needs: { source: true, destinations: true },
    announce: "info",
  });
  const stopping = untilSignal(log);
  const { version, commit } = buildInfo();
  log.info("courier starting", { version, commit });
  const agent = await start(config, log);
  const signal = await stopping;
  log.info("stopping", { signal });
  await agent.stop();
  log.info("stopped");
  return 0;
}

/** Resolves with the first SIGINT/SIGTERM, even one that arrives while the agent is starting. */
function untilSignal(log: Logger): Promise<string> {
  return new Promise((resolve) => {
    let seen = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (seen) {
        log.warn("second signal: exiting without waiting for in-flight work", { signal });
        process.exit(1);
      }
      seen = true;
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
