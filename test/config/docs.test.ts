import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { validateGiven } from "../../src/config/load.ts";
import { currentReference, renderReference, replaceReference } from "../../src/config/output.ts";
import { SETTINGS } from "../../src/config/settings.ts";
import { flattenDocument } from "../../src/config/sources.ts";

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
