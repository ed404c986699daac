// Config → the plain VaultSettings Courier builds its clients from. TLS files and AppRole
// credentials are read here, on the main thread, so a file that cannot be read stops the start;
// the secret_id file is read again at each later login (see vault/auth.ts). Workers receive
// PEM text and addresses, never credentials: their tokens come from the main thread.

import { readFileSync } from "node:fs";
import type { Config, VaultTarget } from "../config/schema.ts";
import { CourierError } from "../errors.ts";
import type { AuthSettings } from "./auth.ts";
import type { VaultSettings } from "./client.ts";
import type { TlsSettings } from "./http.ts";

/** How long one Vault call may take before it counts as a transient failure. */
const CALL_TIMEOUT_MS = 10_000;

export interface AgentVaults {
  source: VaultSettings;
  destinations: VaultSettings[];
  /** Addresses whose certificate is not verified: the agent says so loudly at start. */
  skipVerify: string[];
}

export function vaultSettingsFrom(config: Config): AgentVaults {
  const source = settingsFor(config.vault.source, "vault.source");
  const destinations = config.vault.destinations.list.map((target, i) =>
    settingsFor(target, `vault.destinations[${i}]`),
  );
  const skipVerify = [config.vault.source, ...config.vault.destinations.list]
    .filter((target) => target.tls.skip_verify)
    .map((target) => target.address);
  return { source, destinations, skipVerify };
}

function settingsFor(target: VaultTarget, where: string): VaultSettings {
  return {
    address: target.address,
    auth: authFor(target, where),
    tls: tlsFor(target, where),
    timeoutMs: CALL_TIMEOUT_MS,
  };
}

function authFor(target: VaultTarget, where: string): AuthSettings {
  const { role_id_file, secret_id_file, mount } = target.approle;
  if (target.token === "" && role_id_file !== "" && secret_id_file !== "") {
    return {
      method: "approle",
      roleId: readText(role_id_file, `${where}.approle.role_id_file`),
      secretId: readText(secret_id_file, `${where}.approle.secret_id_file`),
      secretIdFile: secret_id_file,
      mount,
      namespace: target.namespace,
    };
  }
  return { method: "token", token: target.token };
}

function tlsFor(target: VaultTarget, where: string): TlsSettings | undefined {
  const tls = target.tls;
  if (!tls.ca_cert && !tls.client_cert && !tls.client_key && !tls.server_name && !tls.skip_verify)
    return undefined;
  return {
    ca: tls.ca_cert ? readText(tls.ca_cert, `${where}.tls.ca_cert`) : undefined,
    cert: tls.client_cert ? readText(tls.client_cert, `${where}.tls.client_cert`) : undefined,
    key: tls.client_key ? readText(tls.client_key, `${where}.tls.client_key`) : undefined,
    serverName: tls.server_name || undefined,
    rejectUnauthorized: !tls.skip_verify,
  };
}

function readText(path: string, setting: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new CourierError("CONFIG_INVALID", `${setting}: cannot read ${path} (${reason})`, { cause: error });
  }
}
