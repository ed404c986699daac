// The commands printed for the user to try while the sandbox runs: all copy-pasteable, all on
// 127.0.0.1, all with the dev root token (the sandbox's servers are throwaway dev servers).
import { relative } from "node:path";
import type { Destination } from "./display.ts";
import { ROOT_TOKEN } from "./servers.ts";

export interface PokeInputs {
  source: string;
  destinations: readonly Destination[];
  /** A Vault-style CLI on PATH ("vault" or "bao"), whatever the servers are. */
  cli?: "vault" | "bao";
  /** Courier's binary when it has a `diff` command. */
  diffBinary?: string;
  /** Courier's /metrics address, when it serves one. */
  metrics?: string;
  courierLog: string;
  auditLog: string;
}

/** The "poke at it" block, as lines. */
export function pokeCommands(inputs: PokeInputs): string[] {
  const { source } = inputs;
  const first = inputs.destinations[0]!;
  const curl = `curl -s -H "X-Vault-Token: ${ROOT_TOKEN}"`;
  const lines = [
    `Poke at it while it runs (token "${ROOT_TOKEN}"; every value in there is a demo value):`,
    `  read a secret on ${first.name}:`,
    `    ${curl} ${first.address}/v1/secret/data/app/db`,
    "  change it on the source, and watch it arrive below:",
    `    ${curl} -X POST -d '{"data":{"password":"changed"}}' ${source}/v1/secret/data/app/db`,
    "  write a KV v1 secret, then delete it:",
    `    ${curl} -X POST -d '{"note":"hello"}' ${source}/v1/kv/hello`,
    `    ${curl} -X DELETE ${source}/v1/kv/hello`,
    "  write a policy:",
    `    ${curl} -X PUT -d '{"policy":"path \\"kv/*\\" { capabilities = [\\"read\\"] }"}' ${source}/v1/sys/policies/acl/ops`,
  ];
  if (inputs.cli) {
    const prefix = inputs.cli === "bao" ? "BAO" : "VAULT";
    lines.push(
      `  with the ${inputs.cli} CLI:`,
      `    ${prefix}_ADDR=${source} ${prefix}_TOKEN=${ROOT_TOKEN} ${inputs.cli} kv put secret/app/db password=changed-again`,
    );
  }
  if (inputs.diffBinary) {
    const addresses = inputs.destinations.map((d) => d.address).join(",");
    lines.push(
      "  compare the source with every destination:",
      `    VAULT_TOKEN=${ROOT_TOKEN} COURIER_VAULT_DESTINATIONS_TOKENS=${ROOT_TOKEN} ${shown(inputs.diffBinary)} diff ` +
        `--vault.source.address=${source} --vault.destinations.addresses=${addresses}`,
    );
  }
  if (inputs.metrics) {
    lines.push(
      "  Courier's metrics:",
      `    curl -s ${inputs.metrics} | grep -E '^courier_(sync_total|destination_up)'`,
    );
  }
  lines.push(
    "  follow Courier's log, or what the source's file audit device records:",
    `    tail -f ${inputs.courierLog}`,
    `    tail -f ${inputs.auditLog}`,
  );
  return lines;
}

/** A path as short as it can be shown and still run: "dist/courier" inside the current directory. */
function shown(path: string): string {
  const near = relative(process.cwd(), path);
  return near.startsWith("..") || near === "" ? path : near.includes("/") ? near : `./${near}`;
}

/** Whether this Courier binary has a `diff` command (its help then shows "courier diff"). */
export function hasDiffCommand(binary: string): boolean {
  const run = Bun.spawnSync([binary, "diff", "--help"], {
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips colour codes
  const text = run.stdout.toString().replace(/\x1b\[[0-9;]*m/g, "");
  return run.exitCode === 0 && /courier diff\b/.test(text);
}
