// `courier setup policy`: the rights table as HCL, one policy per token. The KV versions come
// from the source when there is a token for it; without one, the mounts named in sync.mounts are
// taken as KV v2 (and the output says so).
import { vaultSettingsFrom } from "../agent/vault-settings.ts";
import type { Config } from "../config/schema.ts";
import { CourierError } from "../errors.ts";
import { VaultCallError } from "../vault/errors.ts";
import { type DeviceSpec, fileDevice, socketDevice } from "./audit-device.ts";
import { Journal, PROCESS_OUTPUT, type SetupOutput } from "./journal.ts";
import { kvMountsInScope } from "./kv-mounts.ts";
import { renderPolicy } from "./policy-hcl.ts";
import { destinationRights, type KvMount, setupRights, sourceRights } from "./rights.ts";
import { SetupVault } from "./setup-vault.ts";

export type PolicyFor = "source" | "destination" | "setup";
export const POLICY_KINDS: readonly PolicyFor[] = ["source", "destination", "setup"];

export interface PolicyChoices {
  only?: PolicyFor;
  force: boolean;
  fileAudit?: string;
}

export async function printPolicies(
  config: Config,
  choices: PolicyChoices,
  output: SetupOutput = PROCESS_OUTPUT,
): Promise<number> {
  const { mounts, note } = await mountsFor(config);
  const scope = { mounts, policies: config.sync.policies, createMounts: config.sync.create_mounts };
  const texts: Record<PolicyFor, string | undefined> = {
    source: renderPolicy("courier-source", "Courier's token on the source Vault", sourceRights(scope)),
    destination: renderPolicy(
      "courier-destination",
      "Courier's token on each destination Vault",
      destinationRights(scope),
    ),
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

/** The token `courier setup` runs with on the source (usually an operator's), for the audit devices. */
function setupPolicy(config: Config, choices: PolicyChoices): string | undefined {
  const socket = socketDevice(config);
  if ("tails" in socket) return undefined;
  const devices: DeviceSpec[] = choices.fileAudit
    ? [fileDevice(config, choices.fileAudit), socket]
    : [socket];
  const rights = setupRights(
    devices.map((device) => device.path),
    choices.force,
  );
  return renderPolicy(
    "courier-setup",
    "the token `courier setup` enables the audit device with, on the source Vault",
    rights,
  );
}

async function mountsFor(config: Config): Promise<{ mounts: KvMount[]; note?: string }> {
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
    return { mounts: found.mounts };
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
