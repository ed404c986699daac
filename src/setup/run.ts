// `courier setup` and `courier setup policy`, start to end, with the flags each takes besides the
// settings. Setup checks the flags, runs the preflight on every Vault, enables the audit devices
// on the source, then writes the files (config, systemd unit). Each step runs only when the ones
// before it found nothing wrong, so a failed setup leaves the Vaults as they were. `setup policy`
// prints the same rights table the preflight checks, as HCL, one policy per token.
import { resolve } from "node:path";
import type { Config } from "../config/schema.ts";
import type { CommandFlags } from "../config/sources.ts";
import { CourierError } from "../errors.ts";
import { pathMapsFrom } from "../sync/path-map.ts";
import { VaultCallError } from "../vault/errors.ts";
import { vaultSettingsFrom } from "../vault/settings.ts";
import { type DeviceSpec, enableAuditDevices, wantedDevices } from "./audit-devices.ts";
import { compiledBinary, DEFAULT_UNIT_PATH, installUnit, type UnitOptions, writeConfig } from "./files.ts";
import { Journal, PROCESS_OUTPUT, type SetupOutput, SetupVault } from "./journal.ts";
import { sourceNamespaces } from "./namespace-scope.ts";
import { kvMountsInScope, preflight } from "./preflight.ts";
import {
  destinationRights,
  destinationScope,
  type KvMount,
  type NamespaceMounts,
  type RightsScope,
  renderPolicy,
  rightsScope,
  setupRights,
  sourceRights,
} from "./rights.ts";

export const SETUP_FLAGS: CommandFlags = {
  "dry-run": {
    type: "boolean",
    description: "Print every Vault call and file setup would make, and change nothing",
  },
  force: {
    type: "boolean",
    description: "Replace an audit device at vault.audit_path that has other options",
  },
  "file-audit": {
    type: "string",
    description:
      "Also enable a file audit device writing to PATH, so Vault keeps answering when Courier is down",
    valueHint: "path",
  },
  "write-config": {
    type: "string",
    description: "Write the effective configuration to FILE (tokens go to 0600 files beside it)",
    valueHint: "file",
  },
  systemd: {
    type: "boolean",
    description: "Install a systemd unit for this binary and its config file",
  },
  "unit-path": {
    type: "string",
    description: `Where --systemd writes the unit (default: ${DEFAULT_UNIT_PATH})`,
    valueHint: "path",
  },
};

/** The flags as setup uses them. */
export interface SetupChoices {
  dryRun: boolean;
  force: boolean;
  fileAudit?: string;
  writeConfig?: string;
  systemd: boolean;
  unitPath: string;
}

/** setupChoices({"dry-run": true}) → {dryRun: true, force: false, systemd: false, unitPath: DEFAULT_UNIT_PATH} */
export function setupChoices(flags: Record<string, string | boolean>): SetupChoices {
  const text = (name: string) =>
    typeof flags[name] === "string" && flags[name] !== "" ? (flags[name] as string) : undefined;
  return {
    dryRun: flags["dry-run"] === true,
    force: flags.force === true,
    fileAudit: text("file-audit"),
    writeConfig: text("write-config"),
    systemd: flags.systemd === true,
    unitPath: text("unit-path") ?? DEFAULT_UNIT_PATH,
  };
}

export interface SetupContext {
  /** The --config file the configuration was loaded from, if any. */
  configFile?: string;
  output?: SetupOutput;
  /** The binary a unit runs; the running one unless a test says otherwise. */
  binary?: () => string;
}

/** `courier setup`. Returns the exit code; a failure throws a CourierError that names every problem. */
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
    const auditRights = setupRights(
      devices.map((device) => device.path),
      choices.force,
    );
    await preflight(config, source, destinations, auditRights, journal);
    if (devices.length > 0) await enableAuditDevices(source, devices, { force: choices.force }, journal);
    const written = choices.writeConfig ? writeConfig(config, choices.writeConfig, journal) : undefined;
    if (unit) installUnit({ ...unit, configFile: written ?? unit.configFile }, choices.unitPath, journal);
    return 0;
  } finally {
    for (const vault of [source, ...destinations]) vault.close();
  }
}

export type PolicyFor = "source" | "destination" | "setup";
export const POLICY_KINDS: readonly PolicyFor[] = ["source", "destination", "setup"];

export const POLICY_FLAGS: CommandFlags = {
  for: {
    type: "string",
    description: "Print only one policy: source, destination or setup",
    valueHint: "source|destination|setup",
  },
  force: {
    type: "boolean",
    description: "Include the right to replace the audit device, as setup --force needs",
  },
  "file-audit": {
    type: "string",
    description: "Include the rights for the file device setup --file-audit PATH enables",
    valueHint: "path",
  },
};

export interface PolicyChoices {
  only?: PolicyFor;
  force: boolean;
  fileAudit?: string;
}

/**
 * `courier setup policy`. The KV versions come from the source when there is a token for it;
 * without one, the mounts named in sync.mounts are taken as KV v2 (and the output says so).
 */
export async function printPolicies(
  config: Config,
  choices: PolicyChoices,
  output: SetupOutput = PROCESS_OUTPUT,
): Promise<number> {
  const { mounts, namespaces, note } = await mountsFor(config);
  const scope = rightsScope(config, mounts, namespaces);
  const texts: Record<PolicyFor, string | undefined> = {
    source: renderPolicy("courier-source", "Courier's token on the source Vault", sourceRights(scope)),
    destination: destinationPolicies(config, scope),
    setup: setupPolicy(config, choices),
  };
  const chosen = (choices.only ? [choices.only] : POLICY_KINDS)
    .map((kind) => texts[kind])
    .filter((t) => t !== undefined);
  if (chosen.length === 0)
    output.out(
      "# nothing to enable: vault.audit_address is a file, so courier setup needs no sys/audit rights\n",
    );
  output.out(`${note ? `# ${note}\n\n` : ""}${chosen.join("\n")}`);
  return 0;
}

/**
 * The destination tokens' policies, with the rights where each map puts the keys: one for the
 * destinations sync.map serves, and one for each destination with a map of its own (a
 * vault.destinations list item's map), named courier-destination-1, -2, … in the list's order.
 */
function destinationPolicies(config: Config, scope: RightsScope): string {
  const maps = pathMapsFrom(config);
  const own = Object.entries(maps.byDestination ?? {});
  const shared = config.vault.destinations.list
    .map((destination) => destination.address.replace(/\/+$/, ""))
    .filter((address) => !own.some(([owner]) => owner === address));
  const policies: string[] = [];
  if (own.length === 0 || shared.length > 0) {
    const about = own.length === 0 ? "each destination Vault" : shared.join(", ");
    policies.push(
      renderPolicy(
        "courier-destination",
        `Courier's token on ${about}`,
        destinationRights(destinationScope(scope, maps.all)),
      ),
    );
  }
  own.forEach(([address, map], i) => {
    policies.push(
      renderPolicy(
        `courier-destination-${i + 1}`,
        `Courier's token on ${address}, which has a sync map of its own`,
        destinationRights(destinationScope(scope, map)),
      ),
    );
  });
  return policies.join("\n");
}

/** The devices to enable; none when Courier tails a file. */
function auditDevices(config: Config, choices: SetupChoices, journal: Journal): DeviceSpec[] {
  const wanted = wantedDevices(config, choices.fileAudit);
  if ("tails" in wanted) {
    journal.say(
      `vault.audit_address is file://${wanted.tails}: Courier tails the file Vault's file audit device writes, so no socket device is needed and none is enabled`,
    );
    if (choices.fileAudit) journal.warn("--file-audit is ignored: Courier reads a file device already");
    return [];
  }
  return wanted;
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

/** The token `courier setup` runs with on the source (usually an operator's), for the audit devices. */
function setupPolicy(config: Config, choices: PolicyChoices): string | undefined {
  const wanted = wantedDevices(config, choices.fileAudit);
  if ("tails" in wanted) return undefined;
  const rights = setupRights(
    wanted.map((device) => device.path),
    choices.force,
  );
  return renderPolicy(
    "courier-setup",
    "the token `courier setup` enables the audit device with, on the source Vault",
    rights,
  );
}

/**
 * The KV mounts in scope on the source, and its namespaces below the token's own that are in
 * scope. The namespace lines follow the namespaces the source has, not sync.namespaces alone: a
 * policy must name each namespace (its globs cannot), and a source without namespaces (Vault OSS,
 * or none made yet) keeps the policies exactly as they were.
 */
async function mountsFor(
  config: Config,
): Promise<{ mounts: KvMount[]; namespaces?: NamespaceMounts[]; note?: string }> {
  const source = config.vault.source;
  const canLogIn =
    source.token !== "" || (source.approle.role_id_file !== "" && source.approle.secret_id_file !== "");
  if (!canLogIn) {
    if (config.sync.mounts.length === 0) {
      throw new CourierError(
        "CONFIG_INVALID",
        "sync.mounts is empty (every KV mount of the source): name the mounts with --sync.mounts, or give a source token so they can be read from the source",
      );
    }
    return {
      mounts: config.sync.mounts.map((path) => ({ path, version: 2 })),
      note: "KV versions were not read from the source (no token for it): every mount is taken as KV v2",
    };
  }
  const journal = new Journal(false, { out: () => {}, err: () => {} });
  const vault = new SetupVault("source", vaultSettingsFrom(config).source, source, journal);
  try {
    const found = await kvMountsInScope(vault, config.sync.mounts);
    const problems = [...found.problems];
    if (!found.complete)
      problems.push(`the token cannot read sys/mounts on ${vault.name}: name the mounts with --sync.mounts`);
    if (problems.length > 0) throw new CourierError("SETUP_FAILED", problems.join("\n"));
    return { mounts: found.mounts, namespaces: await sourceNamespaces(vault, config) };
  } catch (error) {
    if (error instanceof VaultCallError) {
      throw new CourierError("SETUP_FAILED", `cannot read the source's KV mounts: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    vault.close();
  }
}
