// The test tiers a developer runs on their own (package.json's test:unit, test:process and
// test:openbao) must between them cover every folder of tests, so none is only run by npm test.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");

test("every test folder belongs to exactly one tier", () => {
  const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as Record<
    string,
    string
  >;
  const tiers = ["test:unit", "test:process", "test:openbao"].map((name) => ({
    name,
    folders: [...(scripts[name] ?? "").matchAll(/\btest\/([\w-]+)/g)].map((m) => m[1]),
  }));
  const folders = readdirSync(join(ROOT, "test"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== "fixtures")
    .map((entry) => entry.name)
    .sort();
  const owners = folders.map((folder) => ({
    folder,
    tiers: tiers.filter((t) => t.folders.includes(folder)).map((t) => t.name),
  }));
  expect(owners.filter((owner) => owner.tiers.length !== 1)).toEqual([]);
});
