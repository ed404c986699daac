// Audit entries written by someone who is not Vault: well formed, from an allowed address, saying
// whatever the sender likes. Shaped like Vault's (see fuzz/entries.ts), so only their content, not
// their form, gives them away.
import type { RequestStats } from "../../support/vault-double/stats.ts";
import { entryLine, namespaceField } from "../fuzz/entries.ts";

/** forged("delete", "secret/data/app") → a response entry line for a successful delete of it. */
export function forged(operation: string, path: string, namespace = ""): string {
  return entryLine({ operation, path, namespace: namespaceField(namespace) });
}

/** The writes a double has answered: every create, update, patch and delete it ran. */
export function writesSeen(stats: RequestStats): number {
  const { create, update, patch, delete: deletes } = stats.byOperation;
  return create + update + patch + deletes;
}
