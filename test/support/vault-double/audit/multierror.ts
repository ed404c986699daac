// How hashicorp/go-multierror prints, which is what Vault writes as `error` (and answers as the
// HTTP error text) when its core wraps errors: ACL denials, backend failures.

/** `["permission denied"]` → "1 error occurred:\n\t* permission denied\n\n" */
export function multiErrorText(errors: readonly string[]): string {
  if (errors.length === 1) return `1 error occurred:\n\t* ${errors[0]}\n\n`;
  return `${errors.length} errors occurred:\n\t${errors.map((e) => `* ${e}`).join("\n\t")}\n\n`;
}
