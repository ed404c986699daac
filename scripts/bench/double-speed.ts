// The Vault double's own speed: KV v2 reads/s and writes/s with keep-alive connections, the
// double pinned to one core (taskset) and the load coming from this process on the other. The
// ceiling is a bare Bun.serve answering a fixed JSON body, pinned and driven the same way: what
// one core can answer at all. A benchmark that puts the double in its path is bounded by it only
// if it asks for more than this.
//   bun scripts/bench/double-speed.ts [--quick]

import { type Child, cpuSeconds, spawnChild } from "./lib/child.ts";
import { call } from "./lib/double.ts";
import { runAlone } from "./lib/run-alone.ts";
import { median, round } from "./lib/stats.ts";
import type { Benchmark, BenchOptions, BenchReport } from "./lib/types.ts";

export const benchmark: Benchmark = {
  name: "double",
  title: "The Vault double: KV v2 requests/s on one core",
  run,
};

const CLIENTS = 16;
const KEYS = 1000;
const TOKEN = "root";

const BARE_SERVER = `
const body = JSON.stringify({ data: { data: { password: "x" }, metadata: { version: 1 } } });
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(body, { headers: { "content-type": "application/json" } }) });
console.log("listening http://127.0.0.1:" + server.port);
`;

async function run(options: BenchOptions): Promise<BenchReport> {
  const seconds = options.quick ? 1.5 : 4;
  const rounds = options.quick ? 1 : 3;
  const pin = ["taskset", "-c", "0"];
  const double = spawnChild([
    ...pin,
    process.execPath,
    "scripts/dev-vault.ts",
    `-dev-root-token-id=${TOKEN}`,
    "-dev-listen-address=127.0.0.1:0",
  ]);
  const bare = spawnChild([...pin, process.execPath, "-e", BARE_SERVER]);
  try {
    const vault = {
      address: (await double.waitFor(/Api Address: (http:\/\/127\.0\.0\.1:\d+)/)).match[1]!,
      token: TOKEN,
    };
    const bareAddress = (await bare.waitFor(/listening (http:\/\/127\.0\.0\.1:\d+)/)).match[1]!;
    options.log(`double: writing ${KEYS} keys`);
    for (let i = 0; i < KEYS; i++)
      await call(vault, "POST", `secret/data/bench/k${i}`, { data: { password: `v${i}` } });
    const reads: number[] = [];
    const writes: number[] = [];
    const bares: number[] = [];
    const readsPerCpu: number[] = [];
    for (let r = 0; r < rounds; r++) {
      options.log(`double: round ${r + 1}/${rounds}`);
      const read = await drive(double, seconds, (i) => [
        `${vault.address}/v1/secret/data/bench/k${i % KEYS}`,
        "GET",
      ]);
      reads.push(read.perSecond);
      readsPerCpu.push(read.perCpuSecond);
      writes.push(
        (await drive(double, seconds, (i) => [`${vault.address}/v1/secret/data/bench/k${i % KEYS}`, "POST"]))
          .perSecond,
      );
      bares.push((await drive(bare, seconds, () => [`${bareAddress}/`, "GET"])).perSecond);
    }
    const ceiling = round(median(bares), 0);
    const figure = (name: string, value: number) => ({
      name,
      value: round(value, 0),
      unit: "requests/s",
      ceiling,
      ceilingName: "bare Bun.serve, fixed JSON, same core",
      ratio: round(value / ceiling, 2),
    });
    return {
      figures: [
        figure("KV v2 reads", median(reads)),
        figure("KV v2 writes", median(writes)),
        {
          name: "KV v2 reads per CPU-second of the double",
          value: round(median(readsPerCpu), 0),
          unit: "requests/s",
        },
      ],
      notes: [
        `${CLIENTS} keep-alive clients in the benchmark process; the server pinned to core 0 with taskset; ${seconds} s per window, ${rounds} round(s), medians.`,
        "No audit device is enabled: with one, every request also formats and HMACs two entries.",
      ],
      rounds: { reads, writes, bares, readsPerCpu },
    };
  } finally {
    await Promise.all([double.stop(), bare.stop()]);
  }
}

/** Runs CLIENTS request loops for `seconds`; the answer counts requests per wall and CPU second. */
async function drive(server: Child, seconds: number, target: (i: number) => [string, string]) {
  const cpuBefore = await cpuSeconds(server.pid);
  const end = performance.now() + seconds * 1000;
  let count = 0;
  const body = JSON.stringify({ data: { password: "changed" } });
  const headers = { "X-Vault-Token": TOKEN, "Content-Type": "application/json" };
  const loop = async (client: number) => {
    for (let i = client; performance.now() < end; i += CLIENTS) {
      const [url, method] = target(i);
      const response = await fetch(url, { method, headers, body: method === "POST" ? body : undefined });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${method} ${url}: ${response.status}`);
      count++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, (_, client) => loop(client)));
  const wall = (performance.now() - started) / 1000;
  const cpu = (await cpuSeconds(server.pid)) - cpuBefore;
  return { perSecond: count / wall, perCpuSecond: cpu > 0 ? count / cpu : 0 };
}

if (import.meta.main) await runAlone(benchmark);
