// scripts/dev-vault.ts: Vault's dev-server flags, a ready line, serving until SIGTERM/SIGINT.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parseDevFlags } from "../../../scripts/dev-vault.ts";

const script = join(import.meta.dir, "..", "..", "..", "scripts", "dev-vault.ts");

describe("dev-vault flags", () => {
  test.each([
    [
      ["-dev-root-token-id=root", "-dev-listen-address=127.0.0.1:8300"],
      { rootToken: "root", hostname: "127.0.0.1", port: 8300 },
    ],
    [
      ["--dev-root-token-id", "abc", "--dev-listen-address", "127.0.0.1:9"],
      { rootToken: "abc", hostname: "127.0.0.1", port: 9 },
    ],
    [
      ["server", "-dev", "-dev-root-token-id", "t", "-dev-listen-address=[::1]:8200"],
      { rootToken: "t", hostname: "::1", port: 8200 },
    ],
    [["-dev-root-token-id=x"], { rootToken: "x", hostname: "127.0.0.1", port: 8200 }],
  ])("%p → %p", (argv, expected) => {
    expect(parseDevFlags(argv, {})).toEqual(expected);
  });

  test("falls back to VAULT_DEV_ROOT_TOKEN_ID and VAULT_DEV_LISTEN_ADDRESS like Vault", () => {
    const env = { VAULT_DEV_ROOT_TOKEN_ID: "from-env", VAULT_DEV_LISTEN_ADDRESS: "127.0.0.1:8444" };
    expect(parseDevFlags([], env)).toEqual({ rootToken: "from-env", hostname: "127.0.0.1", port: 8444 });
  });

  test.each([
    [["-nope=1"], "flag provided but not defined: -nope"],
    [["-dev-root-token-id"], "flag needs an argument: -dev-root-token-id"],
    [["-dev-listen-address=nowhere"], "invalid listen address: nowhere"],
  ])("refuses %p with %p", (argv, message) => {
    expect(parseDevFlags(argv, {})).toBe(message);
  });
});

/** A port nothing listens on right now. */
function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}

async function readUntil(stream: ReadableStream<Uint8Array>, marker: string): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  reader.releaseLock();
  return text;
}

describe("dev-vault process", () => {
  test.each(["SIGTERM", "SIGINT"] as const)(
    "prints the ready line with address and root token, serves, and exits 0 on %s",
    async (signal) => {
      const port = freePort();
      const proc = Bun.spawn(
        [process.execPath, script, "-dev-root-token-id=s3cret", `-dev-listen-address=127.0.0.1:${port}`],
        { stdout: "pipe", stderr: "pipe" },
      );
      try {
        const out = await readUntil(proc.stdout, "Root Token: s3cret");
        expect(out).toContain("==> Vault server started! Log data will stream in below:");
        expect(out).toContain(`export VAULT_ADDR='http://127.0.0.1:${port}'`);
        const resp = await fetch(`http://127.0.0.1:${port}/v1/sys/mounts`, {
          headers: { "X-Vault-Token": "s3cret" },
        });
        expect(resp.status).toBe(200);
        const mounts = (await resp.json()) as { data: Record<string, { options: unknown }> };
        expect(mounts.data["secret/"]?.options).toEqual({ version: "2" });
      } finally {
        proc.kill(signal);
      }
      expect(await proc.exited).toBe(0);
    },
  );
});
