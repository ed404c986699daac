// The end-to-end set-up of courier-harness.ts on real OpenBao: a source dev server and N
// destination dev servers, Courier running as a process listening over UDP. The source's audit
// devices are declared in its server configuration, as OpenBao wants (it refuses devices made
// through the API): a UDP socket device towards Courier, and a file device that keeps a trail of
// every entry so tests can replay or forge real lines. Each destination keeps a trail too, so a
// test can see every request Courier sent it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAuditTrail, untilReady } from "./courier-harness.ts";
import { type CourierProcess, spawnCourier } from "./courier-process.ts";
import { type BaoServer, freeUdpPort, startOpenBao } from "./openbao.ts";
import { VaultApi } from "./vault-api.ts";

export interface BaoHarnessOptions {
  /** How many destinations (default 2). */
  destinations?: number;
  /** More courier flags, e.g. ["--sync.deletes=false"]. */
  flags?: string[];
  /** Runs before Courier starts, e.g. to mount engines (mountKv2 for KV v2) or write keys. */
  prepare?(source: VaultApi, servers: { source: BaoServer; destinations: BaoServer[] }): Promise<unknown>;
}

export interface BaoHarness {
  source: VaultApi;
  destinations: VaultApi[];
  servers: { source: BaoServer; destinations: BaoServer[] };
  courier: CourierProcess;
  /** Where Courier listens: "udp://127.0.0.1:23456". */
  listening: string;
  /** The flags Courier runs with (Vaults, tokens, state directory): `courier diff` with them sees what it sees. */
  flags: readonly string[];
  /** Every line the source's file audit device wrote so far, parsed. */
  // biome-ignore lint/suspicious/noExplicitAny: audit entries, read by field
  trail(): { line: string; entry: any }[];
  /** Every line destination `index`'s file audit device wrote so far, parsed. */
  // biome-ignore lint/suspicious/noExplicitAny: audit entries, read by field
  destinationTrail(index: number): { line: string; entry: any }[];
  /**
   * Stops Courier (answers its exit code), runs `between`, and starts a new one on the same port,
   * with `flags` added to the harness's (e.g. ["--sync.prune"]).
   */
  restart(between?: () => Promise<unknown>, flags?: string[]): Promise<number>;
  /** Stops Courier with SIGTERM and answers its exit code, then stops the servers. */
  stop(): Promise<number>;
}

/**
 * Every server's root token. Not "root": Courier hides its tokens wherever they appear in a log
 * line, and "root" would hide the word in "policy root". Not the doubles' "hvs.…" either: OpenBao
 * refuses a dev root token id with a Vault token prefix ("invalid request").
 */
export const BAO_ROOT_TOKEN = "e2e-root-token-0123456789";

/** Starts the servers and Courier, and resolves once Courier's start-up pass has ended. */
export async function startBaoHarness(options: BaoHarnessOptions = {}): Promise<BaoHarness> {
  const dir = mkdtempSync(join(tmpdir(), "courier-bao-e2e-"));
  const trailPath = join(dir, "source-audit.log");
  const destinationTrailPath = (index: number) => join(dir, `destination-${index}-audit.log`);
  const auditUdpPort = await freeUdpPort();
  const started: BaoServer[] = [];
  const start = async (config?: string, port?: number) => {
    const server = await startOpenBao({ token: BAO_ROOT_TOKEN, config, auditUdpPort: port });
    started.push(server);
    return server;
  };
  let courier: CourierProcess | undefined;
  const stopAll = async () => {
    const code = (await courier?.stop()) ?? 0;
    await Promise.all(started.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
    return code;
  };
  try {
    const [source, ...destinations] = await Promise.all([
      start(fileDevice(trailPath), auditUdpPort),
      ...Array.from({ length: options.destinations ?? 2 }, (_, i) =>
        start(fileDevice(destinationTrailPath(i))),
      ),
    ]);
    const servers = { source: source!, destinations };
    const sourceApi = new VaultApi(servers.source.address, BAO_ROOT_TOKEN);
    await options.prepare?.(sourceApi, servers);

    const listening = `udp://127.0.0.1:${auditUdpPort}`;
    const flags = [
      `--vault.source.address=${servers.source.address}`,
      `--vault.source.token=${BAO_ROOT_TOKEN}`,
      `--vault.destinations.addresses=${destinations.map((d) => d.address).join(",")}`,
      `--vault.destinations.tokens=${BAO_ROOT_TOKEN}`,
      `--vault.audit_address=${listening}`,
      // One state directory across restarts, as a host keeps it: what was managed stays known.
      `--state.dir=${join(dir, "state")}`,
      ...(options.flags ?? []),
    ];
    courier = spawnCourier(flags);
    await untilReady(courier);
    const harness: BaoHarness = {
      source: sourceApi,
      destinations: destinations.map((d) => new VaultApi(d.address, BAO_ROOT_TOKEN)),
      servers,
      courier,
      listening,
      flags,
      trail: () => readAuditTrail(trailPath),
      destinationTrail: (index) => readAuditTrail(destinationTrailPath(index)),
      async restart(between, more = []) {
        const code = (await courier?.stop()) ?? 0;
        await between?.();
        courier = spawnCourier([...flags, ...more]);
        harness.courier = courier;
        await untilReady(courier);
        return code;
      },
      stop: stopAll,
    };
    return harness;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** A file audit device beside Courier's socket device, declared as OpenBao wants it. */
function fileDevice(path: string): string {
  return `audit "file" "trail" {\n  options {\n    file_path = ${JSON.stringify(path)}\n  }\n}\n`;
}
