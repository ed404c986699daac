// The preflight: before setup changes anything, every Vault is checked — can it be reached, is
// the token alive, does the token hold every right in the table — and every problem found is
// listed, so one run shows them all. The source's rights depend on its KV mounts in scope (KV v1
// and v2 need different paths), so those are read from it here too.
import type { Config } from "../config/schema.ts";
import { formatDuration } from "../config/values.ts";
import { CourierError } from "../errors.ts";
import { mapFor, pathMapsFrom } from "../sync/path-map.ts";
import { policyLine, VaultCallError } from "../vault/errors.ts";
import { vaultPath } from "../vault/http.ts";
import type { MountInfo } from "../vault/mounts.ts";
import { mountInfo } from "../vault/mounts.ts";
import type { Journal, SetupVault } from "./journal.ts";
import { preflightNamespaces } from "./namespace-scope.ts";
import {
  describeMissing,
  destinationRights,
  destinationScope,
  type KvMount,
  missingRights,
  type NamespaceMounts,
  type Right,
  rightsScope,
  sourceRights,
} from "./rights.ts";

/**
 * Every Vault checked, every problem listed, then one failure if there were any.
 * `auditRights` are what the source's token needs for the audit devices setup enables.
 */
export async function preflight(
  config: Config,
  source: SetupVault,
  destinations: readonly SetupVault[],
  auditRights: Right[],
  journal: Journal,
): Promise<void> {
  let mounts: KvMount[] = [];
  let namespaces: NamespaceMounts[] = [];
  const problems = await preflightVault(
    source,
    async () => {
      const found = await kvMountsInScope(source, config.sync.mounts);
      mounts = found.mounts;
      // The namespaces below in scope: their paths are checked too, each under its own path.
      const below = await preflightNamespaces(source, config);
      namespaces = below.namespaces;
      if (below.note) journal.say(below.note);
      const unknown = found.complete
        ? []
        : [
            `the KV mounts in scope are unknown: the token cannot read sys/mounts on ${source.name}; name them with --sync.mounts`,
          ];
      return {
        rights: sourceRights(rightsScope(config, mounts, namespaces)),
        rootRights: auditRights,
        problems: [...found.problems, ...unknown],
      };
    },
    journal,
  );
  const maps = pathMapsFrom(config);
  for (const destination of destinations) {
    problems.push(
      ...(await preflightVault(
        destination,
        async () => ({
          rights: destinationRights(
            // Where this destination's map (its own, or sync.map) puts the keys.
            destinationScope(
              rightsScope(config, mounts, namespaces),
              mapFor(maps, destination.client.address),
            ),
          ),
          problems: [],
        }),
        journal,
      )),
    );
  }
  if (problems.length > 0) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    problems.push(
      `setup stopped after the preflight (${count}); \`courier setup policy\` prints the policies Courier's tokens need`,
    );
    throw new CourierError("SETUP_FAILED", problems.join("\n"));
  }
  journal.say("preflight: every Vault answers and every token has the rights Courier needs");
}

export interface MountsInScope {
  mounts: KvMount[];
  /** One line each: a named mount the source does not have, or that is not KV. */
  problems: string[];
  /** False when sync.mounts is empty and the mount table could not be read. */
  complete: boolean;
}

/**
 * The KV mounts in scope and their versions. sys/mounts answers for every mount; without read on
 * it, each mount named in sync.mounts is looked up alone (sys/internal/ui/mounts/<m>, which any
 * token that can reach the mount may read).
 */
export async function kvMountsInScope(source: SetupVault, wanted: readonly string[]): Promise<MountsInScope> {
  const reply = await source.read({ method: "GET", path: "sys/mounts" });
  if (reply.status === 200) return fromTable(source.name, tableOf(reply.body), wanted);
  if (reply.status !== 403) throw source.client.http.failure({ method: "GET", path: "sys/mounts" }, reply);
  const out: MountsInScope = { mounts: [], problems: [], complete: wanted.length > 0 };
  for (const mount of wanted) {
    const path = vaultPath("sys/internal/ui/mounts", mount);
    const one = await source.read({ method: "GET", path });
    const data = (one.body as { data?: Record<string, unknown> } | undefined)?.data;
    if (one.status === 200 && data?.path === mount) {
      const info = mountInfo(mount, data);
      out.problems.push(...notKv(source.name, mount, info));
      if (info.kvVersion) out.mounts.push({ path: mount, version: info.kvVersion });
    } else {
      out.problems.push(
        `sync.mounts names ${mount}, which ${source.name} does not have or the token cannot see`,
      );
    }
  }
  return out;
}

/** What sys/health's status means, for a Vault Courier can work with or not. */
const HEALTH: Record<number, { ok: boolean; state: string }> = {
  200: { ok: true, state: "active" },
  429: { ok: true, state: "standby" },
  472: { ok: true, state: "DR secondary" },
  473: { ok: true, state: "performance standby" },
  501: { ok: false, state: "not initialised" },
  503: { ok: false, state: "sealed" },
};

/** The rights a Vault's token needs, and problems met while working them out. */
interface Needs {
  rights: Right[];
  /** Rights asked of the root namespace whatever the Vault's own (audit devices live there). */
  rootRights?: Right[];
  problems: string[];
}

/**
 * Checks one Vault; returns its problems (empty when all is well) and reports what it found.
 * `needs` runs once the token is known to work (the source's depend on its mount table).
 */
async function preflightVault(
  vault: SetupVault,
  needs: () => Promise<Needs>,
  journal: Journal,
): Promise<string[]> {
  try {
    const health = await vault.health();
    const known = HEALTH[health.status];
    if (!known?.ok)
      return [`${vault.name} is ${known?.state ?? `unhealthy (sys/health answered ${health.status})`}`];
    const token = await lookupToken(vault, journal);
    if (typeof token !== "string") return token.problems;
    journal.say(`${vault.name}: reachable (${known.state}), ${token}`);
    const { rights, rootRights = [], problems } = await needs();
    if (vault.namespace === "")
      return [...problems, ...(await checkRights(vault, [...rights, ...rootRights]))];
    const here = await checkRights(vault, rights);
    return [...problems, ...here, ...(await checkRights(vault, rootRights, ""))];
  } catch (error) {
    if (error instanceof VaultCallError) return [describeFailure(vault, error)];
    throw error;
  }
}

/** auth/token/lookup-self → "token policies [a, b], ttl 1h (renewable)", or why it failed. */
async function lookupToken(vault: SetupVault, journal: Journal): Promise<string | { problems: string[] }> {
  const reply = await vault.read({ method: "GET", path: "auth/token/lookup-self" });
  if (reply.status === 403) {
    return {
      problems: [
        `${vault.name} refused the token (auth/token/lookup-self: permission denied): it is unknown, expired or revoked`,
      ],
    };
  }
  if (reply.status !== 200)
    throw vault.client.http.failure({ method: "GET", path: "auth/token/lookup-self" }, reply);
  const data = ((reply.body as { data?: Record<string, unknown> }).data ?? {}) as Record<string, unknown>;
  const policies = Array.isArray(data.policies) ? data.policies.map(String) : [];
  const ttl = Number(data.ttl ?? 0);
  const renewable = data.renewable === true;
  if (ttl > 0 && !renewable) {
    journal.warn(
      `the token for ${vault.name} expires in ${formatDuration(ttl * 1000)} and cannot be renewed`,
    );
  }
  const life =
    ttl > 0 ? `ttl ${formatDuration(ttl * 1000)}${renewable ? ", renewable" : ""}` : "never expires";
  return `token policies [${policies.join(", ")}], ${life}`;
}

async function checkRights(
  vault: SetupVault,
  rights: readonly Right[],
  namespace?: string,
): Promise<string[]> {
  if (rights.length === 0) return [];
  const paths = [...new Set(rights.map((right) => right.path))];
  const reply = await vault.read({
    method: "POST",
    path: "sys/capabilities-self",
    namespace,
    body: { paths },
  });
  if (reply.status === 403) {
    return [
      `${vault.name} does not let the token check its rights (sys/capabilities-self: permission denied; the default policy grants it): ${policyLine("sys/capabilities-self", ["update"])}`,
    ];
  }
  if (reply.status !== 200)
    throw vault.client.http.failure({ method: "POST", path: "sys/capabilities-self" }, reply);
  const body = reply.body as { data?: Record<string, unknown> } & Record<string, unknown>;
  const name = namespace === "" ? `${vault.label} ${vault.client.address} (root namespace)` : vault.name;
  return missingRights(rights, body.data ?? body).map((missing) => describeMissing(name, missing));
}

/** A call that failed: the error names the address, the call and Vault's answer. */
function describeFailure(vault: SetupVault, error: VaultCallError): string {
  if (error.status === undefined)
    return `${vault.name} cannot be reached: ${error.vaultMessage || error.reason}`;
  return `${vault.label}: ${error.message}`;
}

/**
 * The mounts in scope from a full mount table.
 * fromTable("source …", {"secret/": {type:"kv",…version 2}}, []) → {mounts:[{path:"secret/",version:2}], problems:[], complete:true}
 */
function fromTable(name: string, table: Map<string, MountInfo>, wanted: readonly string[]): MountsInScope {
  const out: MountsInScope = { mounts: [], problems: [], complete: true };
  const paths = wanted.length > 0 ? wanted : [...table.keys()].filter((p) => table.get(p)?.kvVersion).sort();
  for (const path of paths) {
    const info = table.get(path);
    if (!info) {
      out.problems.push(`sync.mounts names ${path}, which ${name} does not have`);
      continue;
    }
    out.problems.push(...notKv(name, path, info));
    if (info.kvVersion) out.mounts.push({ path, version: info.kvVersion });
  }
  return out;
}

function notKv(name: string, path: string, info: MountInfo): string[] {
  if (info.kvVersion) return [];
  return [`sync.mounts names ${path}, which is a ${info.type} mount on ${name}, not KV`];
}

export function tableOf(body: unknown): Map<string, MountInfo> {
  // Newer Vault puts the mounts under data; older Vault also (or only) at the top level.
  const entries = (body as { data?: Record<string, unknown> }).data ?? (body as Record<string, unknown>);
  const table = new Map<string, MountInfo>();
  for (const [path, entry] of Object.entries(entries ?? {})) {
    if (path.endsWith("/") && entry && typeof entry === "object") table.set(path, mountInfo(path, entry));
  }
  return table;
}
