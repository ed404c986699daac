// AppRole on a real OpenBao source: Courier logs in once, on its main thread, and its sync workers
// use that token. A secret_id that is used up is reported once, with what to do, and logins back
// off instead of hammering the source; a new secret_id written to the configured file is picked
// up at the next attempt. Logins are counted from the source's own file audit device.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CourierProcess, spawnCourier } from "../support/courier-process.ts";
import { eventually } from "../support/eventually.ts";
import { type BaoServer, baoClient, freeUdpPort, localBao, startOpenBao } from "../support/openbao.ts";

/** What Courier reads on the source: mounts, KV and policies; renew-self comes with "default". */
const SOURCE_POLICY = 'path "*" { capabilities = ["read", "list"] }';
const KEYS = 30;

describe.skipIf(!localBao)("AppRole on a real OpenBao source", () => {
  let dir = "";
  let servers: BaoServer[] = [];
  let courier: CourierProcess | undefined;

  afterEach(async () => {
    await courier?.stop();
    courier = undefined;
    await Promise.all(servers.map((server) => server.stop()));
    servers = [];
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A source with a file audit device and a UDP device towards Courier, and a destination. */
  async function start(role: Record<string, unknown>) {
    dir = mkdtempSync(join(tmpdir(), "courier-approle-"));
    const auditFile = join(dir, "audit.log");
    const auditPort = await freeUdpPort();
    const fileDevice = `audit "file" "trail" {\n  options {\n    file_path = "${auditFile}"\n  }\n}`;
    const [source, destination] = await Promise.all([
      startOpenBao({ auditUdpPort: auditPort, config: fileDevice }),
      startOpenBao(),
    ]);
    servers = [source!, destination!];
    const bao = baoClient(source!);
    await bao("POST", "sys/auth/approle", { type: "approle" });
    await bao("PUT", "sys/policies/acl/courier-source", { policy: SOURCE_POLICY });
    await bao("POST", "auth/approle/role/courier", { token_policies: ["courier-source"], ...role });
    const roleId = (await bao("GET", "auth/approle/role/courier/role-id")).body.data.role_id;
    const newSecretId = async () =>
      (await bao("POST", "auth/approle/role/courier/secret-id", {})).body.data.secret_id as string;
    const roleIdFile = join(dir, "role-id");
    const secretIdFile = join(dir, "secret-id");
    writeFileSync(roleIdFile, `${roleId}\n`, { mode: 0o600 });
    writeFileSync(secretIdFile, `${await newSecretId()}\n`, { mode: 0o600 });
    const logins = () =>
      readFileSync(auditFile, "utf8")
        .split("\n")
        .filter((line) => line.includes('"auth/approle/login"'))
        .map((line) => JSON.parse(line))
        .filter((entry) => entry.type === "request").length;
    const run = (flags: string[] = []) => {
      courier = spawnCourier([
        `--vault.source.address=${source!.address}`,
        `--vault.source.approle.role_id_file=${roleIdFile}`,
        `--vault.source.approle.secret_id_file=${secretIdFile}`,
        `--vault.destinations.addresses=${destination!.address}`,
        `--vault.destinations.tokens=${destination!.token}`,
        `--vault.audit_address=udp://127.0.0.1:${auditPort}`,
        "--worker.concurrency=4",
        ...flags,
      ]);
      return courier;
    };
    return { bao, destination: baoClient(destination!), logins, run, newSecretId, secretIdFile };
  }

  const startUpPass = (c: CourierProcess, timeoutMs: number) =>
    c.waitFor(
      (r) => /^reconcile pass (finished|did not finish)/.test(r.msg) && r.reason === "start-up",
      "start-up pass",
      timeoutMs,
    );

  test("four sync workers share one login, and the start-up pass completes", async () => {
    const vaults = await start({ secret_id_num_uses: 2, token_ttl: "5m" });
    for (let i = 0; i < KEYS; i++)
      await vaults.bao("POST", `secret/data/app/k${i}`, { data: { n: String(i) } });
    const c = vaults.run();
    const pass = await startUpPass(c, 20_000).catch(() => null);
    // Changes seen in the audit stream go through the same workers.
    await vaults.bao("POST", "secret/data/app/later", { data: { n: "later" } });
    await eventually(
      async () => expect((await vaults.destination("GET", "secret/data/app/later")).status).toBe(200),
      {
        timeoutMs: 10_000,
      },
    ).catch(() => {});
    const seen = { logins: vaults.logins(), pass: pass?.msg, unresolved: pass?.unresolved };
    expect(seen).toEqual({ logins: 1, pass: "reconcile pass finished", unresolved: 0 });
    for (const key of [...Array.from({ length: KEYS }, (_, i) => `k${i}`), "later"]) {
      expect((await vaults.destination("GET", `secret/data/app/${key}`)).status).toBe(200);
    }
    expect(c.stderr()).not.toContain(readFileSync(vaults.secretIdFile, "utf8").trim());
  }, 60_000);

  test("a used-up secret_id is reported once, never sent again, and a new one in the file is picked up", async () => {
    // A token that cannot outlive 4 s and a secret_id good for one login: the re-login is refused.
    const vaults = await start({ secret_id_num_uses: 1, token_ttl: "4s", token_max_ttl: "4s" });
    await vaults.bao("POST", "secret/data/app/before", { data: { n: "before" } });
    const c = vaults.run(["--retry.initial=200ms", "--retry.max=2s"]);
    expect((await startUpPass(c, 20_000)).unresolved).toBe(0);
    const refused = await c.waitFor((r) => r.level === "error", "an error line", 15_000);
    const loginsAtRefusal = vaults.logins();

    // 10 s of writes while Courier cannot log in: each is a sync that needs the source.
    for (let i = 0; i < 20; i++) {
      await vaults.bao("POST", `secret/data/app/during${i}`, { data: { n: String(i) } });
      await Bun.sleep(500);
    }
    const outageLogins = vaults.logins() - loginsAtRefusal;
    const linesInOutage = c.logs().filter((r) => r.level === "error" || r.level === "warn");

    // The operator's fix: a secret_id that lasts, written where Courier reads it.
    await vaults.bao("POST", "auth/approle/role/courier", { secret_id_num_uses: 0, token_max_ttl: "1h" });
    writeFileSync(vaults.secretIdFile, `${await vaults.newSecretId()}\n`);
    await c.waitForLog("logged in again", () => true, 10_000);
    await vaults.bao("POST", "secret/data/app/after", { data: { n: "after" } });
    for (const key of ["after", "during0", "during19"]) {
      await eventually(
        async () => expect((await vaults.destination("GET", `secret/data/app/${key}`)).status).toBe(200),
        { timeoutMs: 10_000 },
      );
    }

    expect(refused.msg).toContain("secret_id is used up");
    expect(String(refused.error)).toContain("400 invalid role or secret ID");
    expect(String(refused.hint)).toContain(`write it to ${vaults.secretIdFile}`);
    expect(linesInOutage.map((r) => r.msg)).toEqual([refused.msg]);
    // One refused login, then none until the file holds a new secret_id: a second refusal would
    // be wasted, and five lock the role_id out.
    expect({ atRefusal: loginsAtRefusal, inOutage: outageLogins }).toEqual({ atRefusal: 2, inOutage: 0 });
    expect(c.stderr()).not.toContain(readFileSync(vaults.secretIdFile, "utf8").trim());
  }, 90_000);
});
