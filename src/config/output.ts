// The configuration as Courier shows it: redacted for the start-up log, written back as a
// commented YAML config file, and rendered as the reference table in the README. All three are
// read off the schema's settings, so none can drift from what Courier accepts; none ever shows
// a token.
import type { Config } from "./schema.ts";
import { describeDefault, isSecret, SETTINGS, type Setting } from "./settings.ts";
import { CONFIG_ENV } from "./sources.ts";
import { formatDuration, formatSize } from "./values.ts";

// ── Redaction ───────────────────────────────────────────────────────────────────────────────────────
// Every token is "***" (an unset one stays "", so a missing token shows); file paths are
// shown; durations and sizes read as they are written ("15m", "8MiB").

const MASK = "***";

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
function showValue(setting: Setting, value: unknown): unknown {
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

// ── The YAML writer ─────────────────────────────────────────────────────────────────────────────────
// Each setting under a comment with its description, in schema order. Tokens are never written:
// a token setting becomes a comment pointing at its token_file, so a written file holds file
// references only.

interface Node {
  name: string;
  setting?: Setting;
  children: Node[];
}

/**
 * renderConfigYaml(redactConfig(config)) → "vault:\n  source:\n    # Address of the source Vault…\n    address: \"https://…\"\n…"
 * Destinations are written as vault.destinations.list (the effective, resolved form).
 */
export function renderConfigYaml(given: Shown, header = ""): string {
  const shown = structuredClone(given);
  const lines: string[] = header === "" ? [] : header.split("\n").map((line) => `# ${line}`.trimEnd());
  const destinations = (shown.vault as Shown | undefined)?.destinations as Shown | undefined;
  if (destinations && Array.isArray(destinations.list) && destinations.list.length > 0) {
    // The list already carries every destination; writing the lists too would say it twice.
    destinations.addresses = [];
    destinations.tokens = [];
    destinations.token_files = [];
  }
  for (const node of tree(SETTINGS)) renderNode(node, shown, 0, lines);
  return `${lines.join("\n")}\n`;
}

function renderNode(node: Node, values: Shown, depth: number, lines: string[]): void {
  const pad = "  ".repeat(depth);
  const value = values[node.name];
  if (!node.setting) {
    lines.push(`${pad}${node.name}:`);
    for (const child of node.children) renderNode(child, (value ?? {}) as Shown, depth + 1, lines);
    return;
  }
  lines.push(`${pad}# ${node.setting.description}`);
  if (isSecret(node.setting)) {
    lines.push(`${pad}# ${node.name}: never written to a file; use the token file setting next to it`);
    return;
  }
  if (node.setting.meta.kind === "entries") {
    renderEntries(node, Array.isArray(value) ? (value as Shown[]) : [], pad, lines);
    return;
  }
  lines.push(`${pad}${node.name}: ${scalar(value)}`);
}

function renderEntries(node: Node, items: Shown[], pad: string, lines: string[]): void {
  if (items.length === 0) {
    lines.push(`${pad}${node.name}: []`);
    return;
  }
  lines.push(`${pad}${node.name}:`);
  for (const item of items) {
    const body: string[] = [];
    for (const child of tree(node.setting?.items ?? [])) renderItem(child, item, 0, body);
    body.forEach((line, i) => {
      lines.push(`${pad}  ${i === 0 ? "- " : "  "}${line}`);
    });
  }
}

/** An item of a list of mappings: every setting but secrets, so nothing falls back to shared ones. */
function renderItem(node: Node, values: Shown, depth: number, lines: string[]): void {
  const pad = "  ".repeat(depth);
  const value = values[node.name];
  if (!node.setting) {
    lines.push(`${pad}${node.name}:`);
    for (const child of node.children) renderItem(child, (value ?? {}) as Shown, depth + 1, lines);
    return;
  }
  if (isSecret(node.setting)) return;
  lines.push(`${pad}${node.name}: ${scalar(value)}`);
}

/** A YAML scalar or flow list; strings in JSON quoting, which YAML reads as double-quoted. */
function scalar(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(scalar).join(", ")}]`;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value ?? "");
}

/** Settings as a tree of sections, in schema order. */
function tree(settings: readonly Setting[]): Node[] {
  const roots: Node[] = [];
  for (const setting of settings) {
    const parts = setting.key.split(".");
    let level = roots;
    for (const part of parts.slice(0, -1)) {
      let section = level.find((node) => node.name === part && !node.setting);
      if (!section) {
        section = { name: part, children: [] };
        level.push(section);
      }
      level = section.children;
    }
    level.push({ name: parts.at(-1) as string, setting, children: [] });
  }
  return roots;
}

// ── The README reference ────────────────────────────────────────────────────────────────────────────
// Every setting with its flag, environment variables, file key, default and description.
// scripts/gen-config-docs.ts writes it between the markers below; a test checks it is current.

const REFERENCE_BEGIN = "<!-- config:begin -->";
const REFERENCE_END = "<!-- config:end -->";

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
