// A small program laid out like Courier (an entry, and a pool beside its worker that creates it as
// `new Worker(new URL("./echo.worker.ts", import.meta.url))`), in a fresh temp folder, so the
// build recipe can be proven on it whatever state src/ is in.
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const FIXTURE_VERSION = "9.8.7";
const projectRoot = join(import.meta.dir, "..", "..");

const MAIN = `import { ask } from "./workers/pool.ts";
declare const COURIER_VERSION: string;
declare const COURIER_COMMIT: string;
declare const COURIER_TARGET: string;
const stamp = (v: () => string) => { try { return v(); } catch { return "dev"; } };
const arg = process.argv[2];
if (arg === "--version") {
  console.log(\`courier \${stamp(() => COURIER_VERSION)} \${stamp(() => COURIER_COMMIT)} \${stamp(() => COURIER_TARGET)}\`);
} else if (arg === "env") {
  console.log(JSON.stringify({ dotenv: process.env.FIXTURE_FROM_DOTENV ?? null, nodeEnv: process.env.NODE_ENV }));
} else {
  console.log(JSON.stringify(await ask(21)));
}
`;

const POOL = `export function ask(n: number): Promise<unknown> {
  const worker = new Worker(new URL("./echo.worker.ts", import.meta.url));
  return new Promise((resolve, reject) => {
    worker.onerror = (event) => reject(new Error(event.message));
    worker.onmessage = (event) => {
      resolve(event.data);
      worker.terminate();
    };
    worker.postMessage(n);
  });
}
`;

const WORKER = `declare const self: Worker;
declare const COURIER_VERSION: string;
self.onmessage = (event: MessageEvent<number>) => {
  let version = "dev";
  try { version = COURIER_VERSION; } catch {}
  postMessage({ doubled: event.data * 2, version, nodeEnv: process.env.NODE_ENV });
};
`;

export interface FixtureOptions {
  /** Also copy the real build scripts and LICENSE in, so the release script can run on it. */
  withScripts?: boolean;
  /** Leave these companion files out. */
  without?: string[];
}

/** Writes the fixture project and returns its folder. */
export function makeFixtureProject(options: FixtureOptions = {}): string {
  const root = mkdtempSync(join(tmpdir(), "courier-fixture-"));
  mkdirSync(join(root, "src", "workers"), { recursive: true });
  mkdirSync(join(root, "scripts", "monitoring"), { recursive: true });
  const files: Record<string, string> = {
    "package.json": `${JSON.stringify({ name: "courier", version: FIXTURE_VERSION, type: "module" })}\n`,
    "src/main.ts": MAIN,
    "src/workers/pool.ts": POOL,
    "src/workers/echo.worker.ts": WORKER,
    "README.md": "# fixture\n",
    LICENSE: "fixture licence\n",
    "scripts/courier.service": "[Unit]\nDescription=fixture\n",
    "scripts/courier.example.yaml": "vault: {}\n",
    "scripts/monitoring/grafana-dashboard.json": '{"title":"fixture"}\n',
    "scripts/monitoring/courier-rules.yaml": "groups: []\n",
  };
  for (const [path, text] of Object.entries(files)) {
    if (!options.without?.includes(path)) writeFileSync(join(root, path), text);
  }
  if (options.withScripts) {
    cpSync(join(projectRoot, "scripts", "build"), join(root, "scripts", "build"), { recursive: true });
    cpSync(join(projectRoot, "scripts", "release.ts"), join(root, "scripts", "release.ts"));
    cpSync(join(projectRoot, "scripts", "build.ts"), join(root, "scripts", "build.ts"));
    // The real unit, so the packaged one can be checked by systemd-analyze.
    if (!options.without?.includes("scripts/courier.service"))
      cpSync(join(projectRoot, "scripts", "courier.service"), join(root, "scripts", "courier.service"));
    symlinkSync(join(projectRoot, "node_modules"), join(root, "node_modules"));
  }
  return root;
}

/** Runs a program and returns what it printed and its exit code. */
export function run(cmd: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const proc = Bun.spawnSync(cmd, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { stdout: proc.stdout.toString(), stderr: proc.stderr.toString(), exitCode: proc.exitCode };
}
