// The configuration reference for the README, generated from the schema so it cannot drift:
// every setting with its flag, environment variables, file key, default and description.
// scripts/gen-config-docs.ts writes it between the markers below; a test checks it is current.

import { describeDefault, SETTINGS, type Setting } from "./settings.ts";
import { CONFIG_ENV } from "./sources.ts";

export const REFERENCE_BEGIN = "<!-- config:begin -->";
export const REFERENCE_END = "<!-- config:end -->";

export function renderReference(): string {
  const lines = [
    "Every setting is a flag, an environment variable and a key in the YAML config file. A flag wins",
    "over the environment, the environment over the file, the file over the default. For the source",
    "Vault, Vault's own variables (`VAULT_ADDR`, `VAULT_TOKEN`, …) are read too, below the `COURIER_`",
    "names. Durations are written as Vault writes them (`500ms`, `30s`, `15m`, `1h30m`; `0`), sizes in",
    "bytes or with a unit (`64KiB`, `8MiB`), lists comma-separated or as YAML lists, booleans as",
    "`true`/`false` (`1`/`0`, `t`/`f` too). In flags, `-` and `_` are the same (`--vault.source.token-file`),",
    "a boolean flag alone means true and `--no-<flag>` false. Generated from the schema by",
    "`bun scripts/gen-config-docs.ts`.",
    "",
    "| File key | Flag | Environment | Default | Description |",
    "|---|---|---|---|---|",
    `| — | \`--config FILE\` | \`${CONFIG_ENV}\` | (none) | YAML config file to read. |`,
    ...SETTINGS.map(row),
  ];
  return lines.join("\n");
}

function row(setting: Setting): string {
  const flag = setting.flag ? `\`--${setting.flag}\`` : "file only";
  const env = setting.env.length > 0 ? setting.env.map((name) => `\`${name}\``).join(", ") : "—";
  const fallback = describeDefault(setting);
  const literal = setting.meta.docDefault === undefined && !fallback.startsWith("(");
  const cells = [`\`${setting.key}\``, flag, env, literal ? `\`${fallback}\`` : fallback, describe(setting)];
  return `| ${cells.map((cell) => cell.replaceAll("|", "\\|")).join(" | ")} |`;
}

function describe(setting: Setting): string {
  if (!setting.items) return setting.description;
  const keys = setting.items.map((item) => `\`${item.key}\``).join(", ");
  return `${setting.description} Item keys: ${keys}.`;
}

/**
 * The README with its reference section replaced, or appended under a heading if the markers are missing.
 * replaceReference("a\n<!-- config:begin -->\nold\n<!-- config:end -->\n") → "a\n<!-- config:begin -->\n<new>\n<!-- config:end -->\n"
 */
export function replaceReference(readme: string, reference = renderReference()): string {
  const block = `${REFERENCE_BEGIN}\n${reference}\n${REFERENCE_END}`;
  const begin = readme.indexOf(REFERENCE_BEGIN);
  const end = readme.indexOf(REFERENCE_END);
  if (begin === -1 || end === -1 || end < begin) {
    return `${readme.trimEnd()}\n\n## Configuration\n\n${block}\n`;
  }
  return readme.slice(0, begin) + block + readme.slice(end + REFERENCE_END.length);
}

/** The text between the markers, or undefined when the README has none. */
export function currentReference(readme: string): string | undefined {
  const begin = readme.indexOf(REFERENCE_BEGIN);
  const end = readme.indexOf(REFERENCE_END);
  if (begin === -1 || end === -1 || end < begin) return undefined;
  return readme
    .slice(begin + REFERENCE_BEGIN.length, end)
    .replace(/^\n/, "")
    .replace(/\n$/, "");
}
