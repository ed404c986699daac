// Choosing how Courier logs in to one Vault when more than one way was given: the way given by
// the strongest source (flag > env > file) wins; two at the same strength are a problem.

import type { VaultTarget } from "./schema.ts";
import { DEFAULT_ORIGIN, type Origin, problemAt } from "./sources.ts";
import type { PlannedVault } from "./vaults.ts";

export interface Candidate {
  auth: PlannedVault["auth"];
  key: string;
  origin: Origin;
}

/** The ways to log in that a target holds, each with the setting and origin it came from. */
export function candidatesFor(
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
export function chooseAuth(
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
