// Requests per second of three ways to read one KV secret: Bun's fetch, node-vault over Courier's
// fetch transport, and node-vault with its own axios. Run: bun test/vault/client-bench.ts
// [--requests N] [--concurrency C] [--rounds R] [--server minimal|double]. "minimal" is a Bun.serve that answers
// at once (the client's own cost shows); "double" is the Vault double (what Courier meets in tests).

import { parseArgs } from "node:util";
import nodeVault from "node-vault";
import { VaultHttp } from "../../src/vault/http.ts";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "1" },
    server: { type: "string", default: "minimal" },
    rounds: { type: "string", default: "5" },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);

const target = await startTarget(values.server ?? "minimal");
const path = "secret/data/bench";
const headers = { "X-Vault-Token": target.token, "X-Vault-Request": "true" };

const http = new VaultHttp(target.address);
const axiosVault = nodeVault({ endpoint: target.address, token: target.token });

const contenders: [string, () => Promise<unknown>][] = [
  ["raw fetch", async () => (await fetch(`${target.address}/v1/${path}`, { headers })).json()],
  ["node-vault over fetch", () => http.send({ method: "GET", path }, target.token)],
  ["node-vault with axios", () => axiosVault.read(path)],
];

// Rounds interleave the contenders so that a noisy moment (GC, the other core) hits all of them;
// the median of the rounds is reported.
const rounds = Number(values.rounds);
const rates = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
for (const [, once] of contenders) await run(once, Math.min(500, requests)); // warm up: connections, JIT
for (let round = 0; round < rounds; round++) {
  for (const [name, once] of contenders) {
    const started = performance.now();
    await run(once, requests);
    rates.get(name)?.push(requests / ((performance.now() - started) / 1000));
  }
}
console.log(`server=${values.server} requests=${requests} concurrency=${concurrency} rounds=${rounds}`);
const baseline = median(rates.get("raw fetch") ?? []);
for (const [name, rate] of rates) {
  const m = median(rate);
  console.log(
    `${name.padEnd(24)} ${m.toFixed(0).padStart(7)} req/s  ${(m / baseline).toFixed(2)}× raw fetch`,
  );
}
http.close();
await target.stop();

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function run(once: () => Promise<unknown>, count: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next++ < count) await once();
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

interface Target {
  address: string;
  token: string;
  stop(): Promise<void> | void;
}

async function startTarget(kind: string): Promise<Target> {
  if (kind === "double") {
    const { startVaultDouble } = await import("../support/vault-double/index.ts");
    const double = await startVaultDouble();
    const put = await fetch(`${double.address}/v1/secret/data/bench`, {
      method: "POST",
      headers: { "X-Vault-Token": double.rootToken },
      body: JSON.stringify({ data: { user: "bench", pw: "x".repeat(32) } }),
    });
    if (!put.ok) throw new Error(`seeding the double failed: ${put.status}`);
    return { address: double.address, token: double.rootToken, stop: () => double.stop() };
  }
  const body = JSON.stringify({
    data: { data: { user: "bench", pw: "x".repeat(32) }, metadata: { version: 1, destroyed: false } },
  });
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => new Response(body, { headers: { "Content-Type": "application/json" } }),
  });
  return { address: `http://127.0.0.1:${server.port}`, token: "bench", stop: () => server.stop(true) };
}
