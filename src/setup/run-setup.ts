// `courier setup`, start to end: check the flags, the preflight on every Vault, the audit devices
// on the source, then the files (config, systemd unit). Each step runs only when the ones before
// it found nothing wrong, so a failed setup leaves the Vaults as they were.
import { resolve } from "node:path";
import type { Config } from "../config/schema.ts";
import { CourierError } from "../errors.ts";
import { vaultSettingsFrom } from "../vault/settings.ts";
import { type DeviceSpec, fileDevice, socketDevice } from "./audit-device.ts";
import { enableAuditDevices } from "./enable-audit.ts";
import type { SetupChoices } from "./flags.ts";
import { compiledBinary, installUnit } from "./install-unit.ts";
import { Journal, PROCESS_OUTPUT, type SetupOutput } from "./journal.ts";
import { kvMountsInScope } from "./kv-mounts.ts";
import { preflightVault } from "./preflight.ts";
import { destinationRights, type KvMount, setupRights, sourceRights } from "./rights.ts";
import { SetupVault } from "./setup-vault.ts";
import type { UnitOptions } from "./systemd-unit.ts";
import { writeConfig } from "./write-config.ts";

export interface SetupContext {
  /** The --config file the configuration was loaded from, if any. */
  configFile?: string;
  output?: SetupOutput;
  /** The binary a unit runs; the running one unless a test says otherwise. */
  binary?: () => string;
}

/** Returns the exit code; a failure throws a CourierError that names every problem. */
export async function runSetup(
  config: Config,
  choices: SetupChoices,
  context: SetupContext = {},
): Promise<number> {
  const journal = new Journal(choices.dryRun, context.output ?? PROCESS_OUTPUT);
  const unit = choices.systemd ? unitFor(config, choices, context) : undefined;
  const devices = auditDevices(config, choices, journal);
  const settings = vaultSettingsFrom(config);
  const source = new SetupVault("source", settings.source, config.vault.source, journal);
  const destinations = settings.destinations.map(
    (vault, i) =>
      new SetupVault(
        `destination ${i + 1}`,
        vault,
        config.vault.destinations.list[i] ?? { namespace: "" },
        journal,
      ),
  );
  try {
    await preflight(config, choices, devices, source, destinations, journal);
    if (devices.length > 0) await enableAuditDevices(source, devices, { force: choices.force }, journal);
    const written = choices.writeConfig ? writeConfig(config, choices.writeConfig, journal) : undefined;
    if (unit) installUnit({ ...unit, configFile: written ?? unit.configFile }, choices.unitPath, journal);
    return 0;
  } finally {
    for (const vault of [source, ...destinations]) vault.close();
  }
}

/** Every Vault checked, every problem listed, then one failure if there were any. */
async function preflight(
  config: Config,
  choices: SetupChoices,
  devices: readonly DeviceSpec[],
  source: SetupVault,
  destinations: readonly SetupVault[],
  journal: Journal,
): Promise<void> {
  let mounts: KvMount[] = [];
  const scope = () => ({ mounts, policies: config.sync.policies, createMounts: config.sync.create_mounts });
  const problems = await preflightVault(
    source,
    async () => {
      const found = await kvMountsInScope(source, config.sync.mounts);
      mounts = found.mounts;
      const unknown = found.complete
        ? []
        : [
            `the KV mounts in scope are unknown: the token cannot read sys/mounts on ${source.name}; name them with --sync.mounts`,
          ];
      const audit = setupRights(
        devices.map((device) => device.path),
        choices.force,
      );
      return { rights: sourceRights(scope()), rootRights: audit, problems: [...found.problems, ...unknown] };
    },
    journal,
  );
  for (const destination of destinations) {
    problems.push(
      ...(await preflightVault(
        destination,
        async () => ({ rights: destinationRights(scope()), problems: [] }),
        journal,
      )),
    );
  }
  if (problems.length > 0) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    problems.push(
      `setup stopped after the preflight (${count}); \`courier setup policy\` prints the policies Courier's tokens need`,
    );
    throw new CourierError("SETUP_FAILED", problems.join("\n"));
  }
  journal.say("preflight: every Vault answers and every token has the rights Courier needs");
}

/** The devices to enable, file device first; none when Courier tails a file. */
function auditDevices(config: Config, choices: SetupChoices, journal: Journal): DeviceSpec[] {
  const socket = socketDevice(config);
  if ("tails" in socket) {
    journal.say(
      `vault.audit_address is file://${socket.tails}: Courier tails the file Vault's file audit device writes, so no socket device is needed and none is enabled`,
    );
    if (choices.fileAudit) journal.warn("--file-audit is ignored: Courier reads a file device already");
    return [];
  }
  return choices.fileAudit ? [fileDevice(config, choices.fileAudit), socket] : [socket];
}

/** Checked before anything else, so a unit that cannot be written stops setup at once. */
function unitFor(config: Config, choices: SetupChoices, context: SetupContext): UnitOptions {
  const configFile = choices.writeConfig ?? context.configFile;
  if (!configFile) {
    throw new CourierError(
      "SETUP_FAILED",
      "--systemd needs a config file for the unit to run with: add --write-config /etc/courier/courier.yaml (or load one with --config)",
    );
  }
  const binary = (context.binary ?? (() => compiledBinary()))();
  const audit = config.vault.audit_address;
  const unixSocket = audit.startsWith("unix://") ? audit.slice("unix://".length) : undefined;
  return { binary, configFile: resolve(configFile), unixSocket };
}
