// `--write-config FILE`: the effective configuration as a commented YAML file. A token is never
// written into it: a token given inline (flag, environment) goes to a file of its own beside the
// config, mode 0600, and the config names that file.
import { basename, dirname, extname, join, resolve } from "node:path";
import { redactConfig, renderConfigYaml } from "../config/output.ts";
import type { Config, VaultTarget } from "../config/schema.ts";
import { writeSetupFile } from "./files.ts";
import type { Journal } from "./journal.ts";

const HEADER = [
  "Courier configuration, written by `courier setup --write-config`.",
  "Tokens live in the files token_file names (mode 0600), never in this file.",
].join("\n");

/** Writes the config (and any token files it needs); returns the config's absolute path. */
export function writeConfig(config: Config, file: string, journal: Journal): string {
  const path = resolve(file);
  const written = structuredClone(config);
  const stem = basename(path, extname(path));
  const targets: [string, VaultTarget][] = [
    ["source", written.vault.source],
    ...written.vault.destinations.list.map((target, i): [string, VaultTarget] => [
      `destination-${i + 1}`,
      target,
    ]),
  ];
  for (const [label, target] of targets) {
    if (target.token === "" || target.token_file !== "") continue;
    const tokenFile = join(dirname(path), `${stem}-${label}.token`);
    report(journal, tokenFile, writeSetupFile(journal, tokenFile, `${target.token}\n`, 0o600));
    target.token_file = tokenFile;
    target.token = "";
  }
  report(
    journal,
    path,
    writeSetupFile(journal, path, renderConfigYaml(redactConfig(written), HEADER), 0o644),
  );
  return path;
}

function report(journal: Journal, path: string, outcome: ReturnType<typeof writeSetupFile>): void {
  if (outcome === "wrote") journal.say(`wrote ${path}`);
  if (outcome === "unchanged") journal.say(`${path} is up to date`);
}
