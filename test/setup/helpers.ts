// Shared pieces for the setup tests: Vault doubles with a plain HTTP helper, tokens with narrow
// policies, a configuration loaded the way the command loads it, captured output, and listeners
// standing where Courier would listen.
import { loadConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import { CourierError } from "../../src/errors.ts";
import type { SetupOutput } from "../../src/setup/journal.ts";
import { startVaultDouble, type VaultDouble } from "../support/vault-double/index.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field by the assertions
export type Body = any;

export interface TestVault {
  double: VaultDouble;
  address: string;
  /** One HTTP call, with the root token unless another is given. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Body }>;
  /** A token whose only policies are `hcl` and default ("" = default alone). */
  tokenWith(hcl: string): Promise<string>;
}

let policyCount = 0;

export async function startTestVault(rootToken = "root"): Promise<TestVault> {
  const double = await startVaultDouble({ rootToken });
  const api = async (method: string, path: string, body?: unknown, token = double.rootToken) => {
    const response = await fetch(`${double.address}/${path.startsWith("_double") ? "" : "v1/"}${path}`, {
      method,
      headers: { "X-Vault-Token": token },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    double,
    address: double.address,
    api,
    async tokenWith(hcl) {
      const name = hcl === "" ? "default" : `narrow-${++policyCount}`;
      if (hcl !== "") {
        const written = await api("PUT", `sys/policies/acl/${name}`, { policy: hcl });
        if (written.status !== 204)
          throw new Error(`policy ${name}: ${written.status} ${JSON.stringify(written.body)}`);
      }
      const created = await api("POST", "auth/token/create", { policies: [name], ttl: "1h" });
      if (created.status !== 200) throw new Error(`token: ${created.status} ${JSON.stringify(created.body)}`);
      return created.body.auth.client_token as string;
    },
  };
}

/** The configuration `courier setup` would load from these flags (no environment, no file). */
export async function configFrom(argv: string[]): Promise<Config> {
  const loaded = await loadConfig({ argv, env: {}, needs: { source: true, destinations: true } });
  return loaded.config;
}

/** Flags for one source and one destination, both with the given tokens. */
export function vaultFlags(
  source: TestVault,
  destination: TestVault,
  tokens: { source?: string; destination?: string } = {},
) {
  return [
    `--vault.source.address=${source.address}`,
    `--vault.source.token=${tokens.source ?? source.double.rootToken}`,
    `--vault.destinations.addresses=${destination.address}`,
    `--vault.destinations.tokens=${tokens.destination ?? destination.double.rootToken}`,
  ];
}

export interface Captured {
  output: SetupOutput;
  out: () => string;
  err: () => string;
}

export function captured(): Captured {
  let out = "";
  let err = "";
  return {
    output: {
      out(text) {
        out += text;
      },
      err(text) {
        err += text;
      },
    },
    out: () => out,
    err: () => err,
  };
}

/** The CourierError a setup run failed with (and fails the test when it did not fail). */
export async function failure(run: Promise<unknown>): Promise<CourierError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof CourierError) return error;
    throw error;
  }
  throw new Error("expected setup to fail");
}

/** A UDP socket where Courier would listen, keeping every line it receives. */
export async function udpListener(): Promise<{ port: number; lines: string[]; close(): void }> {
  const lines: string[] = [];
  const decoder = new TextDecoder();
  const socket = await Bun.udpSocket({
    hostname: "127.0.0.1",
    socket: { data: (_s, data) => void lines.push(decoder.decode(data).trimEnd()), error() {} },
  });
  return { port: socket.port, lines, close: () => socket.close() };
}

/** A TCP port that nothing listens on (it was free a moment ago). */
export function freeTcpPort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/** Waits until `done()` holds, or fails after `ms`. */
export async function waitFor(done: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

/** request.path of each audit line: ["sys/audit/test", …] */
export function auditPaths(lines: readonly string[]): string[] {
  return lines.map((line) => (JSON.parse(line) as { request?: { path?: string } }).request?.path ?? "");
}
