// The compiled Courier for end-to-end tests: dist/courier, built the way `bun run build` builds it,
// at most once per change to what goes into it. Test files running side by side share one build
// through a lock file; later calls find the stamp matching and build nothing.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { readBuildInfo } from "../../scripts/build/build-info.ts";
import { compileBinary } from "../../scripts/build/compile.ts";
import { withFileLock } from "../../scripts/build/file-lock.ts";
import { hostTarget } from "../../scripts/build/targets.ts";

const root = join(import.meta.dir, "..", "..");
const host = hostTarget();
const binary = join(root, "dist", host.binary);
const stamp = join(root, "dist", ".courier.stamp");
const lock = join(root, "dist", ".courier.lock");

let built: Promise<string> | undefined;

/** Builds dist/courier when its inputs changed since the last build, and returns its path. */
export function ensureBinary(): Promise<string> {
  built ??= build();
  return built;
}

async function build(): Promise<string> {
  const want = inputsHash();
  if (isFresh(want)) return binary;
  mkdirSync(join(root, "dist"), { recursive: true });
  await withFileLock(lock, 180_000, async () => {
    if (isFresh(want)) return; // another test file built it while this one waited
    await compileBinary({
      root,
      target: host,
      executablePath: process.execPath,
      outfile: binary,
      info: readBuildInfo(root),
    });
    writeFileSync(stamp, `${want} ${statSync(binary).mtimeMs}\n`);
  });
  return binary;
}

// The stamp also names the binary's mtime, so a binary rebuilt by hand in between is not trusted.
function isFresh(want: string): boolean {
  if (!existsSync(binary) || !existsSync(stamp)) return false;
  return readFileSync(stamp, "utf8").trim() === `${want} ${statSync(binary).mtimeMs}`;
}

// Everything that changes the binary: sources, the build recipe, the lock file, Bun, the commit.
function inputsHash(): string {
  const hasher = new Bun.CryptoHasher("sha256");
  const info = readBuildInfo(root);
  hasher.update(`${Bun.version}\n${info.version}\n${info.commit}\n`);
  const files = [
    ...listFiles(join(root, "src")),
    ...listFiles(join(root, "scripts", "build")),
    ...["scripts/build.ts", "package.json", "package-lock.json", "bun.lock"].map((f) => join(root, f)),
  ].filter((f) => existsSync(f));
  for (const file of files.sort()) {
    hasher.update(`${relative(root, file)}\n`);
    hasher.update(readFileSync(file));
  }
  return hasher.digest("hex");
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
