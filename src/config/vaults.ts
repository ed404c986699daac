// Which Vaults Courier talks to and how it logs in to each: the source, and the destinations
// either from the flag-friendly lists (addresses, tokens, token_files plus shared tls/approle) or
// from vault.destinations.list in the file, where each item may say everything. When more than
// one way to log in is given, the strongest source (flag > env > file) wins; two at the same
// strength are a problem. Planning is pure; resolveVaults then touches the host: token files are
// read (trimmed) once at start, the files TLS and AppRole need are checked to be readable, and
// secrets readable by others are warned about (naming the file, never its content).
import { stat } from "node:fs/promises";
import type { Config, VaultTarget } from "./schema.ts";
import { DEFAULT_ORIGIN, type Layer, type Origin, problemAt } from "./sources.ts";

/** One Vault to reach, with the way to log in chosen; `where` names it in messages. */
export interface PlannedVault {
  where: string;
  target: VaultTarget;
  auth: "token" | "token_file" | "approle" | "none";
  /** Origin of the chosen auth setting, for messages about it. */
  authOrigin: Origin;
  /** The setting key the chosen auth came from, for messages about it. */
  authKey: string;
  /** Where one of its settings came from: originOf("tls.ca_cert"). */
  originOf(field: string): Origin;
}

export interface VaultPlan {
  source: PlannedVault;
  destinations: PlannedVault[];
  problems: string[];
}

export function planVaults(config: Config, given: Layer): VaultPlan {
  const problems: string[] = [];
  const origin = (key: string) => given.get(key)?.origin ?? DEFAULT_ORIGIN;
  const sourceCandidates = candidatesFor(config.vault.source, "vault.source", origin);
  const source = chooseAuth("vault.source", structuredClone(config.vault.source), sourceCandidates, problems);
  const destinations = planDestinations(config, given, origin, problems);
  for (const vault of [source, ...destinations])
    vault.originOf = (field) => originOf(vault.where, field, origin);
  return { source, destinations, problems };
}

/** The planned Vaults with their token files read, and what reading the host turned up. */
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

// ── Planning ────────────────────────────────────────────────────────────────────────────────────────

/**
 * Where a Vault's setting came from: its list item, the shared vault.destinations key, or the source's.
 * originOf("vault.destinations.addresses[1]", "tokens", o) → o("vault.destinations.tokens")
 */
function originOf(where: string, field: string, origin: (key: string) => Origin): Origin {
  if (where.startsWith("vault.destinations.list[")) return origin("vault.destinations.list");
  if (where.startsWith("vault.destinations.")) return origin(`vault.destinations.${field}`);
  return origin(`${where}.${field}`);
}

function planDestinations(
  config: Config,
  given: Layer,
  origin: (key: string) => Origin,
  problems: string[],
): PlannedVault[] {
  const shared = config.vault.destinations;
  const useList = chooseDestinationForm(
    shared.addresses.length > 0,
    shared.list.length > 0,
    origin,
    problems,
  );
  const count = useList ? shared.list.length : shared.addresses.length;
  for (const key of ["tokens", "token_files"] as const) {
    const length = shared[key].length;
    if (length > 1 && length !== count) {
      const what = key === "tokens" ? "tokens" : "token files";
      problems.push(
        problemAt(
          `vault.destinations.${key}`,
          origin(`vault.destinations.${key}`),
          `${length} ${what} for ${count} destinations; give one for all of them or one per destination, in order`,
        ),
      );
    }
  }
  const rawItems = (given.get("vault.destinations.list")?.value ?? []) as Record<string, unknown>[];
  const planned: PlannedVault[] = [];
  for (let i = 0; i < count; i++) {
    const pick = <T>(values: readonly T[]) => values[values.length === 1 ? 0 : i];
    const base: VaultTarget = {
      address: useList ? "" : (shared.addresses[i] ?? ""),
      token: pick(shared.tokens) ?? "",
      token_file: pick(shared.token_files) ?? "",
      namespace: shared.namespace,
      tls: { ...shared.tls },
      approle: { ...shared.approle },
    };
    const sharedCandidates = candidatesFor(base, "vault.destinations", origin, true);
    if (!useList) {
      planned.push(chooseAuth(`vault.destinations.addresses[${i}]`, base, sharedCandidates, problems));
      continue;
    }
    const where = `vault.destinations.list[${i}]`;
    const listOrigin = origin("vault.destinations.list");
    const raw = rawItems[i] ?? {};
    const item = shared.list[i] as VaultTarget;
    const target = overlay(base, item, raw);
    if (target.address === "") problems.push(problemAt(`${where}.address`, listOrigin, "is required"));
    const own = candidatesFor(withOnly(raw), where, () => listOrigin);
    if (own.length > 0) {
      planned.push(chooseAuth(where, target, own, problems));
      continue;
    }
    // The item says nothing about logging in: the shared token, token file or AppRole applies,
    // even over an empty `token: ""` the item wrote.
    const { role_id_file, secret_id_file } = base.approle;
    const withShared = { ...target, token: base.token, token_file: base.token_file };
    withShared.approle = { ...target.approle, role_id_file, secret_id_file };
    planned.push(chooseAuth(where, withShared, sharedCandidates, problems));
  }
  return planned;
}

/** Whether destinations come from vault.destinations.list (true) or .addresses (false). */
function chooseDestinationForm(
  hasAddresses: boolean,
  hasList: boolean,
  origin: (key: string) => Origin,
  problems: string[],
): boolean {
  if (!hasAddresses || !hasList) return hasList;
  const addresses = origin("vault.destinations.addresses");
  const list = origin("vault.destinations.list");
  if (addresses.rank === list.rank) {
    problems.push(
      problemAt(
        "vault.destinations.list",
        list,
        "set either vault.destinations.addresses or this list, not both",
      ),
    );
  }
  return list.rank > addresses.rank;
}

/** The item's own values over the shared ones; only what the item actually wrote counts. */
function overlay(base: VaultTarget, item: VaultTarget, raw: Record<string, unknown>): VaultTarget {
  const said = (value: unknown) => value !== undefined && value !== null;
  const rawTls = (raw.tls ?? {}) as Record<string, unknown>;
  const rawRole = (raw.approle ?? {}) as Record<string, unknown>;
  const target = structuredClone(base);
  for (const key of ["address", "token", "token_file", "namespace"] as const) {
    if (said(raw[key])) target[key] = item[key];
  }
  for (const key of Object.keys(target.tls) as (keyof VaultTarget["tls"])[]) {
    if (said(rawTls[key])) (target.tls as Record<string, unknown>)[key] = item.tls[key];
  }
  for (const key of Object.keys(target.approle) as (keyof VaultTarget["approle"])[]) {
    if (said(rawRole[key])) target.approle[key] = item.approle[key];
  }
  return target;
}

/** Auth-related values the raw item wrote, as a target-shaped object for candidatesFor. */
function withOnly(raw: Record<string, unknown>): Pick<VaultTarget, "token" | "token_file" | "approle"> {
  const role = (raw.approle ?? {}) as Record<string, unknown>;
  const text = (value: unknown) =>
    typeof value === "string" || typeof value === "number" ? String(value) : "";
  return {
    token: text(raw.token),
    token_file: text(raw.token_file),
    approle: { mount: "", role_id_file: text(role.role_id_file), secret_id_file: text(role.secret_id_file) },
  };
}

// ── Choosing the way to log in ──────────────────────────────────────────────────────────────────────

interface Candidate {
  auth: PlannedVault["auth"];
  key: string;
  origin: Origin;
}

/** The ways to log in that a target holds, each with the setting and origin it came from. */
function candidatesFor(
  target: Pick<VaultTarget, "token" | "token_file" | "approle">,
  prefix: string,
  origin: (key: string) => Origin,
  lists = false,
): Candidate[] {
  const out: Candidate[] = [];
  const tokenKey = `${prefix}.${lists ? "tokens" : "token"}`;
  const fileKey = `${prefix}.${lists ? "token_files" : "token_file"}`;
  if (target.token !== "") out.push({ auth: "token", key: tokenKey, origin: origin(tokenKey) });
  if (target.token_file !== "") out.push({ auth: "token_file", key: fileKey, origin: origin(fileKey) });
  const { role_id_file, secret_id_file } = target.approle;
  if (role_id_file !== "" || secret_id_file !== "") {
    const key = `${prefix}.approle.${role_id_file !== "" ? "role_id_file" : "secret_id_file"}`;
    out.push({ auth: "approle", key, origin: origin(key) });
  }
  return out;
}

/** The strongest way to log in; two given at the same strength is a problem, not a guess. */
function chooseAuth(
  where: string,
  target: VaultTarget,
  candidates: Candidate[],
  problems: string[],
): PlannedVault {
  const sorted = [...candidates].sort((a, b) => b.origin.rank - a.origin.rank);
  const [best, second] = sorted;
  if (best && second && best.origin.rank === second.origin.rank) {
    problems.push(
      problemAt(best.key, best.origin, `also ${second.key} is set for ${where}; give one way to log in`),
    );
  }
  const auth = best?.auth ?? "none";
  if (auth !== "token") target.token = "";
  if (auth !== "token_file") target.token_file = "";
  if (auth !== "approle") target.approle = { ...target.approle, role_id_file: "", secret_id_file: "" };
  const authOrigin = best?.origin ?? DEFAULT_ORIGIN;
  // originOf is filled in by planVaults, which knows where every setting came from.
  return { where, target, auth, authOrigin, authKey: best?.key ?? where, originOf: () => DEFAULT_ORIGIN };
}

// ── Reading the files a Vault's settings name ───────────────────────────────────────────────────────

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
async function exposureWarning(path: string): Promise<string | undefined> {
  if (process.platform === "win32") return undefined;
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o044) === 0) return undefined;
  return `secret file ${path} is readable by group or others (mode ${mode.toString(8).padStart(4, "0")}): chmod 600 ${path}`;
}
