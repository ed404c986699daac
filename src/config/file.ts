// The YAML config file: the same settings, nested by their dotted keys
// (`vault: { source: { address: … } }`). Unknown keys are errors, with a suggestion.
import { fromFile, type Layer } from "./origin.ts";
import { didYouMean, problemAt } from "./problems.ts";
import { SECTIONS, SETTINGS, SETTINGS_BY_KEY } from "./settings.ts";

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
    const reason = error instanceof Error ? error.message : String(error);
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
