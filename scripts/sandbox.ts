// `bun scripts/sandbox.ts [--once] [--double]`: Courier's main job on this machine, set up from
// nothing. Three local Vault servers (OpenBao dev servers with the bao the tests use; vault dev
// servers when no bao can be had but vault is on PATH; the Vault double otherwise) on 127.0.0.1:8200 (source), :8202 and :8204 (destinations) when free; Courier, the
// compiled binary, between them, fed by a UDP audit device on the source (127.0.0.1:1269 when
// free); secrets of both KV versions and a policy written on the source; the destinations shown
// converging; then commands to try, and every later sync as it happens, until Ctrl-C.
//   --once    stop after the scripted part: exit 0 when every destination equals the source, else 1
//   --double  use the Vault double even when OpenBao or vault can be had
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureBinary } from "../test/support/binary.ts";
import { ensureAuditDevices, sandboxAuditDevices, toBaoConfig } from "./sandbox/audit-devices.ts";
import { Children } from "./sandbox/children.ts";
import { type Verdict, waitForConvergence } from "./sandbox/convergence.ts";
import { ConvergenceTable } from "./sandbox/convergence-table.ts";
import { servesMetrics, startCourier } from "./sandbox/courier-process.ts";
import { DEMO_KEYS, describeDemo, mountKv1, writeDemoData } from "./sandbox/demo-data.ts";
import { type Destination, shortKey } from "./sandbox/display.ts";
import { LiveFeed } from "./sandbox/live-feed.ts";
import { hasDiffCommand, pokeCommands } from "./sandbox/poke.ts";
import { pickPorts } from "./sandbox/ports.ts";
import { chooseServer, describeServer, type RunningServer, startServer, tail } from "./sandbox/servers.ts";
import { createShutdown } from "./sandbox/shutdown.ts";

const CONVERGE_MS = 10_000;
const say = (line = "") => console.log(line);

const USAGE = `usage: bun scripts/sandbox.ts [--once] [--double]
  --once    run the scripted part, check that every destination equals the source (exit 0, else 1), stop
  --double  use the Vault double even when OpenBao or vault can be had`;
const values = options(Bun.argv.slice(2));

const dir = mkdtempSync(join(tmpdir(), "courier-sandbox-"));
const children = new Children();
const shutdown = createShutdown(children, dir, say);
// The children get a clean environment: no VAULT_* or COURIER_* of this shell leaks into them.
const env = { PATH: process.env.PATH ?? "", HOME: dir, NO_COLOR: "1" };

try {
  const choice = await chooseServer(values.double);
  say(`Courier sandbox: three ${describeServer(choice, values.double)}, Courier between them.`);
  say("  building dist/courier if its sources changed…");
  const binary = await ensureBinary();

  const ports = await pickPorts(choice.kind !== "double");
  const auditLog = join(dir, "source-audit.log");
  const devices = sandboxAuditDevices(ports.audit, auditLog);
  let configFile: string | undefined;
  if (choice.kind === "bao") {
    configFile = join(dir, "source-audit.hcl");
    writeFileSync(configFile, toBaoConfig(devices));
  }
  const names = ["source", "dest-1", "dest-2"];
  const servers: RunningServer[] = await Promise.all(
    names.map((name, i) =>
      startServer(
        choice,
        { name, port: ports.servers[i]!, dir, env, configFile: i === 0 ? configFile : undefined },
        (proc) => children.add(name, proc),
      ),
    ),
  );
  const [source, ...dests] = servers as [RunningServer, ...RunningServer[]];
  const destinations: Destination[] = dests.map((s) => ({ name: s.name, address: s.address }));
  mkdirSync(join(dir, "state"));
  // Mounted before Courier starts, so its first read of the source's mount table already has kv/
  // (a mount added later is picked up too, but Courier reads the table at most once a second).
  await mountKv1(source.address);
  const courier = await startCourier(
    {
      binary,
      source: source.address,
      destinations: destinations.map((d) => d.address),
      auditPort: ports.audit,
      metricsPort: ports.metrics,
      dir,
      env,
    },
    (proc) => children.add("courier", proc),
  );
  for (const server of servers)
    say(`  ${server.name.padEnd(7)} ${server.address.padEnd(24)} pid ${server.proc.pid}`);
  say(`  ${"courier".padEnd(7)} ${`udp://127.0.0.1:${ports.audit}`.padEnd(24)} pid ${courier.proc.pid}`);
  // From here on, any of them ending by itself ends the sandbox, with the last of its log.
  const logs = new Map([...servers.map((s) => [s.name, s.logFile] as const), ["courier", courier.logFile]]);
  for (const child of children.list()) {
    void child.proc.exited.then((code) => {
      if (shutdown.stopping) return;
      say(
        `\n${child.name} exited by itself (${code ?? child.proc.signalCode}); the end of its log:\n${tail(logs.get(child.name) ?? "")}`,
      );
      void shutdown.stop(1);
    });
  }

  // Vault and the double take the audit devices over the API, now that Courier listens.
  await ensureAuditDevices(source.address, devices);

  const width = Math.max(...DEMO_KEYS.map((key) => shortKey(key).length));
  const table = new ConvergenceTable(destinations, say, width);
  const stopTable = courier.onLine((line) => {
    if (line.kind === "sync") table.see(line);
    else if (line.kind === "problem") say(`  ! ${line.msg}${line.detail ? ` (${line.detail})` : ""}`);
  });
  say();
  say(`Writing on the source: ${describeDemo()}.`);
  say("Converging (time from each write until Courier reports the key on each destination):");
  await writeDemoData(source.address, (key) => table.expect(key));
  await table.settle(CONVERGE_MS);
  stopTable();

  const verdict = await waitForConvergence(source.address, destinations, CONVERGE_MS);
  report(verdict, destinations);
  if (values.once) await shutdown.stop(verdict.equal ? 0 : 1, "--once");

  say();
  const cli = Bun.which("vault") ? "vault" : Bun.which("bao") ? "bao" : undefined;
  const diffBinary = hasDiffCommand(binary) ? binary : undefined;
  const metrics = (await servesMetrics(ports.metrics))
    ? `http://127.0.0.1:${ports.metrics}/metrics`
    : undefined;
  for (const line of pokeCommands({
    source: source.address,
    destinations,
    cli,
    diffBinary,
    metrics,
    courierLog: courier.logFile,
    auditLog,
  }))
    say(line);
  say();
  say("Watching Courier's syncs as they happen (Ctrl-C stops everything):");
  const feed = new LiveFeed(destinations, say);
  courier.onLine((line) => feed.see(line));
} catch (error) {
  if (!shutdown.stopping) {
    say(`\nThe sandbox could not start: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown.stop(1);
  }
}

function report(verdict: Verdict, destinations: readonly Destination[]): void {
  const names = destinations.map((d) => d.name).join(" and ");
  const what = `${verdict.secrets} secrets, ${verdict.policies} policies`;
  if (verdict.equal) {
    say(`✓ converged: ${names} hold exactly what the source holds (${what}; read back from all three).`);
    return;
  }
  say(`✗ not converged after ${CONVERGE_MS / 1000} s (source: ${what}):`);
  for (const [name, wrong] of verdict.differences) say(`  ${name}: ${wrong.join(", ")}`);
}

function options(args: string[]): { once: boolean; double: boolean } {
  try {
    const { values } = parseArgs({
      args,
      options: {
        once: { type: "boolean", default: false },
        double: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      say(USAGE);
      process.exit(0);
    }
    return values;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}
