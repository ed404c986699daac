// The Vault double in a process of its own (scripts/dev-vault.ts on a free port), and the few
// calls the benchmarks make to it. Its own ceiling, measured on one core with keep-alive: about
// 30–45k KV v2 requests/s (less with audit devices on, as each entry is formatted and HMAC'd).

import { type Child, spawnChild } from "./child.ts";

export interface DoubleProcess {
  address: string;
  token: string;
  child: Child;
  stop(): Promise<void>;
}

const TOKEN = "root";

export async function startDouble(): Promise<DoubleProcess> {
  const child = spawnChild([
    process.execPath,
    "scripts/dev-vault.ts",
    `-dev-root-token-id=${TOKEN}`,
    "-dev-listen-address=127.0.0.1:0",
  ]);
  const { match } = await child.waitFor(/Api Address: (http:\/\/127\.0\.0\.1:\d+)[\s\S]*Root Token:/);
  return { address: match[1]!, token: TOKEN, child, stop: async () => void (await child.stop()) };
}

/** Starts `count` doubles side by side. */
export function startDoubles(count: number): Promise<DoubleProcess[]> {
  return Promise.all(Array.from({ length: count }, () => startDouble()));
}

export async function stopAll(doubles: readonly { stop(): Promise<void> }[]): Promise<void> {
  await Promise.all(doubles.map((d) => d.stop()));
}

/** One call to a double; throws on a status other than 2xx (or `allow`ed ones). */
export async function call(
  vault: { address: string; token: string },
  method: string,
  path: string,
  body?: unknown,
  allow: number[] = [],
): Promise<unknown> {
  const response = await fetch(`${vault.address}${path.startsWith("/") ? "" : "/v1/"}${path}`, {
    method,
    headers: { "X-Vault-Token": vault.token, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok && !allow.includes(response.status)) {
    throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
  }
  return text === "" ? undefined : JSON.parse(text);
}

/** Enables a socket audit device that sends every entry to `address` over `socketType`. */
export async function enableSocketAudit(
  vault: { address: string; token: string },
  name: string,
  address: string,
  socketType: "udp" | "tcp",
): Promise<void> {
  await call(vault, "PUT", `sys/audit/${name}`, {
    type: "socket",
    options: { address, socket_type: socketType },
  });
}

export async function disableAudit(vault: { address: string; token: string }, name: string): Promise<void> {
  await call(vault, "DELETE", `sys/audit/${name}`);
}

/** Replaces the double's fault rules (see the double's README): [] clears them. */
export async function setFaults(vault: { address: string; token: string }, rules: unknown[]): Promise<void> {
  await call(
    vault,
    rules.length === 0 ? "DELETE" : "POST",
    "/_double/faults",
    rules.length ? rules : undefined,
  );
}

/** KV v2 write on secret/; answers the new version. */
export async function writeSecret(
  vault: { address: string; token: string },
  path: string,
  data: Record<string, unknown>,
): Promise<number> {
  const body = (await call(vault, "POST", `secret/data/${path}`, { data })) as { data: { version: number } };
  return body.data.version;
}

/** KV v2 metadata of secret/<path>, or undefined when the key does not exist. */
export async function readMetadata(
  vault: { address: string; token: string },
  path: string,
): Promise<{ current_version: number } | undefined> {
  const body = (await call(vault, "GET", `secret/metadata/${path}`, undefined, [404])) as
    | { data?: { current_version: number } }
    | undefined;
  return body?.data;
}

/** KV v2 data of secret/<path>, or undefined. */
export async function readSecret(
  vault: { address: string; token: string },
  path: string,
): Promise<Record<string, unknown> | undefined> {
  const body = (await call(vault, "GET", `secret/data/${path}`, undefined, [404])) as
    | { data?: { data?: Record<string, unknown> } }
    | undefined;
  return body?.data?.data ?? undefined;
}
