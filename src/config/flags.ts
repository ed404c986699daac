// Command-line flags. Every setting is a flag named by its key, as in the original Go Courier:
// `--vault.source.address x` or `--vault.source.address=x`; dashes and underscores are the same
// (`--vault.source.token-file`). Booleans also take `--no-<key>`. Commands add their own flags.
import { fromFlag, type Layer } from "./origin.ts";
import { didYouMean } from "./problems.ts";
import { SETTINGS, type Setting } from "./settings.ts";

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
      if (value === undefined && next !== undefined && BOOLEAN_WORDS.has(next.toLowerCase())) {
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

function isBoolean(target: Target): boolean {
  if (target.kind === "setting") return target.setting.meta.kind === "boolean";
  return target.kind === "command" && target.flag.type === "boolean";
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
