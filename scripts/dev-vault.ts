// A stand-in for `vault server -dev`: the Vault double on a fixed address, until SIGINT/SIGTERM.
//   bun scripts/dev-vault.ts -dev-root-token-id=root -dev-listen-address=127.0.0.1:8200
// Flags are read like Vault's (Go's flag package): -name=value, --name=value, -name value.
import { startVaultDouble } from "../test/support/vault-double/index.ts";

interface DevFlags {
  rootToken: string;
  hostname: string;
  port: number;
}

const VALUE_FLAGS = new Set(["dev-root-token-id", "dev-listen-address"]);
const BOOL_FLAGS = new Set(["dev", "dev-no-store-token"]);

/** ["-dev-listen-address", "127.0.0.1:8300"] → { hostname: "127.0.0.1", port: 8300, … } */
export function parseDevFlags(argv: string[], env: Record<string, string | undefined>): DevFlags | string {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "server") continue;
    const match = /^--?([^=]+)(?:=(.*))?$/.exec(arg);
    if (!match) return `unexpected argument: ${arg}`;
    const name = match[1]!;
    if (BOOL_FLAGS.has(name)) continue;
    if (!VALUE_FLAGS.has(name)) return `flag provided but not defined: -${name}`;
    const value = match[2] ?? argv[++i];
    if (value === undefined) return `flag needs an argument: -${name}`;
    values[name] = value;
  }
  const address = values["dev-listen-address"] ?? env.VAULT_DEV_LISTEN_ADDRESS ?? "127.0.0.1:8200";
  const parsed = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  if (!parsed) return `invalid listen address: ${address}`;
  return {
    rootToken: values["dev-root-token-id"] ?? env.VAULT_DEV_ROOT_TOKEN_ID ?? crypto.randomUUID(),
    hostname: parsed[1] ?? (parsed[2] || "127.0.0.1"),
    port: Number(parsed[3]),
  };
}

async function main(): Promise<void> {
  const flags = parseDevFlags(process.argv.slice(2), process.env);
  if (typeof flags === "string") {
    console.error(flags);
    process.exit(1);
  }
  const vault = await startVaultDouble({
    hostname: flags.hostname,
    port: flags.port,
    rootToken: flags.rootToken,
  });
  const { state } = vault.ctx;
  console.log(
    [
      "==> Vault server configuration:",
      "",
      `             Api Address: ${vault.address}`,
      `              Listener 1: tcp (addr: "${flags.hostname}:${vault.port}", max_request_size: "33554432", tls: "disabled")`,
      "                 Storage: inmem",
      `                 Version: Vault v${state.version} (double)`,
      "",
      "==> Vault server started! Log data will stream in below:",
      "",
      "WARNING! dev mode is enabled! In this mode, Vault runs entirely in-memory",
      "and starts unsealed with a single unseal key.",
      "",
      "You may need to set the following environment variables:",
      "",
      `    $ export VAULT_ADDR='${vault.address}'`,
      "",
      `Unseal Key: ${state.unsealKey}`,
      `Root Token: ${vault.rootToken}`,
      "",
      "Development mode should NOT be used in production installations!",
      "",
    ].join("\n"),
  );
  const shutdown = async () => {
    console.log("==> Vault shutdown triggered");
    await vault.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

if (import.meta.main) await main();
