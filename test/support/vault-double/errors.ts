// The one error a part of the double throws to answer a request with an error body.

/** A thrown DoubleHttpError becomes {"errors":[message]} with its status. */
export class DoubleHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The Go error Vault's core would carry with it (the audit entry's `error`); see LogicalResponse.error. */
    readonly auditError?: string,
  ) {
    super(message);
  }
}
