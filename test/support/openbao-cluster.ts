// A real OpenBao HA cluster for tests: three (or more) non-dev `bao server` processes on loopback
// with Raft storage in a scratch directory, initialised with one key share, unsealed, joined into
// one Raft cluster, with autopilot tuned so a joined node becomes a voter within a second or two
// (by default it stays a non-voter for ~10 s, and a two-node quorum could not elect a new leader).
//
// Each node may declare Courier's UDP socket audit device in its own configuration. The audit table
// lives in the replicated storage, so on one host every node needs its own device path (the same
// path with different addresses stops the next active node from unsealing; see vault-notes §4).
// Without a bao binary, callers skip (see localBao in openbao.ts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { collectOutput, freePortPair } from "../../scripts/openbao/bao-server.ts";
import { BAO_SKIP_REASON, localBao } from "./openbao.ts";

const HOST = "127.0.0.1";
const STEP_TIMEOUT_MS = 30_000;

export interface ClusterOptions {
  /** Nodes in the cluster (default 3). */
  size?: number;
  /** Per node: the UDP port its `courier-<n>` socket audit device sends to; none when absent. */
  auditUdpPorts?: readonly number[];
  /** Device options beside address and socket_type. */
  auditOptions?: Record<string, string>;
}

export interface ClusterNode {
  /** "node1", … */
  readonly name: string;
  /** "http://127.0.0.1:PORT" */
  readonly address: string;
  /** The audit device this node declares ("courier-node1"), if any. */
  readonly auditPath: string | undefined;
  /** Still running (not killed or stopped). */
  readonly running: boolean;
  /** Everything the server printed so far. */
  output(): string;
  /** Ends the process at once, as a crash or a power cut would: no step-down, nothing flushed. */
  kill(): Promise<void>;
  /** SIGTERM: an orderly shutdown (an active node steps down first). */
  stop(): Promise<void>;
}

export interface BaoCluster {
  readonly nodes: readonly ClusterNode[];
  /** The root token. */
  readonly token: string;
  /** The node that answers sys/health 200 now, waiting for an election when there is none. */
  active(timeoutMs?: number): Promise<ClusterNode>;
  /** A request to one node: the JSON answer and its status (a 307 is not followed). */
  request(
    node: ClusterNode,
    method: string,
    path: string,
    body?: unknown,
    // biome-ignore lint/suspicious/noExplicitAny: answers of every shape, read by tests
  ): Promise<{ status: number; body: any }>;
  /** Kills every node and removes the scratch directory. */
  stop(): Promise<void>;
}

/** startOpenBaoCluster({auditUdpPorts: [a, b, c]}) → three unsealed Raft voters, `secret/` as KV v2 */
export async function startOpenBaoCluster(options: ClusterOptions = {}): Promise<BaoCluster> {
  if (!localBao) throw new Error(BAO_SKIP_REASON);
  const size = options.size ?? 3;
  const dir = mkdtempSync(join(tmpdir(), "courier-bao-cluster-"));
  const ports: number[] = [];
  while (ports.length < size) {
    const port = await freePortPair();
    if (!ports.some((taken) => Math.abs(taken - port) < 2)) ports.push(port);
  }
  const nodes = ports.map((port, i) => startNode(dir, i + 1, port, ports, options));
  const cluster = clusterOf(dir, nodes);
  try {
    await initialise(cluster, nodes);
  } catch (error) {
    const printed = nodes.map((n) => `--- ${n.name}\n${n.output().trim().split("\n").slice(-10).join("\n")}`);
    await cluster.stop();
    throw new Error(`the OpenBao cluster did not come up: ${String(error)}\n${printed.join("\n")}`);
  }
  return cluster;
}

interface RunningNode extends ClusterNode {
  readonly port: number;
}

function startNode(
  dir: string,
  index: number,
  port: number,
  allPorts: readonly number[],
  options: ClusterOptions,
): RunningNode {
  const name = `node${index}`;
  const home = join(dir, name);
  mkdirSync(join(home, "raft"), { recursive: true });
  const udpPort = options.auditUdpPorts?.[index - 1];
  const auditPath = udpPort === undefined ? undefined : `courier-${name}`;
  const config = join(home, "server.hcl");
  writeFileSync(config, nodeConfig({ home, name, port, allPorts, auditPath, udpPort, options }));
  const proc: Subprocess<"ignore", "pipe", "pipe"> = Bun.spawn([localBao, "server", `-config=${config}`], {
    env: { PATH: process.env.PATH ?? "", HOME: home },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const output = collectOutput(proc);
  const running = () => proc.exitCode === null && proc.signalCode === null;
  const end = async (signal: "SIGKILL" | "SIGTERM") => {
    if (!running()) return;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
    await proc.exited;
    clearTimeout(timer);
  };
  return {
    name,
    port,
    address: `http://${HOST}:${port}`,
    auditPath,
    get running() {
      return running();
    },
    output,
    kill: () => end("SIGKILL"),
    stop: () => end("SIGTERM"),
  };
}

/** One node's server configuration: Raft storage joining the others, its own audit device. */
function nodeConfig(n: {
  home: string;
  name: string;
  port: number;
  allPorts: readonly number[];
  auditPath: string | undefined;
  udpPort: number | undefined;
  options: ClusterOptions;
}): string {
  const joins = n.allPorts
    .filter((p) => p !== n.port)
    .map((p) => `  retry_join {\n    leader_api_addr = "http://${HOST}:${p}"\n  }`)
    .join("\n");
  const lines = [
    `storage "raft" {`,
    `  path = ${JSON.stringify(join(n.home, "raft"))}`,
    `  node_id = "${n.name}"`,
    // Elections in about a second rather than five: failover tests measure Courier, not Raft.
    `  performance_multiplier = 1`,
    joins,
    `}`,
    `listener "tcp" {`,
    `  address = "${HOST}:${n.port}"`,
    `  cluster_address = "${HOST}:${n.port + 1}"`,
    `  tls_disable = true`,
    `}`,
    `api_addr = "http://${HOST}:${n.port}"`,
    `cluster_addr = "https://${HOST}:${n.port + 1}"`,
    `disable_mlock = true`,
    `log_level = "info"`,
  ];
  if (n.auditPath !== undefined && n.udpPort !== undefined) {
    const deviceOptions = { address: `${HOST}:${n.udpPort}`, socket_type: "udp", ...n.options.auditOptions };
    const body = Object.entries(deviceOptions)
      .map(([key, value]) => `    ${key} = ${JSON.stringify(value)}`)
      .join("\n");
    lines.push(`audit "socket" "${n.auditPath}" {\n  options {\n${body}\n  }\n}`);
  }
  return `${lines.join("\n")}\n`;
}

function clusterOf(dir: string, nodes: RunningNode[]): BaoCluster & { token: string } {
  let token = "";
  const request: BaoCluster["request"] = async (node, method, path, body) => {
    const url = method === "LIST" ? `${node.address}/v1/${path}?list=true` : `${node.address}/v1/${path}`;
    const response = await fetch(url, {
      method: method === "LIST" ? "GET" : method,
      headers: token ? { "X-Vault-Token": token } : {},
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: "manual",
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed };
  };
  const cluster = {
    nodes,
    get token() {
      return token;
    },
    set token(value: string) {
      token = value;
    },
    request,
    async active(timeoutMs = STEP_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const node of nodes) {
          if (!node.running) continue;
          const status = await healthStatus(node);
          if (status === 200) return node;
        }
        if (Date.now() > deadline) throw new Error(`no active node within ${timeoutMs / 1000}s`);
        await Bun.sleep(100);
      }
    },
    async stop() {
      await Promise.all(nodes.map((node) => node.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** sys/health's status, or 0 when the node does not answer. */
export async function healthStatus(node: ClusterNode): Promise<number> {
  try {
    const response = await fetch(`${node.address}/v1/sys/health`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Init on the first node, unseal it, then unseal each other node, which joins through retry_join. */
async function initialise(cluster: BaoCluster & { token: string }, nodes: RunningNode[]): Promise<void> {
  const [first, ...others] = nodes as [RunningNode, ...RunningNode[]];
  await until(`${first.name} answers`, async () => (await healthStatus(first)) === 501);
  const init = await cluster.request(first, "POST", "sys/init", { secret_shares: 1, secret_threshold: 1 });
  if (init.status !== 200) throw new Error(`sys/init answered ${init.status}: ${JSON.stringify(init.body)}`);
  const key = init.body.keys_base64[0] as string;
  cluster.token = init.body.root_token as string;
  await unseal(cluster, first, key);
  await until(`${first.name} active`, async () => (await healthStatus(first)) === 200);
  const autopilot = await cluster.request(first, "POST", "sys/storage/raft/autopilot/configuration", {
    server_stabilization_time: "1s",
    last_contact_threshold: "10s",
    dead_server_last_contact_threshold: "1m",
    cleanup_dead_servers: false,
  });
  if (autopilot.status >= 300) throw new Error(`autopilot configuration answered ${autopilot.status}`);
  for (const node of others) {
    await until(`${node.name} answers`, async () => (await healthStatus(node)) !== 0);
    // A sealed node with retry_join joins when given the unseal key; it may take a few tries.
    await until(`${node.name} joined and unsealed`, async () => {
      await cluster.request(node, "PUT", "sys/unseal", { key });
      return (await healthStatus(node)) === 429;
    });
  }
  await until("every node a voter", async () => {
    const state = await cluster.request(first, "GET", "sys/storage/raft/autopilot/state");
    const servers = Object.values(state.body?.data?.servers ?? {}) as { status: string; healthy: boolean }[];
    return servers.length === nodes.length && servers.every((s) => s.healthy && s.status !== "non-voter");
  });
  const mounted = await cluster.request(first, "POST", "sys/mounts/secret", {
    type: "kv",
    options: { version: "2" },
  });
  if (mounted.status >= 300) throw new Error(`mounting secret/ answered ${mounted.status}`);
  // A new KV v2 mount answers 400 "upgrading" for a moment, on every node.
  for (const node of nodes) {
    await until(`secret/ ready on ${node.name}`, async () => {
      const config = await cluster.request(node, "GET", "secret/config");
      return config.status === 200;
    });
  }
}

async function unseal(cluster: BaoCluster, node: ClusterNode, key: string): Promise<void> {
  const answer = await cluster.request(node, "PUT", "sys/unseal", { key });
  if (answer.status !== 200) throw new Error(`unsealing ${node.name} answered ${answer.status}`);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await Bun.sleep(100);
  }
}
