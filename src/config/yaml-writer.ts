// A config file written from a shown (redacted) configuration, each setting under a comment
// with its description, in schema order. Tokens are never written: a token setting becomes a
// comment pointing at its token_file, so a written file holds file references only.
import type { Shown } from "./redact.ts";
import { isSecret, SETTINGS, type Setting } from "./settings.ts";

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
