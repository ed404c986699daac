import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { start } from "../support/courier-process.ts";

const FIXTURE = join(import.meta.dir, "fixtures", "run-with-fake-agent.ts");
const dir = mkdtempSync(join(tmpdir(), "courier-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SOURCE_TOKEN = "hvs.CAESIsourcetokenforrunsignaltest01";
const DEST_TOKEN = "destination-token-for-run-test";
const tokenFile = join(dir, "dest.token");
writeFileSync(tokenFile, `${DEST_TOKEN}\n`);
chmodSync(tokenFile, 0o644);

const ARGS = [
  "--log.format=json",
  "--vault.destinations.addresses=http://127.0.0.1:8201,http://127.0.0.1:8202",
  `--vault.destinations.token_files=${tokenFile}`,
];
const ENV = { VAULT_TOKEN: SOURCE_TOKEN, VAULT_ADDR: "http://127.0.0.1:8200" };

function records(stderr: string): Record<string, unknown>[] {
  return stderr
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("courier run under signals", () => {
  test.each(["SIGTERM", "SIGINT"] as const)("%s stops the agent and exits 0", async (signal) => {
    const run = start(FIXTURE, ARGS, ENV);
    await run.waitFor("fake agent started");
    run.child.kill(signal);
    expect(await run.finished()).toBe(0);
    const logged = records(run.stderr());
    expect(logged.map((r) => r.msg)).toEqual([
      `secret file ${tokenFile} is readable by group or others (mode 0644): chmod 600 ${tokenFile}`,
      "configuration",
      "courier starting",
      "fake agent started",
      "stopping",
      "fake agent stopped",
      "stopped",
    ]);
    expect(logged.find((r) => r.msg === "stopping")?.signal).toBe(signal);
  });

  test("the start-up configuration line is redacted and says where settings came from", async () => {
    const run = start(FIXTURE, ARGS, ENV);
    await run.waitFor("fake agent started");
    run.child.kill("SIGTERM");
    await run.finished();
    const text = run.stderr();
    expect(text).not.toContain(SOURCE_TOKEN);
    expect(text).not.toContain(DEST_TOKEN);
    const line = records(text).find((r) => r.msg === "configuration") as {
      config: {
        vault: { source: { token: string }; destinations: { list: { token: string; token_file: string }[] } };
      };
      from: Record<string, string>;
    };
    expect(line.config.vault.source.token).toBe("***");
    expect(line.config.vault.destinations.list.map((d) => [d.token, d.token_file])).toEqual([
      ["***", tokenFile],
      ["***", tokenFile],
    ]);
    expect(line.from["vault.source.token"]).toBe("env VAULT_TOKEN");
    expect(line.from["log.format"]).toBe("flag --log.format");
  });

  test("a second signal while stopping exits at once with 1", async () => {
    const run = start(FIXTURE, ARGS, { ...ENV, FAKE_AGENT: "hang" });
    await run.waitFor("fake agent started");
    run.child.kill("SIGTERM");
    await run.waitFor('"msg":"stopping"');
    run.child.kill("SIGTERM");
    expect(await run.finished()).toBe(1);
    expect(run.stderr()).toContain("second signal: exiting without waiting for in-flight work");
  });

  test("an unexpected failure in the agent is an internal error: exit 70, no stack trace", async () => {
    const run = start(FIXTURE, ARGS, { ...ENV, FAKE_AGENT: "throw" });
    expect(await run.finished()).toBe(70);
    const last = run.stderr().trimEnd().split("\n").at(-1);
    expect(last).toBe("courier: internal error: listener exploded");
    expect(run.stderr()).not.toContain("    at ");
  });
});
