// sync.prune=managed, the default: Courier deletes a destination key the source no longer has
// only where Courier put it, remembered in the state directory across restarts. Keys other
// writers put straight into a destination stay, whether a pass finds them or an audit hint
// (forged or not) names them.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { sendAuditLines } from "../support/audit-sender.ts";
import { freshStateDir } from "../support/courier-process.ts";
import { ok, startVault, type Vault } from "../sync/vault-fixture.ts";
import { type AgentRun, eventually, runAgent } from "./agent-fixture.ts";

let source: Vault;
let east: Vault;
let west: Vault;
let run: AgentRun | undefined;

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVault(), startVault(), startVault()]);
});
afterEach(async () => {
  await run?.stop();
  run = undefined;
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
});

const write = (vault: Vault, path: string, data: object) =>
  ok(vault.api("POST", `secret/data/${path}`, { data }));
const status = async (vault: Vault, path: string) =>
  (await vault.api("GET", `secret/metadata/${path}`)).status;

/** A response entry for a metadata delete of `path`, as any sender on loopback could send it. */
function deleteHint(path: string): string {
  return JSON.stringify({
    time: new Date().toISOString(),
    type: "response",
    auth: { client_token: "hmac-sha256:00", policies: ["root"] },
    request: {
      id: crypto.randomUUID(),
      operation: "delete",
      path: `secret/metadata/${path}`,
      namespace: { id: "root" },
      mount_type: "kv",
      mount_point: "secret/",
    },
    response: {},
  });
}

describe("sync.prune=managed, by default", () => {
  test("a key deleted on the source while Courier was stopped is gone from every destination after a restart; other writers' keys stay", async () => {
    const state = freshStateDir();
    await write(source, "restart/gone", { v: "1" });
    await write(source, "restart/kept", { v: "2" });
    await write(east, "restart/theirs", { v: "east's own" });
    run = await runAgent(source, [east, west], ["--sync.interval=0", `--state.dir=${state}`]);
    await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    for (const vault of [east, west]) expect(await status(vault, "restart/gone")).toBe(200);
    await run.stop();

    // While Courier is down: the source loses a key, west gets one from someone else.
    await ok(source.api("DELETE", "secret/metadata/restart/gone"));
    await write(west, "restart/also-theirs", { v: "west's own" });
    run = await runAgent(source, [east, west], ["--sync.interval=0", `--state.dir=${state}`]);
    const pass = await run.waitForLog("reconcile pass finished", { reason: "start-up" });

    expect(pass).toMatchObject({ changed: 1, unresolved: 0 });
    for (const vault of [east, west]) {
      expect(await status(vault, "restart/gone")).toBe(404);
      expect(await status(vault, "restart/kept")).toBe(200);
    }
    expect(await status(east, "restart/theirs")).toBe(200);
    expect(await status(west, "restart/also-theirs")).toBe(200);
  });

  test("a forged hint for a key only a destination has leaves it there; a hint for a key Courier put there deletes it", async () => {
    await write(east, "hint/only-east", { v: "east's own" });
    await write(source, "hint/mine", { v: "1" });
    run = await runAgent(source, [east, west], ["--sync.interval=0"]);
    await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    const listening = run.agent.listener.address;

    await sendAuditLines(listening, [deleteHint("hint/only-east")]);
    const heard = await run.waitForLog("synced", {
      key: "kv secret/hint/only-east",
      destination: east.address,
    });
    expect(heard).toMatchObject({ result: "unchanged", skipped: "foreign" });
    expect(await status(east, "hint/only-east")).toBe(200);

    // The same kind of hint for a key Courier wrote, deleted on the source: it follows.
    await ok(source.api("DELETE", "secret/metadata/hint/mine"));
    await sendAuditLines(listening, [deleteHint("hint/mine")]);
    for (const vault of [east, west]) {
      await eventually(
        () => status(vault, "hint/mine"),
        (code) => code === 404,
      );
    }
    expect(await status(east, "hint/only-east")).toBe(200);
  });

  test("sync.prune=off, or sync.deletes=false, deletes nothing a pass finds; all deletes every key the source lacks", async () => {
    const state = freshStateDir();
    await write(source, "modes/gone", { v: "1" });
    await write(east, "modes/theirs", { v: "east's own" });
    run = await runAgent(source, [east], ["--sync.interval=0", `--state.dir=${state}`]);
    await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    await run.stop();
    await ok(source.api("DELETE", "secret/metadata/modes/gone"));

    run = await runAgent(source, [east], ["--sync.interval=0", `--state.dir=${state}`, "--sync.prune=off"]);
    await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    expect(await status(east, "modes/gone")).toBe(200);
    await run.stop();

    // Whoever turned sync.deletes off meant no deletes: managed, the default, then prunes nothing.
    run = await runAgent(
      source,
      [east],
      ["--sync.interval=0", `--state.dir=${state}`, "--sync.deletes=false"],
    );
    await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    expect(await status(east, "modes/gone")).toBe(200);
    await run.stop();

    // The old boolean flag, as users wrote it: --sync.prune means all.
    run = await runAgent(source, [east], ["--sync.interval=0", `--state.dir=${state}`, "--sync.prune"]);
    await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    expect(await status(east, "modes/gone")).toBe(404);
    expect(await status(east, "modes/theirs")).toBe(404);
  });
});
