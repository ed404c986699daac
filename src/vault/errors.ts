// Every way a Vault call can fail, kept apart: a caller decides "retry later", "tell the operator"
// or "this key is absent" from `reason` and `transient`, never from a message. Messages name the
// Vault, the path and (for 403) the capability and policy line; never a value or a token.

import { CourierError, type ErrorCode } from "../errors.ts";

export type FailureReason =
  | "unreachable" // connection refused or reset, DNS
  | "timeout" // no answer within the per-request timeout
  | "tls" // certificate or handshake problem
  | "rate-limited" // 429
  | "sealed" // 503: sealed or standby
  | "server-error" // 500, 502, 504
  | "conflict" // 409, or 400 from a KV v2 check-and-set mismatch: someone wrote in between
  | "upgrading" // a new mount or namespace is still being set up: 400 while a KV v2 mount upgrades its storage, 404 "tainted" route in OpenBao
  | "inconsistent" // 412: a performance standby has not caught up yet
  | "permission-denied" // 403
  | "bad-request" // 400 for any other reason
  | "no-route" // 404 with a message: no mount there, or the engine has no such path
  | "unsupported" // 405
  | "unexpected"; // anything else, including a body that is not what the API documents

/** The request a failure belongs to, for messages and logs. */
export interface CallContext {
  vault: string;
  method: string;
  /** Relative to the namespace, without /v1/: "secret/data/app". */
  path: string;
  namespace: string;
  list?: boolean;
}

export class VaultCallError extends CourierError {
  override name = "VaultCallError";
  constructor(
    readonly reason: FailureReason,
    readonly call: CallContext,
    readonly status: number | undefined,
    /** Vault's own first error message, or what went wrong on the way ("" when nothing more is known). */
    readonly vaultMessage: string,
    /** For 403: what the token lacks on `call.path`. */
    readonly capabilities: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(codeFor(reason), describeFailure(reason, call, status, vaultMessage, capabilities), options);
  }

  /** Worth trying again later without anyone changing anything. */
  get transient(): boolean {
    return TRANSIENT.has(this.reason);
  }
}

const TRANSIENT = new Set<FailureReason>([
  "unreachable",
  "timeout",
  "rate-limited",
  "sealed",
  "server-error",
  "conflict",
  "upgrading",
  "inconsistent",
]);

/**
 * A 404 "no handler for route" where Courier expected a mount: nothing serves that path now, so the
 * Vault's mount table changed since Courier last read it (a mount disabled, moved, or a server
 * restarted empty). What is cached about its mounts is stale.
 */
export function mountTableChanged(error: unknown): boolean {
  return error instanceof VaultCallError && error.reason === "no-route";
}

/**
 * A non-2xx status (and Vault's messages) → why it failed.
 * classifyStatus(400, ["check-and-set parameter did not match the current version"]) → "conflict"
 */
export function classifyStatus(status: number, errors: string[]): FailureReason {
  const first = errors[0] ?? "";
  if (status === 400 && first.includes("check-and-set parameter did not match")) return "conflict";
  if (status === 400 && first.startsWith("Upgrading from non-versioned to versioned data"))
    return "upgrading";
  if (status === 400) return "bad-request";
  // OpenBao, while a namespace (or mount) is being made or removed: "no handler for route … route
  // entry or namespace is tainted". Gone within moments.
  if (status === 404 && first.includes("is tainted")) return "upgrading";
  if (status === 403) return "permission-denied";
  if (status === 404) return "no-route";
  if (status === 405) return "unsupported";
  if (status === 409) return "conflict";
  if (status === 412) return "inconsistent";
  if (status === 429) return "rate-limited";
  if (status === 503) return "sealed";
  if (status === 500 || status === 502 || status === 504) return "server-error";
  return "unexpected";
}

/**
 * What a token needs for a request, as a policy names it.
 * capabilitiesFor("PUT", false) → ["create", "update"] (Vault picks one by whether the path exists)
 */
export function capabilitiesFor(method: string, list: boolean): string[] {
  if (list) return ["list"];
  switch (method) {
    case "GET":
      return ["read"];
    case "DELETE":
      return ["delete"];
    case "PATCH":
      return ["patch"];
    default:
      return ["create", "update"];
  }
}

/** The HCL line that grants `capabilities` on `path`. */
export function policyLine(path: string, capabilities: string[]): string {
  const caps = capabilities.map((c) => `"${c}"`).join(", ");
  return `path "${path}" { capabilities = [${caps}] }`;
}

function codeFor(reason: FailureReason): ErrorCode {
  if (reason === "permission-denied") return "VAULT_PERMISSION_DENIED";
  if (reason === "unreachable" || reason === "timeout" || reason === "tls") return "VAULT_UNREACHABLE";
  return "VAULT_ERROR";
}

function describeFailure(
  reason: FailureReason,
  call: CallContext,
  status: number | undefined,
  vaultMessage: string,
  capabilities: string[],
): string {
  const method = call.list ? "LIST" : call.method;
  const where = call.namespace ? ` in namespace ${call.namespace}` : "";
  if (reason === "permission-denied") {
    const caps = capabilities.map((c) => `"${c}"`).join(" or ");
    return (
      `${call.vault} denied ${method} ${call.path}${where}: the token needs ${caps} on ` +
      `"${call.path}" (policy line: ${policyLine(call.path, capabilities)})`
    );
  }
  const detail = vaultMessage ? (status === undefined ? ` (${vaultMessage})` : ` ${vaultMessage}`) : "";
  const answer = `${status ?? reason}${detail}`;
  return `${call.vault}: ${method} ${call.path}${where} failed: ${answer}`;
}
