// `bun scripts/openbao/conformance.ts [bun test filters…]`: runs the conformance suite
// (test/conformance) against a real OpenBao dev server instead of the Vault double, so the
// double's promise — a test passing on it passes on a real server — is checked, not assumed.
// Gets bao as ensure-bao.ts does; when it cannot, prints "real-server conformance skipped:
// <reason>" and exits 0. Otherwise exits with the test run's status.
import { join } from "node:path";
import { startBaoServer } from "./bao-server.ts";
import { ensureBao } from "./ensure-bao.ts";

const ROOT = join(import.meta.dir, "..", "..");

async function main(): Promise<number> {
  const started = performance.now();
  const bao = await ensureBao({ log: (line) => console.log(`real-server conformance: ${line}`) });
  if (!bao.ok) {
    console.log(`real-server conformance skipped: ${bao.reason}`);
    return 0;
  }
  const server = await startBaoServer(bao.path);
  const stopOnSignal = async () => {
    await server.stop();
    process.exit(130);
  };
  process.on("SIGINT", stopOnSignal);
  process.on("SIGTERM", stopOnSignal);
  console.log(`real-server conformance: OpenBao ${bao.version} (${bao.path}) at ${server.address}`);
  try {
    const run = Bun.spawn(
      [process.execPath, "test", "--timeout", "30000", "test/conformance", ...process.argv.slice(2)],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          VAULT_CONFORMANCE_ADDR: server.address,
          VAULT_CONFORMANCE_TOKEN: server.token,
          // OpenBao has namespaces in every edition, dev servers included.
          VAULT_CONFORMANCE_NAMESPACES: "1",
          VAULT_CONFORMANCE_FLAVOR: "openbao",
        },
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    const code = await run.exited;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `real-server conformance: ${code === 0 ? "passed" : "FAILED"} against OpenBao in ${seconds}s`,
    );
    return code;
  } finally {
    await server.stop();
  }
}

if (import.meta.main) {
  try {
    process.exit(await main());
  } catch (err) {
    console.error(`real-server conformance: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
