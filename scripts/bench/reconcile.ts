// A full reconciliation pass over 10,000 KV v2 secrets to two destinations, as `courier sync`
// runs it: once when nothing differs, once when 10% of the secrets differ. Figures: seconds,
// requests each Vault answered, and writes (only the differing keys may be written). Each Vault
// double runs in a process of its own and counts what it answers (GET /_double/stats).
// For comparison, the same no-difference pass is also run with each key sent to a pool of sync
// workers (what the agent does), in this process.
// Seconds are the median of --rounds rounds; requests and writes are the first round's.
//   bun scripts/bench/reconcile.ts [--keys 10000] [--rounds 3] [--json]

import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { loadConfig } from "../../src/config/load.ts";
import { passKeys, passSetup, runOrdered } from "../../src/reconcile/one-shot.ts";
import { createSyncPool } from "../../src/workers/pool.ts";
import { spawnChild } from "./lib/child.ts";
import { call, type DoubleProcess, startDoubles, stopAll } from "./lib/double.ts";
import { describeMachine } from "./lib/machine.ts";
import { median } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    keys: { type: "string", default: "10000" },
    rounds: { type: "string", default: "3" },
    json: { type: "boolean", default: false },
  },
});
const KEYS = Number(values.keys);
const ROUNDS = Number(values.rounds);
const DIFFER = Math.round(KEYS / 10);
const GOAL_S = 10;

interface Stats {
  total: number;
  by_operation: Record<string, number>;
}

interface PassFigures {
  name: string;
  seconds: number;
  /** Requests each Vault answered: source, east, west. */
  requests: { source: number; east: number; west: number; total: number };
  /** create + update + delete + patch on the destinations. */
  writes: { east: number; west: number };
  exitCode?: number;
}

const log = (message: string) => process.stderr.write(`${message}\n`);

const doubles = await startDoubles(3);
const [source, east, west] = doubles as [DoubleProcess, DoubleProcess, DoubleProcess];
try {
  log(`seeding ${KEYS} KV v2 secrets on the source and both destinations…`);
  await seed([source, east, west], (i) => ({ value: `v-${i}`, owner: `team-${i % 7}` }));
  // Rounds interleave the variants, so load from elsewhere on the machine falls on all of them.
  const rounds: PassFigures[][] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    log(`round ${round} of ${ROUNDS}`);
    const figures: PassFigures[] = [];
    figures.push(await courierPass("courier sync, nothing differs", ["sync"]));
    figures.push(await poolPass("worker pool (as the agent), nothing differs"));
    figures.push(await courierPass("courier diff, nothing differs", ["diff"]));
    figures.push(await bareFetch("ceiling: bare fetch, the same reads (metadata + data on all three)"));
    await seed([source], (i) => ({ value: `changed-${round}-${i}`, owner: `team-${i % 7}` }), DIFFER);
    figures.push(await courierPass(`courier sync, ${DIFFER} of ${KEYS} differ`, ["sync"]));
    rounds.push(figures);
  }
  report(rounds[0]!.map((first, i) => ({ ...first, seconds: median(rounds.map((r) => r[i]!.seconds)) })));
} finally {
  await stopAll(doubles);
}

/** Writes secret/bench/<folder>/<key> for the first `count` keys, 64 at a time per Vault. */
async function seed(vaults: DoubleProcess[], data: (i: number) => object, count = KEYS): Promise<void> {
  await runOrdered(
    Array.from({ length: count }, (_, i) => i),
    64,
    async (i) => {
      const path = `secret/data/bench/f${String(i % 100).padStart(2, "0")}/s${i}`;
      await Promise.all(vaults.map((vault) => call(vault, "POST", path, { data: data(i) })));
    },
    () => {},
  );
}

async function resetStats(): Promise<void> {
  await Promise.all(doubles.map((d) => call(d, "DELETE", "/_double/stats")));
}

async function readStats(): Promise<Stats[]> {
  return Promise.all(doubles.map((d) => call(d, "GET", "/_double/stats") as Promise<Stats>));
}

function vaultFlags(): string[] {
  return [
    `--vault.source.address=${source.address}`,
    `--vault.destinations.addresses=${east.address},${west.address}`,
  ];
}

/** `courier sync` or `courier diff` as a process, timed from spawn to exit. */
async function courierPass(name: string, command: string[]): Promise<PassFigures> {
  await resetStats();
  const started = performance.now();
  const child = spawnChild([process.execPath, "src/main.ts", ...command, ...vaultFlags()], {
    VAULT_TOKEN: source.token,
    COURIER_VAULT_DESTINATIONS_TOKENS: east.token,
    COURIER_LOG_LEVEL: "warn",
  });
  const exitCode = await child.proc.exited;
  const seconds = (performance.now() - started) / 1000;
  log(`${name}: ${seconds.toFixed(2)} s, exit ${exitCode}`);
  return { name, seconds, exitCode, ...(await countFigures()) };
}

/** The same walk, each key sent to a pool of sync workers in this process. */
async function poolPass(name: string): Promise<PassFigures> {
  const { config } = await loadConfig({
    argv: vaultFlags(),
    env: { VAULT_TOKEN: source.token, COURIER_VAULT_DESTINATIONS_TOKENS: east.token },
  });
  const setup = passSetup(config);
  const addresses = setup.destinations.map((d) => d.address);
  const pool = createSyncPool(
    availableParallelism(),
    {
      source: { address: source.address },
      destinations: addresses.map((address) => ({ address })),
      deletes: true,
      createMounts: true,
      prune: "managed",
    },
    [setup.source.tokens, ...setup.destinations.map((d) => d.tokens)],
  );
  // One task first, so the workers are up before the clock starts.
  await pool.run({
    key: { kind: "policy", namespace: "", mount: "sys/policies/acl/", path: "default" },
    destinations: addresses,
  });
  await resetStats();
  const started = performance.now();
  await runOrdered(
    passKeys(setup, false, () => {}),
    setup.concurrency,
    (walked) => pool.run({ key: walked.key, destinations: addresses, sourceMount: walked.sourceMount }),
    () => {},
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.stop();
  setup.close();
  log(`${name}: ${seconds.toFixed(2)} s (workers started beforehand)`);
  return { name, seconds, ...(await countFigures()) };
}

/** The reads a pass makes when nothing differs, with nothing else: what the doubles can serve. */
async function bareFetch(name: string): Promise<PassFigures> {
  await resetStats();
  const started = performance.now();
  await runOrdered(
    Array.from({ length: KEYS }, (_, i) => `bench/f${String(i % 100).padStart(2, "0")}/s${i}`),
    availableParallelism() * 32,
    (path) =>
      Promise.all(
        doubles.map(async (vault) => {
          await call(vault, "GET", `secret/metadata/${path}`);
          await call(vault, "GET", `secret/data/${path}`);
        }),
      ),
    () => {},
  );
  const seconds = (performance.now() - started) / 1000;
  log(`${name}: ${seconds.toFixed(2)} s`);
  return { name, seconds, ...(await countFigures()) };
}

async function countFigures(): Promise<Pick<PassFigures, "requests" | "writes">> {
  const [s, e, w] = (await readStats()) as [Stats, Stats, Stats];
  const writes = (stats: Stats) =>
    ["create", "update", "delete", "patch"].reduce((n, op) => n + (stats.by_operation[op] ?? 0), 0);
  return {
    requests: { source: s.total, east: e.total, west: w.total, total: s.total + e.total + w.total },
    writes: { east: writes(e), west: writes(w) },
  };
}

function report(figures: PassFigures[]): void {
  const machine = describeMachine();
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ machine, keys: KEYS, differ: DIFFER, figures }, null, 2)}\n`);
    return;
  }
  const lines = [
    `Reconciliation pass, ${KEYS} KV v2 secrets, 2 destinations, median of ${ROUNDS} rounds (${machine.cores} cores, ${machine.cpu}, load ${machine.load1}, bun ${machine.bun})`,
    "",
    "| pass | seconds | requests (source / east / west) | writes (east / west) |",
    "|---|---:|---:|---:|",
    ...figures.map(
      (f) =>
        `| ${f.name} | ${f.seconds.toFixed(2)} | ${f.requests.total} (${f.requests.source} / ${f.requests.east} / ${f.requests.west}) | ${f.writes.east} / ${f.writes.west} |`,
    ),
    "",
  ];
  const idle = figures[0]!;
  const changed = figures.at(-1)!;
  lines.push(
    `goal: nothing differs in ≤ ${GOAL_S} s — ${idle.seconds <= GOAL_S ? "met" : "NOT met"} (${idle.seconds.toFixed(2)} s)`,
    `only differing keys written: ${changed.writes.east === DIFFER && changed.writes.west === DIFFER ? "yes" : "NO"} (${DIFFER} expected per destination)`,
  );
  process.stdout.write(`${lines.join("\n")}\n`);
}
