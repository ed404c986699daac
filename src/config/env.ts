// Environment variables: COURIER_<KEY> for every setting (dots become underscores), then, below
// those, Vault's own VAULT_* for the source and systemd's STATE_DIRECTORY. Empty means unset.
import { fromEnv, type Layer } from "./origin.ts";
import { didYouMean } from "./problems.ts";
import { SETTINGS } from "./settings.ts";

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
