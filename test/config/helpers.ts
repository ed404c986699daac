// Loading a configuration the way a command does, from flags, an environment and a YAML file
// written to a temporary folder; and catching the problems it reports.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, type Loaded, type LoadOptions, loadConfig } from "../../src/config/load.ts";

export interface Scratch {
  dir: string;
  /** Writes a file (mode 0600 unless told) and returns its path. */
  file(name: string, content: string, mode?: number): string;
  remove(): void;
}

export function scratch(): Scratch {
  const dir = mkdtempSync(join(tmpdir(), "courier-config-"));
  return {
    dir,
    file(name, content, mode = 0o600) {
      const path = join(dir, name);
      writeFileSync(path, content);
      chmodSync(path, mode);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Given {
  argv?: string[];
  env?: Record<string, string>;
  /** YAML text; written to a file and named with --config. */
  file?: string;
  needs?: LoadOptions["needs"];
}

export async function load(given: Given, where: Scratch): Promise<Loaded> {
  const argv = [...(given.argv ?? [])];
  if (given.file !== undefined) argv.push(`--config=${where.file("courier.yaml", given.file)}`);
  return loadConfig({ argv, env: given.env ?? {}, needs: given.needs, resolveHost: async () => [] });
}

/** The problem lines a load reports; fails the test when it loads fine. */
export async function problemsOf(given: Given, where: Scratch): Promise<string[]> {
  try {
    await load(given, where);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("expected the configuration to be refused, but it loaded");
}
