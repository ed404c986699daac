// The sandbox's ports: the documented ones when they are free, otherwise ones the kernel hands out.
// A real Vault or OpenBao dev server also opens its cluster listener on the API port + 1, which is
// why the servers sit two apart (8200, 8202, 8204) and why a real server needs both ports free.
import { createSocket } from "node:dgram";
import { createServer } from "node:net";

export const HOST = "127.0.0.1";
export const SERVER_PORTS = [8200, 8202, 8204] as const;
/** Courier's own default audit address is 127.0.0.1:1269. */
export const AUDIT_PORT = 1269;
/** Where Courier serves /healthz, /readyz and /metrics in the sandbox. */
export const METRICS_PORT = 9850;

export interface SandboxPorts {
  servers: number[];
  audit: number;
  metrics: number;
}

/** Picks the server and audit ports; `pairs` when each server also needs port + 1. */
export async function pickPorts(pairs: boolean): Promise<SandboxPorts> {
  const taken = new Set<number>();
  const servers: number[] = [];
  for (const wanted of SERVER_PORTS) {
    const port = await serverPort(wanted, pairs, taken);
    servers.push(port);
    taken.add(port);
    if (pairs) taken.add(port + 1);
  }
  const audit = (await udpFree(AUDIT_PORT)) ? AUDIT_PORT : await kernelUdpPort();
  const metrics = await serverPort(METRICS_PORT, false, taken);
  return { servers, audit, metrics };
}

async function serverPort(wanted: number, pairs: boolean, taken: Set<number>): Promise<number> {
  const usable = async (port: number) =>
    port > 0 &&
    port < 65_535 &&
    !taken.has(port) &&
    !(pairs && taken.has(port + 1)) &&
    (await tcpFree(port)) &&
    (!pairs || (await tcpFree(port + 1)));
  if (await usable(wanted)) return wanted;
  for (let attempt = 0; attempt < 100; attempt++) {
    // A pair is drawn below Linux's ephemeral range (32768 and up): there, on a busy machine, the
    // neighbour of almost every port the kernel hands out is taken by an outgoing connection.
    const port = pairs ? 20_000 + Math.floor(Math.random() * 12_000) : await kernelTcpPort();
    if (await usable(port)) return port;
  }
  throw new Error(`found no free port on 127.0.0.1 instead of ${wanted}`);
}

/** Whether 127.0.0.1:port can be bound for TCP right now. */
export function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host: HOST, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Whether 127.0.0.1:port can be bound for UDP right now. */
export function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ address: HOST, port, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

function kernelTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host: HOST, port: 0 }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function kernelUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.once("error", reject);
    socket.bind({ address: HOST, port: 0 }, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
