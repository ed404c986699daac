// node-vault traces every request body with the `debug` package when DEBUG names it: a secret
// value written to a Vault would reach stderr, past Courier's log scrubber. Courier's client keeps
// that trace silent whatever DEBUG says.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startVaultDouble, type VaultDouble } from "../support/vault-double/index.ts";

let vault: VaultDouble;
beforeAll(async () => {
  vault = await startVaultDouble();
});
afterAll(async () => {
  await vault?.stop();
});

describe("the Vault client under DEBUG=node-vault", () => {
  test("writes a secret without printing its value", async () => {
    const script = `
      import { VaultHttp } from ${JSON.stringify(new URL("../../src/vault/http.ts", import.meta.url).pathname)};
      const http = new VaultHttp(process.argv.at(-1));
      const reply = await http.send(
        { method: "POST", path: "secret/data/app", body: { data: { password: "hunter2-value" } } },
        "root",
      );
      console.log("status", reply.status);
      http.close();
    `;
    const child = Bun.spawn([process.execPath, "-e", script, vault.address], {
      env: { ...process.env, DEBUG: "*", DEBUG_COLORS: "0" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("status 200");
    expect(stderr).not.toContain("hunter2-value");
  });
});
