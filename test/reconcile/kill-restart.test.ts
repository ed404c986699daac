// Courier killed with SIGKILL in the middle of a burst of writes loses whatever it held and every
// entry sent while it was down. Restarted, its start-up pass brings the destinations level again.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { courier, MAIN, start } from "../support/courier-process.ts";
import { ok, startVault, type Vault } from "../sync/vault-fixture.ts";

let source: Vault;
let east: Vault;
let west: Vault;

let dir: string;

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVault(), startVault(), startVault()]);
  // As in production, a file device beside the socket one: Vault answers 500 to a request that
  // no device could record, and with Courier dead the UDP device may report failures.
  dir = mkdtempSync(join(tmpdir(), "courier-kill-"));
  await ok(
    source.api("PUT", "sys/audit/file", { type: "file", options: { file_path: join(dir, "audit.log") } }),
  );
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A UDP port that was free a moment ago: both runs listen on it, so the audit device keeps its
 * address. Picked below the kernel's ephemeral range (32768 and up), as Courier's own 1269 is:
 * while Courier is dead the source's device keeps redialling, and a redial's ephemeral local port
 * can land on the very port it dials (a self-connected socket), which would then hold it.
 */
async function freeUdpPort(): Promise<number> {
  for (;;) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    try {
      const socket = await Bun.udpSocket({ hostname: "127.0.0.1", port: candidate });
      socket.close();
      return candidate;
    } catch {
      // taken: try another
    }
  }
}

test("SIGKILL mid-burst, restart: the start-up pass converges and diff finds nothing lost", async () => {
  const port = await freeUdpPort();
  const vaults = [
    `--vault.source.address=${source.address}`,
    "--vault.source.token=root",
    `--vault.destinations.addresses=${east.address},${west.address}`,
    "--vault.destinations.tokens=root",
  ];
  const run = () =>
    start(MAIN, ["run", ...vaults, `--vault.audit_address=udp://127.0.0.1:${port}`, "--log.format=json"], {});

  const first = run();
  await first.waitFor('"msg":"listening for audit entries"');
  await ok(
    source.api("PUT", "sys/audit/courier", {
      type: "socket",
      options: { address: `127.0.0.1:${port}`, socket_type: "udp" },
    }),
  );
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < 600; i++) {
    // Keys are written twice: the second value is the one that must arrive.
    const path = `burst/k${i % 300}`;
    writes.push(
      ok(source.api("POST", `secret/data/${path}`, { data: { round: String(Math.floor(i / 300)) } })),
    );
    if (i === 200) first.child.kill("SIGKILL");
    if (i % 8 === 7) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  expect(await first.finished()).not.toBe(0);

  const lost = await courier(["diff", ...vaults]);
  expect(lost.code).toBe(1);

  const second = run();
  await second.waitFor('"msg":"reconcile pass finished"', 20_000);
  second.child.kill("SIGTERM");
  expect(await second.finished()).toBe(0);

  const after = await courier(["diff", ...vaults]);
  expect(after.stdout).toContain('"in_sync":true');
  expect(after.code).toBe(0);
  const sample = await east.api("GET", "secret/data/burst/k123");
  expect(sample.body.data.data).toEqual({ round: "1" });
}, 30_000);
