// One `bao server -dev` on 127.0.0.1 for the conformance suite: free ports, a config file that
// lets the suite create audit devices through the API, ready once sys/health answers 200.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

/**
 * Merged over -dev. Since the fix for CVE-2025-54997 OpenBao refuses audit devices created
 * through the API (and the `prefix` option) unless the server's configuration allows them; the
 * suite enables and removes its own devices, so this server allows both.
 */
export const CONFORMANCE_CONFIG = `unsafe_allow_api_audit_creation = true
allow_audit_log_prefixing = true
`;

export interface BaoServer {
  address: string;
  token: string;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

export interface BaoServerOptions {
  token?: string;
  /** HCL merged over -dev (default: CONFORMANCE_CONFIG), e.g. an `audit "socket" …` block. */
  config?: string;
  /** The listen port; its successor must be free too. Default: a free pair. */
  port?: number;
}

/** How often a server whose drawn port was taken before it could bind it starts on a new pair. */
const PORT_TAKEN_RETRIES = 3;

export async function startBaoServer(bao: string, options: BaoServerOptions = {}): Promise<BaoServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(bao, options, options.port ?? (await freePortPair()));
    } catch (error) {
      // A port found free can be taken before bao binds it; a port the caller chose is theirs to fix.
      if (!(error instanceof PortTaken) || options.port !== undefined || attempt > PORT_TAKEN_RETRIES) {
        throw error;
      }
    }
  }
}

class PortTaken extends Error {}

async function startOn(bao: string, options: BaoServerOptions, port: number): Promise<BaoServer> {
  const token = options.token ?? "root";
  const dir = mkdtempSync(join(tmpdir(), "courier-bao-"));
  const config = join(dir, "server.hcl");
  writeFileSync(config, options.config ?? CONFORMANCE_CONFIG);
  const address = `http://${HOST}:${port}`;
  const proc = Bun.spawn(
    [
      bao,
      "server",
      "-dev",
      `-dev-root-token-id=${token}`,
      `-dev-listen-address=${HOST}:${port}`,
      "-dev-no-store-token",
      `-config=${config}`,
    ],
    // HOME points into the scratch directory, so nothing of the user's is read or written.
    { env: { PATH: process.env.PATH ?? "", HOME: dir }, stdin: "ignore", stdout: "pipe", stderr: "pipe" },
  );
  const output = collectOutput(proc);

  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), STOP_GRACE_MS);
      await proc.exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  const exited = () => proc.exitCode !== null || proc.signalCode !== null;
  // Another server already on this address would pass the readiness check for one that failed
  // to bind it: only a process that says it started (after binding its listeners) is asked.
  const started = () => output().includes("server started!");
  while (!(started() && (await ready(address, token)))) {
    if (exited() || Date.now() > deadline) {
      const why = exited() ? `exited with ${proc.exitCode}` : "was not ready in 30 s";
      await stop();
      const printed = output().trim().split("\n").slice(-15).join("\n");
      const message = `bao server -dev on ${address} ${why}; it printed:\n${printed}`;
      throw /address already in use/.test(printed) ? new PortTaken(message) : new Error(message);
    }
    await Bun.sleep(50);
  }
  return { address, token, output, stop };
}

/**
 * Healthy, and `secret/` (KV v2 on a dev server) past its upgrade: a new KV v2 mount answers 400
 * "Upgrading from non-versioned to versioned data" for a moment, longer on a busy machine.
 */
async function ready(address: string, token: string): Promise<boolean> {
  try {
    const signal = AbortSignal.timeout(2000);
    if ((await fetch(`${address}/v1/sys/health`, { signal })).status !== 200) return false;
    const config = await fetch(`${address}/v1/secret/config`, {
      headers: { "X-Vault-Token": token },
      signal,
    });
    return config.status === 200;
  } catch {
    return false;
  }
}

/**
 * A port whose successor is free too: a dev server opens its cluster listener on port + 1. Drawn
 * below Linux's ephemeral range (32768 and up), where a busy machine's outgoing connections take
 * the neighbour of almost every port the kernel would hand a listener.
 */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    // Two servers started side by side (Promise.all) both find a pair free until one binds it:
    // a pair handed out once is never handed out again by this process.
    if (handedOut.has(port) || handedOut.has(port + 1)) continue;
    if ((await listenOn(port)) !== undefined && (await listenOn(port + 1)) !== undefined) {
      if (handedOut.has(port) || handedOut.has(port + 1)) continue; // drawn meanwhile
      handedOut.add(port).add(port + 1);
      return port;
    }
  }
  throw new Error(`found no two free neighbouring ports on ${HOST}`);
}

const handedOut = new Set<number>();

/** Binds `port` on 127.0.0.1 and lets it go again; the port, or undefined when taken. */
function listenOn(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, HOST, () => {
      const bound = server.address();
      server.close(() => resolve(typeof bound === "object" && bound ? bound.port : undefined));
    });
  });
}

/** Everything a child printed on stdout and stderr so far, read as it arrives. */
export function collectOutput(proc: {
  stdout: ReadableStream<Uint8Array>;
  stderr: ReadableStream<Uint8Array>;
}) {
  let output = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) output += decoder.decode(chunk, { stream: true });
  };
  void collect(proc.stdout);
  void collect(proc.stderr);
  return () => output;
}
