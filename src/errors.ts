// One error type for Courier, with a stable string code that maps to an exit code.
// Messages never carry secret values or tokens: they name settings, paths and Vault addresses.

export type ErrorCode =
  | "CONFIG_INVALID"
  | "LISTEN_FAILED"
  | "VAULT_UNREACHABLE"
  | "VAULT_PERMISSION_DENIED"
  | "VAULT_LOGIN_FAILED"
  | "VAULT_ERROR"
  | "AUDIT_FORMAT_UNSUPPORTED"
  | "SETUP_FAILED"
  | "DRIFT_FOUND"
  | "INTERNAL";

const EXIT_CODES: Record<ErrorCode, number> = {
  CONFIG_INVALID: 2,
  LISTEN_FAILED: 3,
  VAULT_UNREACHABLE: 4,
  VAULT_PERMISSION_DENIED: 5,
  VAULT_LOGIN_FAILED: 5,
  VAULT_ERROR: 6,
  AUDIT_FORMAT_UNSUPPORTED: 2,
  SETUP_FAILED: 7,
  DRIFT_FOUND: 1,
  INTERNAL: 70,
};

export class CourierError extends Error {
  override name = "CourierError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/** messageOf(new Error("boom")) → "boom"; messageOf("plain") → "plain": a thrown value's words, for a log line. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
