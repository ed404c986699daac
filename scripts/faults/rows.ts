// The fault matrix: each row says how to cause its fault and how to clear it. Durations are the
// full run's; quick mode (--quick, and the tests) shortens them, and the report says so.
import { createServer } from "node:net";
import type { FaultWorld } from "./world.ts";

export interface RowContext {
  world: FaultWorld;
  /** Notes for the report: what was done, and anything seen on the way. */
  note(text: string): void;
}

export interface Row {
  id: string;
  title: (durationMs: number) => string;
  transport?: "udp" | "tcp";
  /** Courier in this process (to reach its worker threads). */
  inProcess?: boolean;
  /** More Courier flags for this row. */
  flags?: string[];
  /** Times the matrix's write rate, for rows that need more traffic to show anything. */
  rateFactor?: number;
  /** The row shows a known limit: drift at the end is reported, not counted as a failure. */
  expectsDrift?: string;
  durationMs: { full: number; quick: number };
  /** Causes the fault; answers what clears it. */
  start(context: RowContext): Promise<() => Promise<unknown>>;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

async function control(address: string, method: string, route: string, body?: unknown): Promise<void> {
  const response = await fetch(`${address}/_double/${route}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${method} /_double/${route} answered ${response.status}`);
}

/** A fault rule on destination A (the first) until cleared. */
function onDestinationA(rules: unknown[]) {
  return async ({ world }: RowContext) => {
    const address = world.doubles.destinations[0]!.controlAddress;
    await control(address, "POST", "faults", rules);
    return () => control(address, "DELETE", "faults");
  };
}

export const ROWS: Row[] = [
  {
    id: "baseline",
    title: () => "no fault (baseline)",
    durationMs: { full: 5_000, quick: 1_000 },
    start: async () => async () => {},
  },
  {
    id: "destination-down",
    title: (ms) => `destination down ${seconds(ms)}`,
    durationMs: { full: 60_000, quick: 3_000 },
    // Connections refused, as from a Vault whose process is gone; cleared early if need be.
    start: (c) => onDestinationA([{ kind: "refuse", ms: 3_600_000 }])(c),
  },
  {
    id: "destination-500-half",
    title: (ms) => `destination answering 500 to half the requests, ${seconds(ms)}`,
    durationMs: { full: 20_000, quick: 3_000 },
    start: onDestinationA([{ kind: "status", status: 500, share: 0.5, errors: ["internal error"] }]),
  },
  {
    id: "destination-slow",
    title: (ms) => `destination 2 s slow, ${seconds(ms)}`,
    durationMs: { full: 20_000, quick: 4_000 },
    start: onDestinationA([{ kind: "latency", ms: 2_000 }]),
  },
  {
    id: "source-sealed",
    title: (ms) => `source sealed ${seconds(ms)}`,
    durationMs: { full: 30_000, quick: 3_000 },
    async start({ world }) {
      const address = world.doubles.source.controlAddress;
      await control(address, "POST", "seal");
      return () => control(address, "POST", "unseal");
    },
  },
  {
    id: "source-403",
    title: (ms) => `source 403 on a path (reads of secret/*/load/k1*), ${seconds(ms)}`,
    durationMs: { full: 20_000, quick: 3_000 },
    async start({ world }) {
      const address = world.doubles.source.controlAddress;
      await control(address, "POST", "faults", [
        {
          kind: "status",
          status: 403,
          method: "GET",
          path: "secret/*/load/k1*",
          errors: ["permission denied"],
        },
      ]);
      return () => control(address, "DELETE", "faults");
    },
  },
  {
    id: "worker-death",
    title: (ms) => `a sync worker thread dying mid-sync, once a second for ${seconds(ms)}`,
    inProcess: true,
    // One worker thread, so the one killed is the one holding the syncs.
    flags: ["--worker.concurrency=1"],
    durationMs: { full: 10_000, quick: 3_000 },
    async start({ world, note }) {
      const agent = world.agent!;
      let kills = 0;
      let last = 0;
      // Watched closely, so the kill lands while a sync is running: a worker killed idle proves nothing.
      const timer = setInterval(() => {
        if (performance.now() - last < 1_000 || agent.workers.inflight === 0) return;
        agent.workers.killWorker(0);
        kills++;
        last = performance.now();
      }, 1);
      return async () => {
        clearInterval(timer);
        note(`${kills} workers killed while holding syncs`);
      };
    },
  },
  ...[true, false].map(
    (prune): Row => ({
      id: prune ? "sigkill" : "sigkill-without-prune",
      title: (ms) =>
        `Courier killed with SIGKILL mid-burst, restarted ${seconds(ms)} later${prune ? "" : ", without --sync.prune"}`,
      durationMs: { full: 5_000, quick: 2_000 },
      flags: prune ? [] : ["--sync.prune=false"],
      expectsDrift: prune
        ? undefined
        : "keys deleted on the source while Courier was down stay on the destinations: the start-up pass walks the source only, and deletes what only a destination holds with --sync.prune alone",
      async start({ world }) {
        world.harness!.courier.child.kill("SIGKILL");
        return () => world.restart();
      },
    }),
  ),
  ...(["tcp", "udp"] as const).flatMap((transport) =>
    [1, 10].map(
      (factor): Row => ({
        id: `sigstop-${transport}${factor > 1 ? "-heavy" : ""}`,
        title: (ms) =>
          `Courier stopped (SIGSTOP) ${seconds(ms)}, audit over ${transport.toUpperCase()}${factor > 1 ? `, ${factor}× the write rate` : ""}`,
        transport,
        rateFactor: factor,
        durationMs: { full: 5_000, quick: 3_000 },
        async start({ world }) {
          const pid = world.harness!.courier.child.pid;
          process.kill(pid, "SIGSTOP");
          return async () => process.kill(pid, "SIGCONT");
        },
      }),
    ),
  ),
];

/** A port something else holds, for the start-up row: TCP from a server, UDP from a socket. */
export async function takePort(
  transport: "tcp" | "udp",
): Promise<{ port: number; release(): Promise<void> }> {
  if (transport === "udp") {
    const socket = await Bun.udpSocket({ hostname: "127.0.0.1", port: 0 });
    return { port: socket.port, release: async () => socket.close() };
  }
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { port, release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
