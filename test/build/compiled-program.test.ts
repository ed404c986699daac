import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileBinary } from "../../scripts/build/compile.ts";
import { findEntrypoints } from "../../scripts/build/entrypoints.ts";
import { hostTarget } from "../../scripts/build/targets.ts";
import { FIXTURE_VERSION, makeFixtureProject, run } from "./fixture.ts";

// One build of the fixture program with the release recipe, then its source tree is deleted: what
// runs afterwards can only come from inside the binary.
let root: string;
let binary: string;
let fromSource: ReturnType<typeof run>;
const host = hostTarget();

beforeAll(async () => {
  root = makeFixtureProject();
  fromSource = run([process.execPath, join(root, "src", "main.ts")], { cwd: root });
  const built = await compileBinary({
    root,
    target: host,
    executablePath: process.execPath,
    outfile: join(root, "out", "courier"),
    info: { version: FIXTURE_VERSION, commit: "f1x7ure", commitTime: 0 },
  });
  binary = built.path;
  rmSync(join(root, "src"), { recursive: true });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("a program compiled with the release recipe", () => {
  test("is an executable file and nothing else is left beside it", () => {
    expect(statSync(binary).mode & 0o111).not.toBe(0);
    expect(readdirSync(join(root, "out"))).toEqual(["courier"]);
  });

  test("prints the version, commit and target stamped in at build time", () => {
    const out = run([binary, "--version"], { cwd: "/" });
    expect(out).toMatchObject({ exitCode: 0, stdout: `courier ${FIXTURE_VERSION} f1x7ure ${host.name}\n` });
  });

  test("runs its worker from inside the binary, with the build's defines, from any folder", () => {
    const out = run([binary], { cwd: "/" });
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ doubled: 42, version: FIXTURE_VERSION, nodeEnv: "production" });
  });

  test("finds the same worker when run from source, before compiling", () => {
    expect(fromSource.exitCode).toBe(0);
    expect(JSON.parse(fromSource.stdout)).toMatchObject({ doubled: 42, version: "dev" });
  });

  test("ignores a .env and a bunfig.toml preload in the folder it runs in", () => {
    const cwd = join(root, "elsewhere");
    mkdirSync(cwd);
    writeFileSync(join(cwd, ".env"), "FIXTURE_FROM_DOTENV=yes\nNODE_ENV=development\n");
    writeFileSync(join(cwd, "bunfig.toml"), 'preload = ["./preload.ts"]\n');
    writeFileSync(join(cwd, "preload.ts"), 'console.log("PRELOADED");\n');
    const out = run([binary, "env"], { cwd, env: { NODE_ENV: "development" } });
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toBe(`${JSON.stringify({ dotenv: null, nodeEnv: "production" })}\n`);
  });
});

describe("entrypoints", () => {
  test("are the entry first, then every *.worker.ts under src, sorted", () => {
    const project = makeFixtureProject();
    writeFileSync(join(project, "src", "a.worker.ts"), "postMessage(1);\n");
    try {
      expect(findEntrypoints(project).map((p) => p.slice(project.length + 1))).toEqual([
        "src/main.ts",
        "src/a.worker.ts",
        "src/workers/echo.worker.ts",
      ]);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  test("refuse two workers with one file name, since the binary keeps them side by side", () => {
    const project = makeFixtureProject();
    writeFileSync(join(project, "src", "echo.worker.ts"), "postMessage(1);\n");
    try {
      expect(() => findEntrypoints(project)).toThrow(
        "two worker entries share the name echo.worker.ts: src/echo.worker.ts and src/workers/echo.worker.ts",
      );
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
