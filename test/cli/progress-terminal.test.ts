// A long `courier sync` / `courier diff` on a terminal shows how far it has got, redrawn on one
// line; the same commands off a terminal print no such line. The terminal is a real pseudo-
// terminal, made by util-linux's `script`.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cleanEnv, courier, MAIN, ROOT } from "../support/courier-process.ts";
import { startVaultDouble, type VaultDouble } from "../support/vault-double/index.ts";

const script = Bun.which("script");
let source: VaultDouble;
let east: VaultDouble;
let flags: string[];

beforeAll(async () => {
  if (!script) return;
  [source, east] = await Promise.all([startVaultDouble(), startVaultDouble()]);
  await Promise.all(
    Array.from({ length: 128 }, (_, i) =>
      fetch(`${source.address}/v1/secret/data/many/k${i}`, {
        method: "POST",
        headers: { "X-Vault-Token": "root" },
        body: JSON.stringify({ data: { n: String(i) } }),
      }),
    ),
  );
  // A slow source: each key's reads take about half a second, so the pass lasts a few seconds.
  const rules = [{ kind: "latency", ms: 250, path: "secret/*", method: "GET" }];
  await fetch(`${source.controlAddress}/_double/faults`, { method: "POST", body: JSON.stringify(rules) });
  flags = [
    `--vault.source.address=${source.address}`,
    "--vault.source.token=root",
    `--vault.destinations.addresses=${east.address}`,
    "--vault.destinations.tokens=root",
    "--worker.concurrency=1",
    "--sync.policies=false",
  ];
});
afterAll(async () => {
  await Promise.all([source, east].map((v) => v?.stop()));
});

/** `courier ARGS` on a pseudo-terminal: what the terminal showed, and the exit code. */
async function onTerminal(args: string[]): Promise<{ code: number; screen: string }> {
  const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, MAIN, ...args].map(quote).join(" ");
  const child = Bun.spawn([script!, "-qec", command, "/dev/null"], {
    cwd: ROOT,
    env: cleanEnv(),
    stdout: "pipe",
    stderr: "pipe",
  });
  const screen = await new Response(child.stdout).text();
  return { code: await child.exited, screen };
}

describe.skipIf(!script)("progress on a terminal", () => {
  test("sync shows keys walked, done, rate and errors, then a bar once the total is known", async () => {
    const { code, screen } = await onTerminal(["sync", ...flags]);
    expect(code).toBe(0);
    const frames = screen.split("\r\x1b[K").filter((frame) => frame.trim() !== "");
    expect(frames.some((f) => /^walking: \d+ keys, \d+ done, \d+\/s, 0 errors/.test(f))).toBe(true);
    expect(frames.some((f) => /^\[[#-]{20}\] \d+% \d+\/128 keys, \d+\/s, 0 errors/.test(f))).toBe(true);
    const response = await fetch(`${east.address}/v1/secret/data/many/k127`, {
      headers: { "X-Vault-Token": "root" },
    });
    expect(((await response.json()) as { data: { data: unknown } }).data.data).toEqual({ n: "127" });
  }, 30_000);

  test("diff shows it too, and its table stays whole", async () => {
    const { code, screen } = await onTerminal(["diff", ...flags]);
    expect(code).toBe(0);
    expect(screen).toMatch(/\d+\/128 keys/);
    expect(screen).toContain("128 keys compared: in sync");
  }, 30_000);

  test("off a terminal, a pass shorter than the first report prints no progress", async () => {
    const out = await courier(["diff", ...flags.filter((f) => !f.startsWith("--worker")), "--format=json"]);
    expect(out.stderr).not.toContain("\x1b[K");
    expect(out.stderr).not.toContain("reconcile pass progress");
  }, 30_000);
});
