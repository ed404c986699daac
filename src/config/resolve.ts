// The parts of loading that touch the host: token files are read (trimmed) once at start, the
// files TLS and AppRole need are checked to be readable, secrets readable by others are warned
// about (naming the file, never its content).
import { stat } from "node:fs/promises";
import type { VaultTarget } from "./schema.ts";
import { problemAt } from "./sources.ts";
import type { PlannedVault } from "./vaults.ts";

export interface Resolved {
  source: VaultTarget;
  destinations: VaultTarget[];
  problems: string[];
  warnings: string[];
  /** Every token value, for the log's redaction guard. */
  secrets: string[];
}

export async function resolveVaults(source: PlannedVault, destinations: PlannedVault[]): Promise<Resolved> {
  const out: Resolved = { source: source.target, destinations: [], problems: [], warnings: [], secrets: [] };
  for (const vault of [source, ...destinations]) {
    await resolveOne(vault, out);
    if (vault.target.token !== "") out.secrets.push(vault.target.token);
  }
  out.destinations = destinations.map((d) => d.target);
  return out;
}

async function resolveOne(vault: PlannedVault, out: Resolved): Promise<void> {
  const { target } = vault;
  if (vault.auth === "token_file") {
    const content = await readSecretFile(target.token_file, vault, out);
    if (content === "")
      out.problems.push(
        problemAt(vault.authKey, vault.authOrigin, `token file ${target.token_file} is empty`),
      );
    target.token = content ?? "";
  }
  if (vault.auth === "approle") {
    await readSecretFile(target.approle.role_id_file, vault, out, false);
    await readSecretFile(target.approle.secret_id_file, vault, out);
  }
  for (const key of ["ca_cert", "client_cert", "client_key"] as const) {
    const path = target.tls[key];
    const setting = {
      ...vault,
      authKey: `${vault.where}.tls.${key}`,
      authOrigin: vault.originOf(`tls.${key}`),
    };
    if (path !== "") await readSecretFile(path, setting, out, key === "client_key");
  }
  if (target.tls.skip_verify) {
    out.warnings.push(
      `TLS certificate verification is OFF for ${target.address} (${vault.where}.tls.skip_verify)`,
    );
  }
}

/** A file's trimmed content, or undefined with a problem when it cannot be read. */
async function readSecretFile(
  path: string,
  vault: PlannedVault,
  out: Resolved,
  secret = true,
): Promise<string | undefined> {
  try {
    const content = (await Bun.file(path).text()).trim();
    if (secret) {
      const warning = await exposureWarning(path);
      // One file may serve several destinations: warn about it once.
      if (warning && !out.warnings.includes(warning)) out.warnings.push(warning);
    }
    return content;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(code ?? error);
    out.problems.push(problemAt(vault.authKey, vault.authOrigin, `cannot read ${path}: ${reason}`));
    return undefined;
  }
}

/**
 * A warning when group or others may read a secret file; names the file, never its content.
 * a token file with mode 0644 → "token file … is readable by group or others (mode 0644): chmod 600 …"
 */
export async function exposureWarning(path: string): Promise<string | undefined> {
  if (process.platform === "win32") return undefined;
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o044) === 0) return undefined;
  return `secret file ${path} is readable by group or others (mode ${mode.toString(8).padStart(4, "0")}): chmod 600 ${path}`;
}
