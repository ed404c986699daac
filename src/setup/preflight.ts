// The preflight for one Vault: can it be reached, is the token alive, and does the token hold
// every right in the table? Everything found is returned as lines, so one run shows it all.
import { formatDuration } from "../config/values.ts";
import { VaultCallError } from "../vault/errors.ts";
import type { Journal } from "./journal.ts";
import { describeMissing, missingRights, pathsOf } from "./missing.ts";
import type { Right } from "./rights.ts";
import type { SetupVault } from "./setup-vault.ts";

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
export interface Needs {
  rights: Right[];
  /** Rights asked of the root namespace whatever the Vault's own (audit devices live there). */
  rootRights?: Right[];
  problems: string[];
}

/**
 * Checks one Vault; returns its problems (empty when all is well) and reports what it found.
 * `needs` runs once the token is known to work (the source's depend on its mount table).
 */
export async function preflightVault(
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
  const paths = pathsOf(rights);
  const reply = await vault.read({
    method: "POST",
    path: "sys/capabilities-self",
    namespace,
    body: { paths },
  });
  if (reply.status === 403) {
    return [
      `${vault.name} does not let the token check its rights (sys/capabilities-self: permission denied; the default policy grants it): ${pathLine()}`,
    ];
  }
  if (reply.status !== 200)
    throw vault.client.http.failure({ method: "POST", path: "sys/capabilities-self" }, reply);
  const body = reply.body as { data?: Record<string, unknown> } & Record<string, unknown>;
  const name = namespace === "" ? `${vault.label} ${vault.client.address} (root namespace)` : vault.name;
  return missingRights(rights, body.data ?? body).map((missing) => describeMissing(name, missing));
}

function pathLine(): string {
  return 'path "sys/capabilities-self" { capabilities = ["update"] }';
}

/** A call that failed: the error names the address, the call and Vault's answer. */
function describeFailure(vault: SetupVault, error: VaultCallError): string {
  if (error.status === undefined)
    return `${vault.name} cannot be reached: ${error.vaultMessage || error.reason}`;
  return `${vault.label}: ${error.message}`;
}
