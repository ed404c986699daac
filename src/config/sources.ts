// Where settings come from: command-line flags, environment variables and the YAML config file,
// each read into a layer of values that remember their origin, so precedence can be decided and
// every message can say which flag, variable or file to fix. Precedence: flag > env > file >
// default; Vault's own variables (VAULT_ADDR, …) sit just below Courier's COURIER_* names.

import { messageOf } from "../errors.ts";
import { SECTIONS, SETTINGS, SETTINGS_BY_KEY, type Setting } from "./settings.ts";

export type OriginKind = "flag" | "env" | "file" | "default";

export interface Origin {
  kind: OriginKind;
  /** "--vault.source.address", "VAULT_ADDR", "/etc/courier/courier.yaml", or "" for a default. */
  name: string;
  /** Higher wins. */
  rank: number;
}

/** A value as given, before it is read and validated. */
export interface Given {
  value: unknown;
  origin: Origin;
}

/** One source's values, by setting key. */
export type Layer = Map<string, Given>;

export const RANK = { flag: 5, env: 4, vaultEnv: 3, file: 2, default: 1 } as const;

export const DEFAULT_ORIGIN: Origin = { kind: "default", name: "", rank: RANK.default };

export function fromFlag(name: string): Origin {
  return { kind: "flag", name, rank: RANK.flag };
}

export function fromEnv(name: string, courierOwn: boolean): Origin {
  return { kind: "env", name, rank: courierOwn ? RANK.env : RANK.vaultEnv };
}

export function fromFile(path: string): Origin {
  return { kind: "file", name: path, rank: RANK.file };
}

/**
 * For messages and the start-up log.
 * describeOrigin(fromEnv("VAULT_ADDR", false)) → "env VAULT_ADDR"; describeOrigin(DEFAULT_ORIGIN) → "default"
 */
export function describeOrigin(origin: Origin): string {
  return origin.kind === "default" ? "default" : `${origin.kind} ${origin.name}`;
}

/** The strongest value for each key across layers; on equal rank the later layer wins. */
export function mergeLayers(layers: readonly Layer[]): Layer {
  const merged: Layer = new Map();
  for (const layer of layers) {
    for (const [key, given] of layer) {
      const held = merged.get(key);
      if (!held || given.origin.rank >= held.origin.rank) merged.set(key, given);
    }
  }
  return merged;
}

/**
 * Dotted keys to the nested object the schema reads.
 * nest(new Map([["log.level", {value:"debug",…}]])) → {log:{level:"debug"}}
 */
export function nest(layer: Layer): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, { value }] of layer) {
    const parts = key.split(".");
    let node = root;
    for (const part of parts.slice(0, -1)) {
      node[part] ??= {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts.at(-1) as string] = value;
  }
  return root;
}

/**
 * One problem line.
 * problemAt("worker.concurrency", fromFlag("--worker.concurrency"), "must be …")
 *   → "worker.concurrency (flag --worker.concurrency): must be …"
 */
export function problemAt(key: string, origin: Origin, text: string): string {
  return `${key} (${describeOrigin(origin)}): ${text}`;
}

/**
 * A suggestion for a mistyped name: a candidate ending the same way, or one a few edits away.
 * didYouMean("source.address", ["vault.source.address"]) → "; did you mean vault.source.address?"
 */
export function didYouMean(
  word: string,
  candidates: Iterable<string>,
  compareAs: (name: string) => string = (name) => name,
): string {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const form = compareAs(candidate);
    const score = form.endsWith(`.${word}`) ? 0 : editDistance(word, form);
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 4));
  return best !== undefined && bestScore <= limit ? `; did you mean ${best}?` : "";
}

// ── Flags ───────────────────────────────────────────────────────────────────────────────────────────
// Every setting is a flag named by its key, as in the original Go Courier:
// `--vault.source.address x` or `--vault.source.address=x`; dashes and underscores are the same
// (`--vault.source.token-file`). Booleans also take `--no-<key>`. Commands add their own flags.

export interface CommandFlag {
  type: "boolean" | "string";
  description: string;
  /** A one-letter alias, given as -x. */
  alias?: string;
  valueHint?: string;
}
export type CommandFlags = Record<string, CommandFlag>;

export interface ArgvResult {
  /** Setting values given as flags (strings, as typed). */
  layer: Layer;
  /** The --config FILE path, if given. */
  configFile?: string;
  /** The command's own flags, by their declared names. */
  command: Record<string, string | boolean>;
  positionals: string[];
  problems: string[];
}

type Target =
  | { kind: "setting"; setting: Setting }
  | { kind: "command"; name: string; flag: CommandFlag }
  | { kind: "config" };

/** "vault.source.token-file" → "vault.source.token_file" */
const normalise = (name: string) => name.replaceAll("-", "_");
const BOOLEAN_WORDS = new Set(["true", "false"]);

export function parseArgv(argv: readonly string[], commandFlags: CommandFlags = {}): ArgvResult {
  const targets = flagTargets(commandFlags);
  const out: ArgvResult = { layer: new Map(), command: {}, positionals: [], problems: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-" || !arg.startsWith("-")) {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const written = eq === -1 ? arg : arg.slice(0, eq);
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    let target = lookup(targets, written, commandFlags);
    let negated = false;
    if (!target && written.startsWith("--no-") && value === undefined) {
      const positive = lookup(targets, `--${written.slice(5)}`, commandFlags);
      if (positive && isBoolean(positive)) [target, negated] = [positive, true];
    }
    if (!target) {
      out.problems.push(unknownFlag(written, commandFlags));
      continue;
    }
    if (target.kind === "setting" && target.setting.meta.fileOnly) {
      out.problems.push(`flag ${written}: ${target.setting.key} can only be set in the config file`);
      continue;
    }
    if (isBoolean(target)) {
      const next = argv[i + 1];
      if (value === undefined && next !== undefined && takesWord(target, next.toLowerCase())) {
        value = next;
        i++;
      }
      value = negated ? "false" : (value ?? "true");
    } else if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("-") && next !== "-")) {
        out.problems.push(`flag ${written} needs a value (${written}=VALUE)`);
        continue;
      }
      value = next;
      i++;
    }
    record(out, target, written, value);
  }
  return out;
}

function record(out: ArgvResult, target: Target, written: string, value: string): void {
  if (target.kind === "config") {
    out.configFile = value;
  } else if (target.kind === "command") {
    out.command[target.name] = target.flag.type === "boolean" ? value !== "false" : value;
  } else {
    const held = out.layer.get(target.setting.key);
    const kind = target.setting.meta.kind;
    // A list flag may be repeated: --sync.mounts a/ --sync.mounts b/ means both.
    const joined = held && (kind === "list" || kind === "secret-list") ? `${held.value},${value}` : value;
    out.layer.set(target.setting.key, { value: joined, origin: fromFlag(written) });
  }
}

/** A flag that may stand alone: a boolean, or a choice that once was one (sync.prune). */
function isBoolean(target: Target): boolean {
  if (target.kind === "setting") {
    return target.setting.meta.kind === "boolean" || target.setting.meta.fromBoolean !== undefined;
  }
  return target.kind === "command" && target.flag.type === "boolean";
}

/** `--sync.prune all` takes "all" as its value; `--sync.prune audit.log` stands alone. */
function takesWord(target: Target, word: string): boolean {
  if (BOOLEAN_WORDS.has(word)) return true;
  return target.kind === "setting" && (target.setting.meta.choices?.includes(word) ?? false);
}

function flagTargets(commandFlags: CommandFlags): Map<string, Target> {
  const targets = new Map<string, Target>([["config", { kind: "config" }]]);
  for (const setting of SETTINGS) targets.set(normalise(setting.key), { kind: "setting", setting });
  for (const [name, flag] of Object.entries(commandFlags)) {
    targets.set(normalise(name), { kind: "command", name, flag });
  }
  return targets;
}

function lookup(
  targets: Map<string, Target>,
  written: string,
  commandFlags: CommandFlags,
): Target | undefined {
  if (written.startsWith("--")) return targets.get(normalise(written.slice(2)));
  if (/^-[A-Za-z]$/.test(written)) {
    const entry = Object.entries(commandFlags).find(([, flag]) => flag.alias === written.slice(1));
    return entry ? { kind: "command", name: entry[0], flag: entry[1] } : undefined;
  }
  return undefined;
}

function unknownFlag(written: string, commandFlags: CommandFlags): string {
  const names = [
    "config",
    ...SETTINGS.filter((s) => !s.meta.fileOnly).map((s) => s.key),
    ...Object.keys(commandFlags),
  ];
  const hint = didYouMean(normalise(written.replace(/^-+/, "")), names, normalise);
  return `unknown flag ${written}${hint.replace("mean ", "mean --")}`;
}

// ── Environment ─────────────────────────────────────────────────────────────────────────────────────
// COURIER_<KEY> for every setting (dots become underscores), then, below those, Vault's own
// VAULT_* for the source and systemd's STATE_DIRECTORY. Empty means unset.

export const CONFIG_ENV = "COURIER_CONFIG";

export interface EnvResult {
  layer: Layer;
  configFile?: string;
  /** COURIER_* names that look like settings but are none: probably a typo. */
  warnings: string[];
}

export type Environment = Record<string, string | undefined>;

export function readEnv(env: Environment): EnvResult {
  const out: EnvResult = { layer: new Map(), warnings: [] };
  const known = new Set<string>([CONFIG_ENV]);
  for (const setting of SETTINGS) {
    for (const [index, name] of setting.env.entries()) {
      known.add(name);
      const value = env[name];
      if (value === undefined || value === "" || out.layer.has(setting.key)) continue;
      // systemd passes every StateDirectory= it created, colon-separated: Courier asks for one.
      const given = name === "STATE_DIRECTORY" ? (value.split(":")[0] as string) : value;
      out.layer.set(setting.key, { value: given, origin: fromEnv(name, index === 0) });
    }
  }
  if (env[CONFIG_ENV]) out.configFile = env[CONFIG_ENV];
  out.warnings = unknownNames(env, known);
  return out;
}

const SECTION_PREFIXES = [
  ...new Set(SETTINGS.map((s) => `COURIER_${(s.key.split(".")[0] as string).toUpperCase()}_`)),
];

function unknownNames(env: Environment, known: Set<string>): string[] {
  const warnings: string[] = [];
  for (const name of Object.keys(env)) {
    if (known.has(name) || !SECTION_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    const hint = didYouMean(
      name,
      [...known].filter((n) => n.startsWith("COURIER_")),
    );
    warnings.push(`environment variable ${name} is not a Courier setting and is ignored${hint}`);
  }
  return warnings;
}

// ── The config file ─────────────────────────────────────────────────────────────────────────────────
// The same settings, nested by their dotted keys (`vault: { source: { address: … } }`).
// Unknown keys are errors, with a suggestion.

export interface FileResult {
  layer: Layer;
  problems: string[];
}

/** Reads and flattens the file at `path`; `via` says how it was named ("flag --config"). */
export async function readConfigFile(path: string, via: string): Promise<FileResult> {
  let text: string;
  try {
    text = await Bun.file(path).text();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error);
    return { layer: new Map(), problems: [`config file ${path} (${via}): cannot be read: ${reason}`] };
  }
  let document: unknown;
  try {
    document = Bun.YAML.parse(text);
  } catch (error) {
    const reason = messageOf(error);
    return { layer: new Map(), problems: [`config file ${path} (${via}): not valid YAML: ${reason}`] };
  }
  return flattenDocument(document, path);
}

/**
 * The file's values by setting key; an empty value (`token:`) counts as unset.
 * flattenDocument({log:{level:"debug"}}, "c.yaml").layer → Map {"log.level" → "debug" from file c.yaml}
 */
export function flattenDocument(document: unknown, path: string): FileResult {
  const out: FileResult = { layer: new Map(), problems: [] };
  if (document === null || document === undefined) return out;
  if (!isMapping(document)) {
    out.problems.push(`config file ${path}: must be a mapping of settings (vault:, sync:, …)`);
    return out;
  }
  walk(document, "", path, out);
  return out;
}

function walk(node: Record<string, unknown>, prefix: string, path: string, out: FileResult): void {
  const origin = fromFile(path);
  for (const [name, value] of Object.entries(node)) {
    const key = prefix === "" ? name : `${prefix}.${name}`;
    if (value === null) continue;
    if (SETTINGS_BY_KEY.has(key)) {
      out.layer.set(key, { value, origin });
    } else if (SECTIONS.has(key)) {
      if (isMapping(value)) walk(value, key, path, out);
      else out.problems.push(problemAt(key, origin, "must be a mapping of settings"));
    } else {
      const hint = didYouMean(key, [...SECTIONS, ...SETTINGS.map((s) => s.key)]);
      out.problems.push(problemAt(key, origin, `unknown setting${hint}`));
    }
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** editDistance("tokne", "token") → 2 */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
