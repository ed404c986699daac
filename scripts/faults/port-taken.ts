// The start-up row: the audit address is held by something else. Courier must say which address
// and why, and exit non-zero, before it touches any Vault.
import { courier } from "../../test/support/courier-process.ts";
import { startVaultDouble } from "../../test/support/vault-double/index.ts";
import { takePort } from "./rows.ts";

export interface PortTakenResult {
  id: string;
  title: string;
  exitCode: number;
  ms: number;
  message: string;
}

export async function runPortTaken(transport: "tcp" | "udp"): Promise<PortTakenResult> {
  const taken = await takePort(transport);
  // Vaults that answer, so the one thing wrong is the port.
  const [source, destination] = await Promise.all([startVaultDouble(), startVaultDouble()]);
  try {
    const started = performance.now();
    const r = await courier([
      "run",
      `--vault.source.address=${source.address}`,
      `--vault.source.token=${source.rootToken}`,
      `--vault.destinations.addresses=${destination.address}`,
      `--vault.destinations.tokens=${destination.rootToken}`,
      `--vault.audit_address=${transport}://127.0.0.1:${taken.port}`,
      "--log.format=json",
    ]);
    const ms = Math.round(performance.now() - started);
    const message = r.stderr.split("\n").find((line) => line.includes("cannot listen")) ?? r.stderr.trim();
    return {
      id: `port-taken-${transport}`,
      title: `the audit port (${transport.toUpperCase()}) taken at start-up`,
      exitCode: r.code,
      ms,
      message,
    };
  } finally {
    await Promise.all([taken.release(), source.stop(), destination.stop()]);
  }
}
