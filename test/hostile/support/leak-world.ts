// The Vaults of the secrets-never-leak scenario: a source and two destinations, each with a root
// token that looks like nothing in particular (so only Courier's own hiding, not a token-shaped
// pattern, can keep it out of the logs), a token made for Courier on the source and the first
// destination, an AppRole login on the second, and file audit devices with log_raw on, so that
// afterwards every token anyone used is known. Every value and token is unique to one run.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VaultApi } from "../../support/vault-api.ts";
import { startVaultDouble, type VaultDouble } from "../../support/vault-double/index.ts";

export interface LeakWorld {
  dir: string;
  tag: string;
  doubles: { source: VaultDouble; east: VaultDouble; west: VaultDouble };
  source: VaultApi;
  east: VaultApi;
  west: VaultApi;
  /** Where each double's raw audit trail is written. */
  rawTrails: string[];
  /** The source's ordinary (HMAC'd) trail. */
  trail: string;
  /** Values that must never be printed: tokens, AppRole credentials. */
  credentials: string[];
  /** Writes the config file for Courier (audit address filled in later by the caller) and answers its path. */
  configFile(auditAddress: string): string;
  stop(): Promise<void>;
}

const ADMIN_POLICY =
  'path "*" { capabilities = ["create", "read", "update", "patch", "delete", "list", "sudo"] }';

export async function startLeakWorld(): Promise<LeakWorld> {
  const tag = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  const dir = mkdtempSync(join(tmpdir(), "courier-leak-"));
  const [source, east, west] = (await Promise.all(
    ["source", "east", "west"].map((name) => startVaultDouble({ rootToken: `${name}-root-${tag}` })),
  )) as [VaultDouble, VaultDouble, VaultDouble];
  const apis = [source, east, west].map((d) => new VaultApi(d.address, d.rootToken));
  const [sourceApi, eastApi, westApi] = apis as [VaultApi, VaultApi, VaultApi];
  const rawTrails = ["source", "east", "west"].map((name) => join(dir, `${name}-raw.log`));
  const trail = join(dir, "source-audit.log");
  for (const [i, api] of apis.entries()) {
    await api.must("PUT", "sys/audit/raw", {
      type: "file",
      options: { file_path: rawTrails[i], log_raw: "true" },
    });
  }
  await sourceApi.must("PUT", "sys/audit/trail", { type: "file", options: { file_path: trail } });

  // Tokens made for Courier, with ids of our choosing (as an operator can with sudo).
  const sourceToken = `courier-source-${tag}`;
  const eastToken = `courier-east-${tag}`;
  await sourceApi.must("POST", "auth/token/create", { id: sourceToken, policies: ["root"] });
  await eastApi.must("POST", "auth/token/create", { id: eastToken, policies: ["root"] });
  // West: an AppRole login, so Courier holds a token nobody gave it.
  await westApi.must("PUT", "sys/policies/acl/courier", { policy: ADMIN_POLICY });
  await westApi.must("POST", "sys/auth/approle", { type: "approle" });
  await westApi.must("POST", "auth/approle/role/courier", { token_policies: ["courier"] });
  const roleId = (await westApi.must("GET", "auth/approle/role/courier/role-id")).body.data.role_id;
  const secretId = (await westApi.must("POST", "auth/approle/role/courier/secret-id")).body.data.secret_id;

  const secretFile = (name: string, value: string) => {
    const path = join(dir, name);
    writeFileSync(path, `${value}\n`);
    chmodSync(path, 0o600);
    return path;
  };
  const files = {
    source: secretFile("source.token", sourceToken),
    east: secretFile("east.token", eastToken),
    roleId: secretFile("west.role-id", roleId),
    secretId: secretFile("west.secret-id", secretId),
  };
  return {
    dir,
    tag,
    doubles: { source, east, west },
    source: sourceApi,
    east: eastApi,
    west: westApi,
    rawTrails,
    trail,
    credentials: [source.rootToken, east.rootToken, west.rootToken, sourceToken, eastToken, roleId, secretId],
    configFile(auditAddress) {
      const path = join(dir, "courier.yaml");
      writeFileSync(
        path,
        [
          "vault:",
          "  source:",
          `    address: "${source.address}"`,
          `    token_file: "${files.source}"`,
          "  destinations:",
          "    list:",
          `      - address: "${east.address}"`,
          `        token_file: "${files.east}"`,
          `      - address: "${west.address}"`,
          "        approle:",
          `          role_id_file: "${files.roleId}"`,
          `          secret_id_file: "${files.secretId}"`,
          `  audit_address: "${auditAddress}"`,
          "retry:",
          '  initial: "50ms"',
          '  max: "200ms"',
          "log:",
          '  level: "trace"',
          '  format: "json"',
          "",
        ].join("\n"),
      );
      return path;
    },
    async stop() {
      await Promise.all([source.stop(), east.stop(), west.stop()]);
    },
  };
}
