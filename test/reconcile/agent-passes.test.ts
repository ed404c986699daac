// Reconciliation inside the agent: whatever the audit stream lost, a pass brings back.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mountKv, ok, startVault, type Vault } from "../sync/vault-fixture.ts";
import { type AgentRun, eventually, runAgent } from "./agent-fixture.ts";

let source: Vault;
let east: Vault;
let west: Vault;
let run: AgentRun | undefined;

let dir: string;

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVault(), startVault(), startVault()]);
  await mountKv([source, east, west], "kv", 1);
  // A file device beside the socket one, as in production: a request some device could record
  // is never refused, whatever becomes of the UDP entries.
  dir = mkdtempSync(join(tmpdir(), "courier-passes-"));
  await ok(
    source.api("PUT", "sys/audit/file", { type: "file", options: { file_path: join(dir, "audit.log") } }),
  );
});
afterEach(async () => {
  await run?.stop();
  run = undefined;
  for (const vault of [source, east, west]) await vault.api("DELETE", "sys/audit/courier");
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const read = (vault: Vault, path: string) => async () =>
  (await vault.api("GET", `secret/data/${path}`)).body?.data?.data;
const write = (vault: Vault, path: string, data: object) =>
  ok(vault.api("POST", `secret/data/${path}`, { data }));
/** Points the source's UDP audit device at the running agent. */
async function audit(agent: AgentRun): Promise<void> {
  const address = agent.agent.listener.address.replace("udp://", "");
  await ok(
    source.api("PUT", "sys/audit/courier", { type: "socket", options: { address, socket_type: "udp" } }),
  );
}

describe("the start-up pass", () => {
  test("copies what was written while Courier was not running, and says so", async () => {
    for (let i = 0; i < 20; i++) await write(source, `before/k${i}`, { n: String(i) });
    await ok(source.api("PUT", "kv/before", { v: "1" }));
    run = await runAgent(source, [east, west], ["--sync.interval=0"]);
    const pass = await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    expect(pass).toMatchObject({ scope: "full", keys: 22, changed: 21, unresolved: 0, notRun: 0 });
    for (const vault of [east, west]) {
      expect(await read(vault, "before/k7")()).toEqual({ n: "7" });
      expect((await vault.api("GET", "kv/before")).body.data).toEqual({ v: "1" });
    }
    expect(run.agent.reconcile.lastSuccess).toBeNumber();
    expect(run.agent.reconcile.driftKeys).toEqual({ [east.address]: 21, [west.address]: 21 });
    expect(run.agent.reconcile.unresolvedKeys).toEqual({ [east.address]: 0, [west.address]: 0 });
  });
});

describe("the periodic pass", () => {
  test("heals drift injected straight into a destination, with no audit entry to tell of it", async () => {
    await write(source, "periodic", { v: "source" });
    run = await runAgent(source, [east, west], ["--sync.interval=500ms"]);
    await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    await write(east, "periodic", { v: "tampered" });
    await ok(west.api("DELETE", "kv/before"));
    await eventually(read(east, "periodic"), (data) => data?.v === "source");
    await eventually(
      async () => (await west.api("GET", "kv/before")).status,
      (status) => status === 200,
    );
    // The pass reports once all of it has ended, namespaces the source lost included.
    await eventually(
      async () => run!.passes().some((p) => p.reason === "interval" && (p.changed as number) >= 1),
      (healed) => healed,
    );
    // Each later pass finds nothing more to do.
    await eventually(
      async () => run!.passes().at(-1),
      (last) => last?.changed === 0,
    );
    expect(run.agent.reconcile.driftKeys).toEqual({ [east.address]: 0, [west.address]: 0 });
  });

  test("heals writes whose UDP entries were lost (the device sends where nobody reads)", async () => {
    run = await runAgent(source, [east, west], ["--sync.interval=500ms"]);
    await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    const nobody = await Bun.udpSocket({ hostname: "127.0.0.1", port: 0 });
    const address = `127.0.0.1:${nobody.port}`;
    nobody.close();
    await ok(
      source.api("PUT", "sys/audit/courier", { type: "socket", options: { address, socket_type: "udp" } }),
    );
    for (let i = 0; i < 10; i++) await write(source, `lost/k${i}`, { n: String(i) });
    for (const vault of [east, west]) await eventually(read(vault, "lost/k9"), (data) => data?.n === "9");
    for (const vault of [east, west]) expect(await read(vault, "lost/k0")()).toEqual({ n: "0" });
    expect(run.agent.counters.accepted).toBe(0);
  });

  test("sync.interval=0 runs the start-up pass only", async () => {
    run = await runAgent(source, [east], ["--sync.interval=0"]);
    await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    await Bun.sleep(300);
    expect(run.passes().map((p) => p.reason)).toEqual(["start-up"]);
  });
});

describe("targeted passes", () => {
  test("hints the rate limit turned away mark their mount, and a pass over that mount syncs them", async () => {
    run = await runAgent(source, [east, west], ["--sync.interval=0", "--audit.max_rate=1"]);
    await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    await audit(run);
    for (let i = 0; i < 30; i++) await write(source, `burst/k${i}`, { n: String(i) });
    const pass = await run.waitForLog("reconcile pass finished", { reason: "marked mounts" });
    expect(pass.scope).toBe("secret/");
    for (const vault of [east, west]) {
      for (let i = 0; i < 30; i++) expect(await read(vault, `burst/k${i}`)()).toEqual({ n: String(i) });
    }
  });

  test("a destination back after an outage (sealed) gets a full pass", async () => {
    run = await runAgent(
      source,
      [east, west],
      ["--sync.interval=0", "--retry.initial=100ms", "--retry.max=200ms"],
    );
    await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    await audit(run);
    // Sealed: every call is answered 503 until the fault is cleared.
    const seal = (on: boolean) =>
      fetch(`${east.address}/_double/faults`, {
        method: on ? "POST" : "DELETE",
        ...(on
          ? { body: JSON.stringify([{ kind: "status", status: 503, errors: ["Vault is sealed"] }]) }
          : {}),
      });
    await seal(true);
    await write(source, "outage", { v: "while east was out" });
    await eventually(read(west, "outage"), (data) => data?.v === "while east was out");
    await seal(false);
    const back = await run.waitForLog("a destination answers again after an outage; a full pass follows");
    expect(back.destination).toBe(east.address);
    await run.waitForLog("reconcile pass finished", { reason: "destination back" });
    expect(await read(east, "outage")()).toEqual({ v: "while east was out" });
  });
});

describe("datagrams the kernel dropped", () => {
  test("are counted from the socket's drop counter, and a full pass follows", async () => {
    run = await runAgent(source, [east], ["--sync.interval=0", "--audit.udp_receive_buffer=4096"]);
    await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    const port = run.agent.listener.address.split(":").at(-1);
    // Another process floods the socket while this one, which reads it, is held still. It is
    // started first and told to go just before this process stops reading.
    const sender = Bun.spawn(
      [
        process.execPath,
        "-e",
        `const s = await Bun.udpSocket({});
         console.log("ready");
         for await (const _ of Bun.stdin.stream()) break;
         const line = "x".repeat(1000) + "\\n";
         for (let i = 0; i < 3000; i++) s.send(line, ${port}, "127.0.0.1");
         s.close();`,
      ],
      { stdin: "pipe", stdout: "pipe" },
    );
    const reader = sender.stdout.getReader();
    await reader.read();
    sender.stdin.write("go\n");
    sender.stdin.flush();
    Bun.sleepSync(800);
    await sender.exited;
    const warned = await run.waitForLog("the kernel dropped audit datagrams; a full pass follows");
    expect(warned.dropped as number).toBeGreaterThan(0);
    await run.waitForLog("reconcile pass finished", { reason: "udp kernel drops" });
  });
});

describe("pruning", () => {
  test("with sync.prune a pass deletes what only a destination holds; without it, nothing", async () => {
    await write(east, "only-east", { v: "stray" });
    run = await runAgent(source, [east, west], ["--sync.interval=0"]);
    await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    expect((await east.api("GET", "secret/metadata/only-east")).status).toBe(200);
    await run.stop();
    run = await runAgent(source, [east, west], ["--sync.interval=0", "--sync.prune", "--sync.deletes=false"]);
    const pass = await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    expect(pass.changed).toBe(1);
    expect((await east.api("GET", "secret/metadata/only-east")).status).toBe(404);
  });
});
