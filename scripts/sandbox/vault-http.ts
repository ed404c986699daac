// The few Vault calls the sandbox makes itself, with plain fetch and the dev root token.
// LIST goes as `GET …?list=true`: Bun's fetch sends a LIST verb as GET anyway.
import { ROOT_TOKEN } from "./servers.ts";

export interface VaultAnswer {
  status: number;
  body: unknown;
}

/** One call; throws on any status ≥ 400 except those in `allowed` (e.g. 404 for a read). */
export async function vaultCall(
  address: string,
  method: "GET" | "PUT" | "POST" | "DELETE",
  path: string,
  body?: unknown,
  allowed: readonly number[] = [],
): Promise<VaultAnswer> {
  const response = await fetch(`${address}/v1/${path}`, {
    method,
    headers: { "X-Vault-Token": ROOT_TOKEN, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  const parsed: unknown = text === "" ? null : JSON.parse(text);
  if (response.status >= 400 && !allowed.includes(response.status)) {
    const errors = (parsed as { errors?: string[] } | null)?.errors?.join("; ") || "no message";
    throw new Error(`${method} ${address}/v1/${path} answered ${response.status}: ${errors}`);
  }
  return { status: response.status, body: parsed };
}

/** The keys of a LIST, or [] for the 404 Vault gives an empty folder. */
export async function vaultList(address: string, path: string): Promise<string[]> {
  const answer = await vaultCall(address, "GET", `${path}?list=true`, undefined, [404]);
  if (answer.status === 404) return [];
  return (answer.body as { data?: { keys?: string[] } }).data?.keys ?? [];
}
