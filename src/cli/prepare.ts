// What every command that talks to Vault does first: load and validate the configuration, make
// the logger (with every token registered for redaction), log the warnings, and log the
// effective configuration, redacted, with where each non-default setting came from.
import type { Requirements } from "../config/load.ts";
import { loadConfig } from "../config/load.ts";
import { redactConfig } from "../config/output.ts";
import type { Config } from "../config/schema.ts";
import type { CommandFlags } from "../config/sources.ts";
import { createLogger, type Logger } from "../observe/logger.ts";
import { protectSecrets } from "./failure.ts";

export interface PrepareOptions {
  flags?: CommandFlags;
  needs?: Requirements;
  positionals?: number;
  /** The level of the effective-configuration line: info for `run`, debug for one-shot commands. */
  announce?: "info" | "debug";
  env?: Record<string, string | undefined>;
}

export interface Prepared {
  config: Config;
  log: Logger;
  /** The command's own flags, by their declared names. */
  flags: Record<string, string | boolean>;
  positionals: string[];
}

export async function prepare(rawArgs: readonly string[], options: PrepareOptions = {}): Promise<Prepared> {
  const loaded = await loadConfig({
    argv: rawArgs,
    env: options.env,
    commandFlags: options.flags,
    needs: options.needs,
    positionals: options.positionals,
  });
  protectSecrets(loaded.secrets);
  const { config } = loaded;
  const log = createLogger({ level: config.log.level, format: config.log.format, secrets: loaded.secrets });
  for (const warning of loaded.warnings) log.warn(warning);
  log[options.announce ?? "debug"]("configuration", { config: redactConfig(config), from: loaded.origins });
  return { config, log, flags: loaded.flags, positionals: loaded.positionals };
}
