// The effective configuration as it may be shown: in the start-up log, and as the base of a
// written config file. Every token is "***" (an unset one stays "", so a missing token shows);
// file paths are shown; durations and sizes read as they are written ("15m", "8MiB").
import type { Config } from "./schema.ts";
import { SETTINGS, type Setting } from "./settings.ts";
import { formatDuration, formatSize } from "./values.ts";

export const MASK = "***";

export type Shown = Record<string, unknown>;

/**
 * redactConfig(config).vault.source → {address:"https://vault:8200", token:"***", token_file:"/etc/courier/source.token", …}
 */
export function redactConfig(config: Config): Shown {
  return showSettings(SETTINGS, config as unknown as Shown);
}

function showSettings(settings: readonly Setting[], values: Shown): Shown {
  const out: Shown = {};
  for (const setting of settings) {
    const parts = setting.key.split(".");
    let from: unknown = values;
    let to = out;
    for (const part of parts.slice(0, -1)) {
      from = (from as Shown | undefined)?.[part];
      to[part] ??= {};
      to = to[part] as Shown;
    }
    const name = parts.at(-1) as string;
    to[name] = showValue(setting, (from as Shown | undefined)?.[name]);
  }
  return out;
}

/**
 * One setting's value for display.
 * showValue(tokenSetting, "hvs.abc") → "***"; showValue(intervalSetting, 900000) → "15m"
 */
export function showValue(setting: Setting, value: unknown): unknown {
  switch (setting.meta.kind) {
    case "secret":
      return value === "" || value === undefined ? "" : MASK;
    case "secret-list":
      return Array.isArray(value) ? value.map(() => MASK) : [];
    case "duration":
      return typeof value === "number" ? formatDuration(value) : value;
    case "size":
      return typeof value === "number" ? formatSize(value) : value;
    case "entries":
      return Array.isArray(value)
        ? value.map((item) => showSettings(setting.items ?? [], item as Shown))
        : [];
    default:
      return Array.isArray(value) ? [...value] : value;
  }
}
