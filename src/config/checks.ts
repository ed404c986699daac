// Rules that span settings: what a command needs to run, pairs that go together, and mistakes
// no single value shows (a destination that is the source itself).
import { DEFAULT_ORIGIN, type Layer } from "./origin.ts";
import { problemAt } from "./problems.ts";
import type { Config } from "./schema.ts";
import type { PlannedVault, VaultPlan } from "./vaults.ts";

/** What a command needs: `run` needs both, `courier setup policy` neither. */
export interface Requirements {
  /** A way to log in to the source Vault. */
  source?: boolean;
  /** At least one destination, each with a way to log in. */
  destinations?: boolean;
}

export function checkConfig(config: Config, plan: VaultPlan, given: Layer, needs: Requirements): string[] {
  const problems: string[] = [];
  const origin = (key: string) => given.get(key)?.origin ?? DEFAULT_ORIGIN;
  if (needs.source && plan.source.auth === "none") {
    problems.push(
      problemAt(
        "vault.source.token",
        DEFAULT_ORIGIN,
        "no way to log in to the source Vault: set --vault.source.token-file, COURIER_VAULT_SOURCE_TOKEN or VAULT_TOKEN, or vault.source.approle.role_id_file and secret_id_file",
      ),
    );
  }
  if (needs.destinations && plan.destinations.length === 0) {
    problems.push(
      problemAt(
        "vault.destinations.addresses",
        origin("vault.destinations.addresses"),
        "no destination Vault: set --vault.destinations.addresses, or vault.destinations.list in the config file",
      ),
    );
  }
  // With tokens miscounted, a destination left without one is the same mistake: say it once.
  for (const vault of plan.problems.length === 0 ? plan.destinations : []) {
    if (needs.destinations && vault.auth === "none") {
      problems.push(
        problemAt(
          vault.where,
          vault.originOf("addresses"),
          "no way to log in: set vault.destinations.tokens or token_files (one for all, or one per destination), or an AppRole",
        ),
      );
    }
  }
  for (const vault of [plan.source, ...plan.destinations]) problems.push(...checkPairs(vault));
  problems.push(...checkSameVaults(plan));
  if (config.retry.initial > config.retry.max) {
    problems.push(problemAt("retry.initial", origin("retry.initial"), "must not be longer than retry.max"));
  }
  return problems;
}

/** Settings that only work together: a client certificate and its key; an AppRole's two files. */
function checkPairs(vault: PlannedVault): string[] {
  const problems: string[] = [];
  const { tls, approle } = vault.target;
  if ((tls.client_cert === "") !== (tls.client_key === "")) {
    const missing = tls.client_cert === "" ? "client_cert" : "client_key";
    const present = missing === "client_cert" ? "client_key" : "client_cert";
    problems.push(
      problemAt(
        `${vault.where}.tls.${present}`,
        vault.originOf(`tls.${present}`),
        `needs tls.${missing} too`,
      ),
    );
  }
  if (vault.auth === "approle" && (approle.role_id_file === "" || approle.secret_id_file === "")) {
    const missing = approle.role_id_file === "" ? "role_id_file" : "secret_id_file";
    problems.push(problemAt(vault.authKey, vault.authOrigin, `AppRole login needs approle.${missing} too`));
  }
  return problems;
}

/** A destination that is the source, or two destinations that are one Vault, is a mistake. */
function checkSameVaults(plan: VaultPlan): string[] {
  const problems: string[] = [];
  const identity = (vault: PlannedVault) => `${vault.target.address.toLowerCase()}|${vault.target.namespace}`;
  const seen = new Map<string, string>([[identity(plan.source), "the source Vault"]]);
  for (const vault of plan.destinations) {
    const same = seen.get(identity(vault));
    if (same !== undefined) {
      problems.push(problemAt(`${vault.where}.address`, vault.originOf("addresses"), `is ${same} again`));
    }
    seen.set(identity(vault), vault.where);
  }
  return problems;
}
