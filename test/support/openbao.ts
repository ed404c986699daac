// Real OpenBao dev servers for tests that only a real server can settle. These tests never
// download bao: they use the one on PATH or in the project's cache (`npm test` fetches it into the
// cache first, through scripts/openbao/ensure-bao.ts). Without one they are skipped, and
// BAO_SKIP_REASON says why in one plain line.
import { createSocket } from "node:dgram";
import { existsSync } from "node:fs";
import { type BaoServer, startBaoServer } from "../../scripts/openbao/bao-server.ts";
import { BAO_VERSION, cachePath } from "../../scripts/openbao/ensure-bao.ts";

export type { BaoServer } from "../../scripts/openbao/bao-server.ts";

/** The bao binary on PATH or in the cache, or "" when there is none. */
export const localBao: string =
  Bun.which("bao") ??
  (existsSync(cachePath(process.env, BAO_VERSION)) ? cachePath(process.env, BAO_VERSION) : "");

export const BAO_SKIP_REASON = localBao
  ? ""
  : `no OpenBao ${BAO_VERSION} on PATH or in ${cachePath(process.env, BAO_VERSION)}: real-server tests skipped (npm test fetches it)`;

if (!localBao) console.log(BAO_SKIP_REASON);

export interface OpenBaoOptions {
  /** The root token (default "root"). */
  token?: string;
  /** Declares Courier's UDP socket device in the server's configuration, sending to this port. */
  auditUdpPort?: number;
  /** Device options beside address and socket_type (e.g. elide_list_responses). */
  auditOptions?: Record<string, string>;
  /** Further HCL for the server's configuration. */
  config?: string;
}

/**
 * A dev server on loopback, root token "root", `secret/` as KV v2. With `auditUdpPort` its only
 * audit device is a UDP socket device named `courier`, declared as OpenBao wants it (in the
 * server's configuration, not through the API).
 */
export function startOpenBao(options: OpenBaoOptions = {}): Promise<BaoServer> {
  if (!localBao) throw new Error(BAO_SKIP_REASON);
  return startBaoServer(localBao, { config: serverConfig(options), token: options.token });
}

/** serverConfig({auditUdpPort: 21000}) → HCL with `audit "socket" "courier" { … }` */
export function serverConfig(options: OpenBaoOptions): string {
  const lines = [options.config ?? ""];
  if (options.auditUdpPort !== undefined) {
    const deviceOptions = {
      address: `127.0.0.1:${options.auditUdpPort}`,
      socket_type: "udp",
      ...options.auditOptions,
    };
    const body = Object.entries(deviceOptions)
      .map(([key, value]) => `    ${key} = ${JSON.stringify(value)}`)
      .join("\n");
    lines.push(`audit "socket" "courier" {\n  options {\n${body}\n  }\n}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A free UDP port on 127.0.0.1 below the ephemeral range (see freePortPair in bao-server.ts). */
export async function freeUdpPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await udpFree(port)) return port;
  }
  throw new Error("found no free UDP port on 127.0.0.1");
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => resolve(false));
    socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
  });
}

/** A small client for a real server: the JSON answer and its status. */
export function baoClient(server: BaoServer) {
  return async (
    method: string,
    path: string,
    body?: unknown,
    namespace?: string,
    // biome-ignore lint/suspicious/noExplicitAny: answers of every shape, read by tests
  ): Promise<{ status: number; body: any }> => {
    const headers: Record<string, string> = { "X-Vault-Token": server.token };
    if (namespace) headers["X-Vault-Namespace"] = namespace;
    const url = method === "LIST" ? `${server.address}/v1/${path}?list=true` : `${server.address}/v1/${path}`;
    const response = await fetch(url, {
      method: method === "LIST" ? "GET" : method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

/**
 * Enables a KV v2 mount at `path` and waits until it answers: a new KV v2 mount refuses requests
 * with 400 "Upgrading from non-versioned to versioned data" for a moment, longer on a busy machine.
 */
export async function mountKv2(server: BaoServer, path: string, namespace?: string): Promise<void> {
  const bao = baoClient(server);
  const mounted = await bao(
    "POST",
    `sys/mounts/${path}`,
    { type: "kv", options: { version: "2" } },
    namespace,
  );
  if (mounted.status >= 300) throw new Error(`mounting ${path}/ answered ${mounted.status}`);
  const deadline = Date.now() + 30_000;
  while ((await bao("GET", `${path}/config`, undefined, namespace)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`${path}/ was still upgrading after 30 s`);
    await Bun.sleep(50);
  }
}

/** must(bao("POST", "kv/data/a", …)): the answer, or an error naming its status and body when it is not 2xx. */
export async function must<T extends { status: number; body: unknown }>(answer: Promise<T>): Promise<T> {
  const reply = await answer;
  if (reply.status >= 300) throw new Error(`answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply;
}
