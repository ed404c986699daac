// `courier setup`: check every Vault and token, enable the audit device on the source, and
// optionally write the config file and a systemd unit. `courier setup policy` prints the
// policies Courier's tokens need.
import { defineCommand } from "citty";
import { parseArgv } from "../config/sources.ts";
import { runSetup, SETUP_FLAGS, setupChoices } from "../setup/run.ts";
import { commandArgs, prepare, runAction } from "./common.ts";

export default defineCommand({
  meta: {
    name: "setup",
    description:
      "Check the Vaults and tokens, enable the source's audit device for Courier, and optionally write the config file and a systemd unit.",
  },
  args: () => commandArgs(SETUP_FLAGS),
  subCommands: {
    policy: () => import("./setup-policy.ts").then((m) => m.default),
  },
  run: ({ rawArgs }) => runAction(() => setupCommand(rawArgs)),
});

/** Runs setup with the command's arguments; returns the exit code. */
async function setupCommand(
  rawArgs: readonly string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { config, flags } = await prepare(rawArgs, {
    flags: SETUP_FLAGS,
    needs: { source: true, destinations: true },
    env,
  });
  const configFile = parseArgv(rawArgs, SETUP_FLAGS).configFile ?? env.COURIER_CONFIG;
  return runSetup(config, setupChoices(flags), { configFile });
}
