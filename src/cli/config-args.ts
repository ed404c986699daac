// The settings as citty arguments, so `courier <command> --help` lists every flag with its
// description, environment variable and default. Parsing is done by config/flags.ts, which
// knows the value kinds and refuses unknown flags; citty only shows them.
import type { ArgsDef } from "citty";
import { describeDefault, SETTINGS, type Setting } from "../config/settings.ts";
import type { CommandFlags } from "../config/sources.ts";
import { CONFIG_ENV } from "../config/sources.ts";

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
