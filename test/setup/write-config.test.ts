// --write-config: the effective configuration as a file that loads back to the same settings,
// with every token in a 0600 file of its own and none in the config.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { writeConfig } from "../../src/setup/files.ts";
import { Journal } from "../../src/setup/journal.ts";
import { captured } from "./helpers.ts";

const SOURCE_TOKEN = "hvs.source-inline-token-0001";
const DESTINATION_TOKEN = "hvs.destination-inline-token-0002";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "courier-write-config-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function effective(argv: string[], env: Record<string, string> = {}) {
  return (await loadConfig({ argv, env, needs: { source: true, destinations: true } })).config;
}

const FLAGS = [
  "--vault.source.address=https://127.0.0.1:8201",
  "--vault.destinations.addresses=https://127.0.0.1:8202,https://127.0.0.1:8203",
  `--vault.destinations.tokens=${DESTINATION_TOKEN}`,
  "--sync.mounts=secret/,team/kv/",
  "--sync.interval=5m",
  "--vault.audit_address=tcp://127.0.0.1:1300",
];

describe("--write-config", () => {
  test("loads back through the config loader to the same configuration, and holds no token", async () => {
    const config = await effective(FLAGS, { VAULT_TOKEN: SOURCE_TOKEN });
    const io = captured();
    const file = join(dir, "courier.yaml");
    expect(writeConfig(config, file, new Journal(false, io.output))).toBe(file);

    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(SOURCE_TOKEN);
    expect(text).not.toContain(DESTINATION_TOKEN);
    expect(text).toStartWith("# Courier configuration, written by `courier setup --write-config`.\n");

    const reloaded = await effective([`--config=${file}`]);
    expect(reloaded.vault.source.token).toBe(SOURCE_TOKEN);
    expect(reloaded.vault.destinations.list.map((d) => d.token)).toEqual([
      DESTINATION_TOKEN,
      DESTINATION_TOKEN,
    ]);
    const withoutFiles = (c: typeof config) => {
      const copy = structuredClone(c);
      for (const target of [copy.vault.source, ...copy.vault.destinations.list]) target.token_file = "";
      // The file says every destination in the list form: the flag-friendly lists stay empty.
      copy.vault.destinations.tokens = [];
      copy.vault.destinations.addresses = [];
      return copy;
    };
    expect(withoutFiles(reloaded)).toEqual(withoutFiles(config));
  });

  test("an inline token goes to a 0600 file beside the config, which names it", async () => {
    const config = await effective(FLAGS, { VAULT_TOKEN: SOURCE_TOKEN });
    const io = captured();
    writeConfig(config, join(dir, "courier.yaml"), new Journal(false, io.output));
    const sourceFile = join(dir, "courier-source.token");
    expect(readFileSync(sourceFile, "utf8")).toBe(`${SOURCE_TOKEN}\n`);
    expect(statSync(sourceFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, "courier-destination-2.token"), "utf8")).toBe(`${DESTINATION_TOKEN}\n`);
    expect(readFileSync(join(dir, "courier.yaml"), "utf8")).toContain(
      `token_file: ${JSON.stringify(sourceFile)}`,
    );
    expect(io.out().split("\n")).toEqual([
      `wrote ${sourceFile}`,
      `wrote ${join(dir, "courier-destination-1.token")}`,
      `wrote ${join(dir, "courier-destination-2.token")}`,
      `wrote ${join(dir, "courier.yaml")}`,
      "",
    ]);
  });

  test("a token read from a file stays there: the config names that file, and no other is written", async () => {
    const own = join(dir, "own.token");
    writeFileSync(own, `${SOURCE_TOKEN}\n`, { mode: 0o600 });
    const config = await effective([...FLAGS, `--vault.source.token-file=${own}`]);
    writeConfig(config, join(dir, "courier.yaml"), new Journal(false, captured().output));
    expect(existsSync(join(dir, "courier-source.token"))).toBe(false);
    expect(readFileSync(join(dir, "courier.yaml"), "utf8")).toContain(`token_file: ${JSON.stringify(own)}`);
  });

  test("a second write of the same configuration changes nothing and says so", async () => {
    const config = await effective(FLAGS, { VAULT_TOKEN: SOURCE_TOKEN });
    const file = join(dir, "courier.yaml");
    writeConfig(config, file, new Journal(false, captured().output));
    const io = captured();
    writeConfig(config, file, new Journal(false, io.output));
    expect(io.out()).toContain(`${file} is up to date`);
  });

  test("in a dry run, names the files and writes none", async () => {
    const config = await effective(FLAGS, { VAULT_TOKEN: SOURCE_TOKEN });
    const io = captured();
    writeConfig(config, join(dir, "courier.yaml"), new Journal(true, io.output));
    expect(io.out()).toContain(`would write ${join(dir, "courier-source.token")} (mode 0600)`);
    expect(io.out()).toContain(`would write ${join(dir, "courier.yaml")} (mode 0644)`);
    expect(existsSync(join(dir, "courier.yaml"))).toBe(false);
    expect(existsSync(join(dir, "courier-source.token"))).toBe(false);
  });
});
