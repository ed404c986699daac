// ACL policies: sys/policies/acl/<name> and the legacy sys/policy/<name> (which says "rules").
import { parsePolicy } from "../../auth/acl.ts";
import { DoubleHttpError } from "../../errors.ts";
import type { NamespaceState } from "../../state.ts";
import type { LogicalRequest, LogicalResponse } from "../../types.ts";
import { stringField } from "../fields.ts";
import { invalidRequest, listResponse, NO_CONTENT, notFound, ok, userError } from "../respond.ts";

/** Policies no request may change (immutablePolicies); response-wrapping is also never listed. */
const IMMUTABLE = new Set(["root", "response-wrapping"]);

/** Sorted names, with "root" appended at the end in the root namespace, as Vault lists them. */
export function policyNames(nsState: NamespaceState): string[] {
  const names = [...nsState.policies.keys()].filter((n) => n !== "response-wrapping").sort();
  if (nsState.ns.path === "") names.push("root");
  return names;
}

export function listPolicies(nsState: NamespaceState, legacy: boolean): LogicalResponse {
  const names = policyNames(nsState);
  if (!legacy) return listResponse(names);
  return ok({ keys: names, policies: names });
}

export function readPolicy(nsState: NamespaceState, rawName: string, legacy: boolean): LogicalResponse {
  const name = rawName.trim().toLowerCase();
  const text = name === "root" && nsState.ns.path === "" ? "" : nsState.policies.get(name);
  if (text === undefined) return notFound();
  return ok({ name, [legacy ? "rules" : "policy"]: text });
}

export function writePolicy(
  nsState: NamespaceState,
  rawName: string,
  req: LogicalRequest,
  legacy: boolean,
): LogicalResponse {
  const name = rawName.trim().toLowerCase();
  if (name === "") return userError("policy name must be provided in the URL");
  const warnings: string[] = [];
  if (name !== rawName) warnings.push(`policy name was converted to ${name}`);
  let text = stringField(req.data, "policy") ?? "";
  if (text === "" && legacy) {
    text = stringField(req.data, "rules") ?? "";
    warnings.push("'rules' is deprecated, please use 'policy' instead");
  }
  if (text === "") return userError("'policy' parameter not supplied or empty");
  text = maybeBase64(text);
  try {
    parsePolicy(text);
  } catch (err) {
    if (err instanceof DoubleHttpError) return invalidRequest(err.message);
    throw err;
  }
  if (IMMUTABLE.has(name)) return invalidRequest(`cannot update "${name}" policy`);
  nsState.policies.set(name, text);
  return warnings.length > 0 ? ok(null, warnings) : NO_CONTENT;
}

export function deletePolicy(nsState: NamespaceState, rawName: string): LogicalResponse {
  const name = rawName.trim().toLowerCase();
  if (IMMUTABLE.has(name)) return invalidRequest(`cannot delete "${name}" policy`);
  if (name === "default") return invalidRequest("cannot delete default policy");
  nsState.policies.delete(name);
  return NO_CONTENT;
}

/**
 * Vault accepts policy text base64-encoded: text that decodes as strict base64 is decoded.
 * "cGF0aCAiYSIge30=" → 'path "a" {}'; 'path "a" {}' → unchanged
 */
export function maybeBase64(text: string): string {
  const compact = text.replace(/[\r\n]/g, "");
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact))
    return text;
  return Buffer.from(compact, "base64").toString("utf8");
}
