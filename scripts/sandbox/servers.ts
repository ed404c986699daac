// The three Vault servers: real `vault` or `bao` dev servers when one is on PATH, the Vault double
// (scripts/dev-vault.ts) otherwise. The double runs as a child process like the real ones, so every
// kind is started, watched and stopped the same way and shows up in `ps` with a PID of its own.
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { HOST } from "./ports.ts";

export type ServerKind = "vault" | "bao" | "double";

export const ROOT_TOKEN = "root";
const DEV_VAULT = join(import.meta.dir, "..", "dev-vault.ts");
const READY_TIMEOUT_MS = 20_000;

export interface ServerChoice {
  kind: ServerKind;
  /** The executable: vault, bao, or Bun for the double. */
  binary: string;
}

export interface RunningServer {
  name: string;
  address: string;
  port: number;
  proc: Subprocess;
  logFile: string;
}

/** vault first, then bao, else the double; `forceDouble` skips the search. */
export function chooseServer(forceDouble: boolean, which = Bun.which): ServerChoice {
  if (!forceDouble) {
    for (const kind of ["vault", "bao"] as const) {
      const binary = which(kind);
      if (binary) return { kind, binary };
    }
  }
  return { kind: "double", binary: process.execPath };
}

/** describeServer("bao", false) → "OpenBao dev servers"; describeServer("double", true) → "Vault doubles (--double)" */
export function describeServer(kind: ServerKind, forced: boolean): string {
  if (kind === "vault") return "vault dev servers";
  if (kind === "bao") return "OpenBao dev servers";
  return `Vault doubles (${forced ? "--double" : "no vault or bao on PATH"})`;
}

/**
 * serverCommand({kind:"vault", binary:"/usr/bin/vault"}, 8200)
 *   → ["/usr/bin/vault", "server", "-dev", "-dev-root-token-id=root",
 *      "-dev-listen-address=127.0.0.1:8200", "-dev-no-store-token"]
 */
export function serverCommand(choice: ServerChoice, port: number, configFile?: string): string[] {
  const dev = [
    "server",
    "-dev",
    `-dev-root-token-id=${ROOT_TOKEN}`,
    `-dev-listen-address=${HOST}:${port}`,
    // Leave the user's ~/.vault-token alone.
    "-dev-no-store-token",
  ];
  // OpenBao reads the audit devices from a config file merged over -dev (see bao-config.ts).
  const config = configFile ? [`-config=${configFile}`] : [];
  if (choice.kind === "double") return [choice.binary, DEV_VAULT, ...dev];
  return [choice.binary, ...dev, ...config];
}

export interface StartServerOptions {
  name: string;
  port: number;
  dir: string;
  env: Record<string, string>;
  configFile?: string;
}

/** Starts one server, its output going to <dir>/<name>.log, and waits until it answers. */
export async function startServer(
  choice: ServerChoice,
  opts: StartServerOptions,
  register: (proc: Subprocess) => void,
): Promise<RunningServer> {
  const logFile = join(opts.dir, `${opts.name}.log`);
  const fd = openSync(logFile, "a");
  const proc = Bun.spawn(serverCommand(choice, opts.port, opts.configFile), {
    cwd: opts.dir,
    env: opts.env,
    stdin: "ignore",
    stdout: fd,
    stderr: fd,
    detached: true,
  });
  closeSync(fd);
  register(proc);
  const address = `http://${HOST}:${opts.port}`;
  await waitUntilAnswering(address, proc, logFile);
  return { name: opts.name, address, port: opts.port, proc, logFile };
}

// sys/health answers 200 once a dev server is unsealed and active; it is not audited, so polling
// it leaves no trace in the audit stream.
async function waitUntilAnswering(address: string, proc: Subprocess, logFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(
        `the server for ${address} exited (${proc.exitCode ?? proc.signalCode}):\n${tail(logFile)}`,
      );
    }
    try {
      const response = await fetch(`${address}/v1/sys/health`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await Bun.sleep(50);
  }
  throw new Error(
    `the server for ${address} did not answer within ${READY_TIMEOUT_MS / 1000} s:\n${tail(logFile)}`,
  );
}

/** The last lines of a log file, indented, for an error message. */
export function tail(file: string, lines = 8): string {
  try {
    const text = readFileSync(file, "utf8").trimEnd().split("\n");
    return text
      .slice(-lines)
      .map((line) => `    ${line}`)
      .join("\n");
  } catch {
    return "    (no output)";
  }
}
