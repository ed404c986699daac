// Loading the configuration: flags > environment > file > defaults, validated by the schema,
// checked across settings, then token files read. Every problem is collected and reported at
// once as a ConfigError (exit code 2), one line each.
import * as v from "valibot";
import { defaultAllowlist } from "./addresses.ts";
import { checkConfig, type Requirements } from "./checks.ts";
import { type Environment, readEnv } from "./env.ts";
import { readConfigFile } from "./file.ts";
import { type CommandFlags, parseArgv } from "./flags.ts";
import { describeIssues } from "./issues.ts";
import { describeOrigin, type Layer, mergeLayers, nest } from "./origin.ts";
import { ConfigError } from "./problems.ts";
import { resolveVaults } from "./resolve.ts";
import { type Config, ConfigSchema } from "./schema.ts";
import { planVaults, type VaultPlan } from "./vaults.ts";

export interface LoadOptions {
  /** The command's arguments, after its name. */
  argv?: readonly string[];
  env?: Environment;
  /** Flags the command takes besides the settings (e.g. --dry-run). */
  commandFlags?: CommandFlags;
  /** What the command cannot work without. */
  needs?: Requirements;
  /** How many positional arguments the command takes (replay takes its FILE). */
  positionals?: number;
  /** How a source host name resolves, for the default sender allowlist. */
  resolveHost?: (host: string) => Promise<string[]>;
}

export interface Loaded {
  /**
   * The effective configuration. Tokens are read from their files; vault.source and every
   * item of vault.destinations.list (however the destinations were given) carry exactly one
   * way to log in; vault.audit_allow is filled in when it was left empty.
   */
  config: Config;
  /** Where each setting that is not at its default came from: {"log.level": "env COURIER_LOG_LEVEL"}. */
  origins: Record<string, string>;
  /** Things to log at start, at warn. Never hold a secret. */
  warnings: string[];
  /** Token values, to register with the logger's redaction guard. */
  secrets: string[];
  /** The command's own flags. */
  flags: Record<string, string | boolean>;
  positionals: string[];
}

export async function loadConfig(options: LoadOptions = {}): Promise<Loaded> {
  const env = options.env ?? process.env;
  const argv = parseArgv(options.argv ?? [], options.commandFlags);
  const fromEnv = readEnv(env);
  const problems = [...argv.problems];
  const extra = argv.positionals.slice(options.positionals ?? 0);
  if (extra.length > 0)
    problems.push(`unexpected argument${extra.length > 1 ? "s" : ""}: ${extra.join(" ")}`);

  const configPath = argv.configFile ?? fromEnv.configFile;
  const file = configPath
    ? await readConfigFile(configPath, argv.configFile ? "flag --config" : "env COURIER_CONFIG")
    : { layer: new Map(), problems: [] };
  problems.push(...file.problems);

  const given = mergeLayers([file.layer, fromEnv.layer, argv.layer]);
  const checked = validateGiven(given, options.needs);
  problems.push(...checked.problems);
  if (!checked.valid || problems.length > 0) throw new ConfigError(problems);
  const { config, plan } = checked;

  const resolved = await resolveVaults(plan.source, plan.destinations);
  if (resolved.problems.length > 0) throw new ConfigError(resolved.problems);
  const warnings = [...fromEnv.warnings, ...resolved.warnings];
  config.vault.source = resolved.source;
  config.vault.destinations.list = resolved.destinations;
  if (config.vault.audit_allow.length === 0) {
    const allow = await defaultAllowlist(config.vault.source.address, options.resolveHost);
    config.vault.audit_allow = allow.cidrs;
    if (allow.warning) warnings.push(allow.warning);
  }

  const origins: Record<string, string> = {};
  for (const [key, { origin }] of given) origins[key] = describeOrigin(origin);
  if (configPath) origins.config = `file ${configPath}`;
  return {
    config,
    origins,
    warnings,
    secrets: resolved.secrets,
    flags: argv.command,
    positionals: argv.positionals,
  };
}

export type Validated =
  | { valid: true; config: Config; plan: VaultPlan; problems: string[] }
  | { valid: false; problems: string[] };

/** The pure half of loading: merged values → a validated config and the Vaults to reach. */
export function validateGiven(given: Layer, needs: Requirements = {}): Validated {
  const parsed = v.safeParse(ConfigSchema, nest(given));
  if (!parsed.success) return { valid: false, problems: describeIssues(parsed.issues, given) };
  const config = parsed.output;
  const plan = planVaults(config, given);
  const problems = [...plan.problems, ...checkConfig(config, plan, given, needs)];
  return problems.length > 0 ? { valid: false, problems } : { valid: true, config, plan, problems };
}
