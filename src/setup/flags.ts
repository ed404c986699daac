// The flags `courier setup` and `courier setup policy` take besides the settings.
import type { CommandFlags } from "../config/sources.ts";
import { DEFAULT_UNIT_PATH } from "./systemd-unit.ts";

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
