// The sandbox run the way a user runs it: `bun scripts/sandbox.ts` as a real process, with real
// servers (OpenBao dev servers with the bao the tests use, the Vault double where none can be had
// or with --double), the compiled Courier, a real audit stream and real signals.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { tcpFree } from "../../scripts/sandbox/ports.ts";
import { ensureBinary } from "../support/binary.ts";
import { localBao } from "../support/openbao.ts";
import { ROOT, startWatched } from "../support/process.ts";

const SCRIPT = join(ROOT, "scripts", "sandbox.ts");
/** The first line names the servers; OpenBao whenever a bao is on PATH or cached. */
const HEADER = localBao
  ? /^Courier sandbox: three OpenBao dev servers \(OpenBao [\d.]+ from (PATH|cache)\), Courier between them\.$/m
  : /^Courier sandbox: three (Vault doubles \(no OpenBao: .+\)|vault dev servers \(.+\)), Courier between them\.$/m;
const KEYS = [
  "secret/app/db",
  "secret/app/api",
  "secret/team-a/payments",
  "kv/legacy/smtp",
  "kv/legacy/ldap",
  "policy app-readonly",
];

// The sandbox builds dist/courier itself when it is stale; building it here first keeps that
// (slow, once per change) out of the timings below.
beforeAll(async () => {
  await ensureBinary();
}, 240_000);

function startSandbox(args: string[]) {
  const run = startWatched([process.execPath, SCRIPT, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" },
    watch: "stdout",
  });
  return {
    child: run.child,
    stdout: run.output,
    waitFor: (pattern: RegExp, ms = 15_000) => run.waitFor(pattern, ms),
    async finished(): Promise<{ code: number; stderr: string }> {
      const code = await run.finished();
      return { code, stderr: await new Response(run.child.stderr).text() };
    },
  };
}

/** The processes and ports the sandbox printed: "  dest-1  http://127.0.0.1:8202    pid 123". */
function printedProcesses(stdout: string): { name: string; port: number; pid: number }[] {
  return [
    ...stdout.matchAll(/^ {2}(source|dest-\d|courier)\s+\w+:\/\/127\.0\.0\.1:(\d+)\s+pid (\d+)$/gm),
  ].map((m) => ({ name: m[1]!, port: Number(m[2]), pid: Number(m[3]) }));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("bun scripts/sandbox.ts", () => {
  test("--once shows every demo key reaching both destinations, checks they equal the source, and exits 0", async () => {
    const started = Date.now();
    const sandbox = startSandbox(["--once"]);
    const { code, stderr } = await sandbox.finished();
    const out = sandbox.stdout();
    expect({ code, stderr }).toMatchObject({ code: 0 }); // stderr shows in the diff when it fails
    expect(out).toMatch(HEADER);
    for (const key of KEYS) {
      const row = new RegExp(`^ {2}${key.replaceAll("/", "\\/")} +→ dest-1 ✓ [^,]+, dest-2 ✓ `, "m");
      expect(out).toMatch(row);
    }
    expect(out).toContain(
      "✓ converged: dest-1 and dest-2 hold exactly what the source holds (5 secrets, 2 policies;",
    );
    expect(out).toContain("Stopped. Temporary files removed.");
    expect(out).not.toContain("Poke at it");
    expect(Date.now() - started).toBeLessThan(20_000);
    const processes = printedProcesses(out);
    expect(processes.map((p) => p.name)).toEqual(["source", "dest-1", "dest-2", "courier"]);
    expect(processes.filter((p) => isAlive(p.pid))).toEqual([]);
  }, 30_000);

  test("--double --once runs on Vault doubles, says so, and converges", async () => {
    const sandbox = startSandbox(["--double", "--once"]);
    const { code } = await sandbox.finished();
    const out = sandbox.stdout();
    expect(code).toBe(0);
    expect(out).toStartWith("Courier sandbox: three Vault doubles (--double), Courier between them.\n");
    expect(out).toContain("✓ converged: dest-1 and dest-2 hold exactly what the source holds");
  }, 30_000);

  test("keeps running after the scripted part, shows a new write as it syncs, and Ctrl-C stops everything with exit 0", async () => {
    const sandbox = startSandbox([]);
    await sandbox.waitFor(/^Watching Courier's syncs/m);
    const out = sandbox.stdout();
    expect(out).toContain("Poke at it while it runs");
    const tempDir = out.match(/tail -f (\S+)\/courier\.log/)?.[1];
    expect(tempDir && existsSync(tempDir)).toBe(true);
    const processes = printedProcesses(out);
    const source = processes.find((p) => p.name === "source")!;

    // What the printed curl command does: a change on the source, then the live line for it.
    const write = await fetch(`http://127.0.0.1:${source.port}/v1/secret/data/poked/by-test`, {
      method: "POST",
      headers: { "X-Vault-Token": "root" },
      body: JSON.stringify({ data: { note: "demo" } }),
    });
    expect(write.status).toBe(200);
    await sandbox.waitFor(
      / {2}\d\d:\d\d:\d\d {2}secret\/poked\/by-test → dest-1 ✓ written, dest-2 ✓ written/,
    );

    sandbox.child.kill("SIGINT");
    const { code } = await sandbox.finished();
    expect(code).toBe(0);
    expect(sandbox.stdout()).toContain("Stopping (Ctrl-C): Courier, then the servers…");
    expect(sandbox.stdout()).toContain("Stopped. Temporary files removed.");
    expect(processes.filter((p) => isAlive(p.pid))).toEqual([]);
    const servers = processes.filter((p) => p.name !== "courier");
    expect(await Promise.all(servers.map((p) => tcpFree(p.port)))).toEqual([true, true, true]);
    expect(existsSync(tempDir!)).toBe(false);
  }, 30_000);
});
