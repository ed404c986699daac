// What every command shares. First, what a command that talks to Vault does before anything else:
// load and validate the configuration, make the logger (with every token registered for
// redaction), log the warnings, and log the effective configuration, redacted, with where each
// non-default setting came from. Then the settings as citty arguments, so `courier <command>
// --help` lists every flag with its description, environment variable and default (parsing is
// done by config/sources.ts, which knows the value kinds and refuses unknown flags; citty only
// shows them). Last, how a command ends when something goes wrong: a CourierError prints one line
// per problem ("courier: …") and exits with its code; anything else is a bug in Courier, printed
// as "courier: internal error: …" with exit code 70. No stack traces for what a user can fix.
import type { ArgsDef } from "citty";
import type { Requirements } from "../config/load.ts";
import { loadConfig } from "../config/load.ts";
import { redactConfig } from "../config/output.ts";
import type { Config } from "../config/schema.ts";
import { describeDefault, SETTINGS, type Setting } from "../config/settings.ts";
import { CONFIG_ENV, type CommandFlags } from "../config/sources.ts";
import { CourierError, messageOf } from "../errors.ts";
import { createLogger, createScrubber, type Logger } from "../observe/logger.ts";
import { type PassCounts, type ProgressReporter, reportProgress } from "../observe/progress.ts";

// What reportFailure prints passes this, with every token prepare read registered.
const scrubber = createScrubber();

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
  // Tokens read at start-up: never printed, even inside an error message.
  for (const secret of loaded.secrets) scrubber.add(secret);
  const { config } = loaded;
  const log = createLogger({
    level: config.log.level,
    format: config.log.format,
    secrets: loaded.secrets,
    // A log line takes the place of a progress line being drawn, which is drawn again later.
    write: (line) => {
      progressShown?.clear();
      process.stderr.write(line);
    },
  });
  for (const warning of loaded.warnings) log.warn(warning);
  log[options.announce ?? "debug"]("configuration", { config: redactConfig(config), from: loaded.origins });
  return { config, log, flags: loaded.flags, positionals: loaded.positionals };
}

/**
 * Progress of a one-shot pass: a line redrawn on stderr when it is a terminal, otherwise the
 * log's "reconcile pass progress" line every 10 s; quiet for a pass that ends quickly.
 */
export function startProgress(counts: PassCounts, log: Logger): ProgressReporter {
  const terminal = process.stderr.isTTY ? process.stderr : undefined;
  const reporter = reportProgress(counts, { terminal, log });
  progressShown = reporter;
  return {
    clear: reporter.clear,
    stop() {
      reporter.stop();
      if (progressShown === reporter) progressShown = undefined;
    },
  };
}

/** The progress line on the terminal now, if any: log lines clear it first. */
let progressShown: ProgressReporter | undefined;

// The settings as citty arguments.

const HINTS: Record<string, string> = {
  duration: "duration",
  size: "size",
  integer: "n",
  list: "a,b",
  "secret-list": "a,b",
  secret: "token",
};

export function commandArgs(commandFlags: CommandFlags = {}): ArgsDef {
  const args: ArgsDef = {};
  for (const [name, flag] of Object.entries(commandFlags)) {
    args[name] = {
      type: flag.type,
      description: flag.description,
      alias: flag.alias,
      valueHint: flag.valueHint,
    };
  }
  args.config = { type: "string", description: `YAML config file [${CONFIG_ENV}]`, valueHint: "file" };
  for (const setting of SETTINGS) {
    if (!setting.flag) continue;
    args[setting.flag] = {
      type: setting.meta.kind === "boolean" ? "boolean" : "string",
      description: describe(setting),
      valueHint: setting.meta.kind === "boolean" ? undefined : hint(setting),
    };
  }
  return args;
}

/** "Time between full passes … [COURIER_SYNC_INTERVAL] (default: 15m)" */
function describe(setting: Setting): string {
  const fallback = describeDefault(setting);
  const shown = fallback === "(empty)" || fallback === "(none)" ? "" : ` (default: ${fallback})`;
  return `${setting.description} [${setting.env.join(", ")}]${shown}`;
}

/** The placeholder after "=": --vault.source.token_file=<path>, --sync.interval=<duration>. */
function hint(setting: Setting): string {
  if (setting.meta.choices) return setting.meta.choices.join("|");
  if (setting.meta.hint) return setting.meta.hint;
  if (/(_file|_cert|_key|\.dir)$/.test(setting.key)) return "path";
  if (/\.address(es)?$/.test(setting.key)) return setting.key.startsWith("vault.") ? "url" : "host:port";
  return HINTS[setting.meta.kind] ?? "value";
}

// How a command ends.

/**
 * Prints the failure and returns the exit code.
 * reportFailure(new CourierError("CONFIG_INVALID", "a\nb"), write) → 2, after writing "courier: a\ncourier: b\n"
 */
export function reportFailure(
  error: unknown,
  write = (text: string) => void process.stderr.write(text),
): number {
  if (error instanceof CourierError) {
    const lines = error.message.split("\n").filter((line) => line.trim() !== "");
    write(scrubber.scrub(lines.map((line) => `courier: ${line}\n`).join("")));
    return error.exitCode;
  }
  const message = messageOf(error);
  write(scrubber.scrub(`courier: internal error: ${message}\n`));
  return 70;
}

/**
 * A failure that stopped a command part-way, keeping the code of a CourierError (INTERNAL otherwise).
 * stoppedBy("replay stopped", new CourierError("VAULT_ERROR", "403")) → VAULT_ERROR "replay stopped: 403"
 */
export function stoppedBy(context: string, error: unknown): CourierError {
  const message = `${context}: ${messageOf(error)}`;
  return new CourierError(error instanceof CourierError ? error.code : "INTERNAL", message, { cause: error });
}

/** Runs a command's body (which may return an exit code); on failure prints it and exits with its code. */
export async function runAction(action: () => Promise<unknown>): Promise<void> {
  let code: number;
  try {
    const result = await action();
    code = typeof result === "number" ? result : 0;
  } catch (error) {
    code = reportFailure(error);
  }
  process.exit(code);
}
