// The shape of src/ that the design stands on: folders depend downward only, so no two import each
// other, and each concept has one model, so a grep for its name finds one declaration.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = join(import.meta.dir, "..", "..", "src");

/** Lower imports from nothing above it. main.ts, the entry, stands over everything. */
const LEVELS: Record<string, number> = {
  ".": 0, // errors, sync-key, build-info, backoff
  config: 1,
  vault: 2,
  audit: 3,
  "audit/listeners": 4,
  sync: 5,
  dispatch: 6,
  workers: 6,
  observe: 7,
  reconcile: 8,
  setup: 8,
  agent: 9,
  cli: 10,
};

interface Edge {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const files = sourceFiles(SRC);
const folderOf = (file: string) => relative(SRC, dirname(file)) || ".";

const edges: Edge[] = files.flatMap((file) =>
  [...readFileSync(file, "utf8").matchAll(/from\s+"(\.[^"]+)"/g)].map((m) => ({
    from: relative(SRC, file),
    to: relative(SRC, resolve(dirname(file), m[1]!)),
  })),
);

describe("src/", () => {
  test("every folder has a place in the order of levels", () => {
    const folders = [...new Set(files.map(folderOf))].sort();
    expect(folders.filter((folder) => LEVELS[folder] === undefined)).toEqual([]);
  });

  test("imports go to the same folder or a lower level, never up (main.ts aside)", () => {
    const upward = edges.filter(({ from, to }) => {
      if (from === "main.ts") return false;
      const a = folderOf(join(SRC, from));
      const b = folderOf(join(SRC, to));
      return a !== b && (LEVELS[a] ?? -1) <= (LEVELS[b] ?? -1);
    });
    expect(upward).toEqual([]);
  });

  test.each([
    ["MountInfo", /^(?:export\s+)?(?:interface|type|class)\s+MountInfo\b/m],
    ["kvVersionOf", /^(?:export\s+)?function\s+kvVersionOf\b/m],
    ["parseCidr", /^(?:export\s+)?function\s+parseCidr\b/m],
    ["SyncResult", /^(?:export\s+)?(?:interface|type)\s+SyncResult\b/m],
    ["DestinationOutcome", /^(?:export\s+)?(?:interface|type)\s+DestinationOutcome\b/m],
  ])("%s is declared once", (_name, declaration) => {
    const declaredIn = files.filter((file) => declaration.test(readFileSync(file, "utf8")));
    expect(declaredIn.map((file) => relative(SRC, file))).toHaveLength(1);
  });

  test("every file README's 'How it works' names exists", () => {
    const readme = readFileSync(join(SRC, "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## How it works"), readme.indexOf("## Install"));
    const named = [...section.matchAll(/`([\w./-]+\.ts)`/g)]
      .map((m) => m[1]!)
      .filter((n) => !n.startsWith("test/"));
    const present = new Set(files.map((file) => relative(SRC, file)));
    const names = new Set(files.map((file) => file.slice(file.lastIndexOf("/") + 1)));
    // A bare name ("udp.ts") stands beside a path that gave its folder; it must exist somewhere.
    const missing = named.filter((name) => (name.includes("/") ? !present.has(name) : !names.has(name)));
    expect(named.length).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });
});
