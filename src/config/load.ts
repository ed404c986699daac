// Loading the configuration: the layers from flags, environment and file merged (flag > env >
// file > default), validated by the schema, checked across settings, then token files read and
// the default sender allowlist worked out. Every problem is collected and reported at once as a
// ConfigError (exit code 2), one line each, naming the setting and where its value came from.
import * as v from "valibot";
import { CourierError } from "../errors.ts";
import { defaultAllowlist } from "./addresses.ts";
import { type Config, ConfigSchema } from "./schema.ts";
import { isSecret, SETTINGS_BY_KEY, type Setting } from "./settings.ts";
import {
  type CommandFlags,
  DEFAULT_ORIGIN,
  describeOrigin,
  didYouMean,
  type Environment,
  type Layer,
  mergeLayers,
  nest,
  parseArgv,
  problemAt,
  readConfigFile,
  readEnv,
} from "./sources.ts";
import { type PlannedVault, planVaults, resolveVaults, type VaultPlan } from "./vaults.ts";

/** What a command needs: `run` needs both, `courier setup policy` neither. */
export interface Requirements {
  /** A way to log in to the source Vault. */
  source?: boolean;
  /** At least one destination, each with a way to log in. */
  destinations?: boolean;
}

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
  // An item's own map is no part of reaching its Vault: it rides along, item by item.
  const maps = config.vault.destinations.list.map((item) => item.map);
  config.vault.destinations.list = resolved.destinations.map((d, i) => ({ ...d, map: maps[i] ?? [] }));
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

/** Every problem found while loading, reported together so one run shows them all. */
export class ConfigError extends CourierError {
  constructor(readonly problems: readonly string[]) {
    super("CONFIG_INVALID", problems.join("\n"));
  }
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

/** Rules that span settings: what a command needs, pairs that go together, and mistakes no
 * single value shows (a destination that is the source itself). */
function checkConfig(config: Config, plan: VaultPlan, given: Layer, needs: Requirements): string[] {
  const problems: string[] = [];
  const origin = (key: string) => given.get(key)?.origin ?? DEFAULT_ORIGIN;
  if (needs.source && plan.source.auth === "none") {
    problems.push(
      problemAt(
        "vault.source.token",
        DEFAULT_ORIGIN,
        "no way to log in to the source Vault: set --vault.source.token-file, COURIER_VAULT_SOURCE_TOKEN or VAULT_TOKEN, or vault.source.approle.role_id_file and secret_id_file",
      ),
    );
  }
  if (needs.destinations && plan.destinations.length === 0) {
    problems.push(
      problemAt(
        "vault.destinations.addresses",
        origin("vault.destinations.addresses"),
        "no destination Vault: set --vault.destinations.addresses, or vault.destinations.list in the config file",
      ),
    );
  }
  // With tokens miscounted, a destination left without one is the same mistake: say it once.
  for (const vault of plan.problems.length === 0 ? plan.destinations : []) {
    if (needs.destinations && vault.auth === "none") {
      problems.push(
        problemAt(
          vault.where,
          vault.originOf("addresses"),
          "no way to log in: set vault.destinations.tokens or token_files (one for all, or one per destination), or an AppRole",
        ),
      );
    }
  }
  for (const vault of [plan.source, ...plan.destinations]) problems.push(...checkPairs(vault));
  problems.push(...checkSameVaults(plan));
  if (config.retry.initial > config.retry.max) {
    problems.push(problemAt("retry.initial", origin("retry.initial"), "must not be longer than retry.max"));
  }
  return problems;
}

/** Settings that only work together: a client certificate and its key; an AppRole's two files. */
function checkPairs(vault: PlannedVault): string[] {
  const problems: string[] = [];
  const { tls, approle } = vault.target;
  if ((tls.client_cert === "") !== (tls.client_key === "")) {
    const missing = tls.client_cert === "" ? "client_cert" : "client_key";
    const present = missing === "client_cert" ? "client_key" : "client_cert";
    problems.push(
      problemAt(
        `${vault.where}.tls.${present}`,
        vault.originOf(`tls.${present}`),
        `needs tls.${missing} too`,
      ),
    );
  }
  if (vault.auth === "approle" && (approle.role_id_file === "" || approle.secret_id_file === "")) {
    const missing = approle.role_id_file === "" ? "role_id_file" : "secret_id_file";
    problems.push(problemAt(vault.authKey, vault.authOrigin, `AppRole login needs approle.${missing} too`));
  }
  return problems;
}

/** A destination that is the source, or two destinations that are one Vault, is a mistake. */
function checkSameVaults(plan: VaultPlan): string[] {
  const problems: string[] = [];
  const identity = (vault: PlannedVault) => `${vault.target.address.toLowerCase()}|${vault.target.namespace}`;
  const seen = new Map<string, string>([[identity(plan.source), "the source Vault"]]);
  for (const vault of plan.destinations) {
    const same = seen.get(identity(vault));
    if (same !== undefined) {
      problems.push(problemAt(`${vault.where}.address`, vault.originOf("addresses"), `is ${same} again`));
    }
    seen.set(identity(vault), vault.where);
  }
  return problems;
}

// Schema issues turned into problem lines that name the setting and where its value came from.
type Issue = v.BaseIssue<unknown>;

/**
 * One line per issue.
 * an issue at ["worker","concurrency"] from flag --worker.concurrency with input "abc"
 *   → 'worker.concurrency (flag --worker.concurrency): must be a whole number of at least 1, got "abc"'
 */
function describeIssues(issues: readonly Issue[], given: Layer): string[] {
  return issues.map((issue) => describeIssue(issue, given));
}

function describeIssue(issue: Issue, given: Layer): string {
  const path = (issue.path ?? []).map((item) => item.key as string | number);
  const { setting, depth } = findSetting(path);
  const shown = showPath(path);
  const origin = (setting && given.get(setting.key)?.origin) ?? DEFAULT_ORIGIN;
  if (issue.type === "strict_object") {
    const candidates = setting?.items?.map((item) => item.key) ?? [];
    return problemAt(shown, origin, `unknown setting${didYouMean(String(path.at(-1)), candidates)}`);
  }
  const item = setting?.items ? findItem(setting.items, path.slice(depth + 1)) : undefined;
  const secret = (setting !== undefined && isSecret(setting)) || (item !== undefined && isSecret(item));
  return problemAt(shown, origin, `${issue.message}${quoteValue(issue.input, secret)}`);
}

/** The setting a path lies in, and how many path parts its key takes. */
function findSetting(path: readonly (string | number)[]): { setting?: Setting; depth: number } {
  for (let depth = 1; depth <= path.length; depth++) {
    const setting = SETTINGS_BY_KEY.get(path.slice(0, depth).join("."));
    if (setting) return { setting, depth };
  }
  return { depth: path.length };
}

function findItem(items: readonly Setting[], rest: readonly (string | number)[]): Setting | undefined {
  const key = rest.filter((part) => typeof part === "string").join(".");
  return items.find((item) => item.key === key);
}

/** ["vault","destinations","list",1,"tls","ca_cert"] → "vault.destinations.list[1].tls.ca_cert" */
function showPath(path: readonly (string | number)[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join("");
}

/**
 * The value as a message may quote it: short, and never for a secret.
 * quoteValue("abc", false) → ', got "abc"'; quoteValue("hvs.x", true) → ""
 */
export function quoteValue(value: unknown, secret: boolean): string {
  if (secret || value === undefined) return "";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return `, got ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}
