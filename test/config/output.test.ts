import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { validateGiven } from "../../src/config/load.ts";
import {
  currentReference,
  redactConfig,
  renderConfigYaml,
  renderReference,
  replaceReference,
} from "../../src/config/output.ts";
import { SETTINGS } from "../../src/config/settings.ts";
import { flattenDocument } from "../../src/config/sources.ts";
import { load, scratch } from "./helpers.ts";

const where = scratch();
afterAll(() => where.remove());

const TOKENS = [
  "hvs.SOURCEinlinetoken0001",
  "hvs.SOURCEfiletoken00002",
  "dest-one-secret",
  "dest-two-secret",
];

async function loadedWithTokens() {
  const sourceFile = where.file("source.token", `${TOKENS[1]}\n`);
  const destFile = where.file("dest2.token", `${TOKENS[3]}\n`);
  return load(
    {
      argv: [
        `--vault.source.token_file=${sourceFile}`,
        "--vault.destinations.addresses=http://127.0.0.1:8201,http://127.0.0.1:8202",
        "--sync.interval=1h30m",
        "--audit.udp_receive_buffer=16MiB",
      ],
      env: { COURIER_VAULT_DESTINATIONS_TOKENS: TOKENS[2] as string, VAULT_TOKEN: TOKENS[0] as string },
      file: `vault:\n  destinations:\n    token_files: ["${destFile}"]\n`,
      needs: { source: true, destinations: true },
    },
    where,
  );
}

describe("the effective configuration as shown", () => {
  test("shows every token as *** and every token file path as given", async () => {
    const { config } = await loadedWithTokens();
    const shown = redactConfig(config);
    const text = JSON.stringify(shown);
    for (const token of TOKENS) expect(text).not.toContain(token);
    const vault = shown.vault as { source: Record<string, unknown>; destinations: Record<string, unknown> };
    expect(vault.source.token).toBe("***");
    expect(vault.source.token_file).toBe(`${where.dir}/source.token`);
    expect(vault.destinations.tokens).toEqual(["***"]);
    expect((vault.destinations.list as Record<string, unknown>[]).map((d) => d.token)).toEqual([
      "***",
      "***",
    ]);
  });

  test("an unset token stays empty, so a missing one shows", async () => {
    const { config } = await load({}, where);
    const vault = redactConfig(config).vault as { source: Record<string, unknown> };
    expect(vault.source.token).toBe("");
  });

  test("durations and sizes read as they are written", async () => {
    const { config } = await loadedWithTokens();
    const shown = redactConfig(config) as Record<string, Record<string, unknown>>;
    expect(shown.sync?.interval).toBe("1h30m");
    expect(shown.retry).toEqual({ initial: "500ms", max: "1m" });
    expect(shown.audit?.udp_receive_buffer).toBe("16MiB");
  });

  test("redacting leaves the configuration itself untouched", async () => {
    const { config } = await loadedWithTokens();
    redactConfig(config);
    expect(config.vault.destinations.list.map((d) => d.token)).toEqual([
      TOKENS[2] as string,
      TOKENS[2] as string,
    ]);
  });
});

describe("a written config file", () => {
  test("holds no token, comments every setting, and loads back to the same settings", async () => {
    const { config } = await loadedWithTokens();
    const text = renderConfigYaml(redactConfig(config), "Written by a test");
    for (const token of TOKENS) expect(text).not.toContain(token);
    expect(text).not.toContain("***");
    expect(text.split("\n")[0]).toBe("# Written by a test");
    expect(text).toContain(
      '# Time between full reconciliation passes; 0 = only the one at start.\n  interval: "1h30m"',
    );

    const checked = validateGiven(flattenDocument(Bun.YAML.parse(text), "written.yaml").layer);
    if (!checked.valid) throw new Error(checked.problems.join("\n"));
    expect(checked.config.sync).toEqual(config.sync);
    expect(checked.config.audit).toEqual(config.audit);
    expect(checked.config.vault.destinations.list.map((d) => d.address)).toEqual([
      "http://127.0.0.1:8201",
      "http://127.0.0.1:8202",
    ]);
    // The source's token came from a file: the written file refers to it.
    expect(checked.config.vault.source.token_file).toBe(`${where.dir}/source.token`);
  });
});

const root = join(import.meta.dir, "..", "..");
const examplePath = join(root, "scripts", "courier.example.yaml");

describe("the configuration reference", () => {
  const reference = renderReference();

  test("has a row for every setting with its flag, environment variables and default", () => {
    for (const setting of SETTINGS) {
      const row = reference.split("\n").find((line) => line.startsWith(`| \`${setting.key}\` |`));
      expect(row).toBeDefined();
      if (setting.flag) expect(row).toContain(`\`--${setting.flag}\``);
      for (const name of setting.env) expect(row).toContain(`\`${name}\``);
    }
    expect(reference).toContain("| — | `--config FILE` | `COURIER_CONFIG` |");
  });

  test("README.md carries the current reference (run `bun scripts/gen-config-docs.ts` to update it)", async () => {
    const current = currentReference(await Bun.file(join(root, "README.md")).text());
    if (current === undefined) {
      throw new Error(
        "README.md has no configuration reference between <!-- config:begin --> and <!-- config:end -->: run `bun scripts/gen-config-docs.ts`",
      );
    }
    expect(current).toBe(reference);
  });

  test("the generator replaces only what is between the markers, and adds them when missing", () => {
    const readme = "# Title\n\n<!-- config:begin -->\nold\n<!-- config:end -->\n\n## After\n";
    expect(replaceReference(readme, "new")).toBe(
      "# Title\n\n<!-- config:begin -->\nnew\n<!-- config:end -->\n\n## After\n",
    );
    expect(replaceReference("# Title\n", "new")).toBe(
      "# Title\n\n## Configuration\n\n<!-- config:begin -->\nnew\n<!-- config:end -->\n",
    );
    expect(currentReference(replaceReference("# Title\n"))).toBe(reference);
  });
});

describe("the example config file", () => {
  test("parses, and validates for `courier run`", async () => {
    const document = Bun.YAML.parse(await Bun.file(examplePath).text());
    const { layer, problems } = flattenDocument(document, examplePath);
    expect(problems).toEqual([]);
    const checked = validateGiven(layer, { source: true, destinations: true });
    expect(checked.problems).toEqual([]);
  });

  test("names every setting, and every key of a destination list item", async () => {
    const document = Bun.YAML.parse(await Bun.file(examplePath).text()) as Record<string, unknown>;
    const has = (node: unknown, key: string) =>
      key
        .split(".")
        .reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], node) !==
      undefined;
    const missing = SETTINGS.filter((setting) => !has(document, setting.key)).map((s) => s.key);
    expect(missing).toEqual([]);
    const list = SETTINGS.find((s) => s.key === "vault.destinations.list");
    const [firstItem] = (document.vault as { destinations: { list: unknown[] } }).destinations.list;
    const missingInItem = (list?.items ?? []).filter((item) => !has(firstItem, item.key)).map((i) => i.key);
    expect(missingInItem).toEqual([]);
  });
});
