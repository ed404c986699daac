// The systemd unit Courier runs under: the binary and its config file, restart on failure, and
// the sandbox systemd offers a network daemon that needs no privileges. The same function writes
// scripts/courier.service (for /usr/local/bin/courier and /etc/courier/courier.yaml) and the unit
// `courier setup --systemd` installs, so the shipped file is what setup writes.
import { dirname } from "node:path";

export interface UnitOptions {
  /** Absolute path of the courier binary. */
  binary: string;
  /** Absolute path of the config file. */
  configFile: string;
  /** A unix socket Courier listens on, whose folder must stay writable (unix:///run/courier/audit.sock → /run/courier). */
  unixSocket?: string;
}

/** The unit shipped in scripts/courier.service. */
export const SHIPPED_UNIT: UnitOptions = {
  binary: "/usr/local/bin/courier",
  configFile: "/etc/courier/courier.yaml",
};

export const DEFAULT_UNIT_PATH = "/etc/systemd/system/courier.service";

/** renderUnit(SHIPPED_UNIT) → "[Unit]\nDescription=…\n…ExecStart=/usr/local/bin/courier run --config /etc/courier/courier.yaml\n…" */
export function renderUnit(options: UnitOptions): string {
  // RuntimeDirectory= makes /run/courier writable; a socket anywhere else needs its folder opened.
  const folder = options.unixSocket ? dirname(options.unixSocket) : "/run/courier";
  const inRuntime = folder === "/run/courier" || folder.startsWith("/run/courier/");
  const writable = inRuntime ? [] : [`ReadWritePaths=${escapePath(folder)}`];
  return `${[
    "# Courier: keeps destination Vaults equal to a source Vault by following its audit stream.",
    "# Written by `courier setup --systemd`, which writes it the same way each time.",
    "[Unit]",
    "Description=Courier: replicate Vault KV secrets and ACL policies",
    "Wants=network-online.target",
    "After=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${escapeArgument(options.binary)} run --config ${escapeArgument(options.configFile)}`,
    "Restart=on-failure",
    "RestartSec=5s",
    '# A user of its own: the static user "courier" when it exists (make one so that token files',
    "# can be owned by it: useradd --system courier), else one systemd allocates for each run.",
    "User=courier",
    "Group=courier",
    "DynamicUser=yes",
    "# /var/lib/courier, also handed to Courier as STATE_DIRECTORY (state.dir).",
    "StateDirectory=courier",
    "RuntimeDirectory=courier",
    `ReadOnlyPaths=${escapePath(options.configFile)}`,
    ...writable,
    "UMask=0077",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "ProtectClock=yes",
    "ProtectHostname=yes",
    "ProtectProc=invisible",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
    "RestrictNamespaces=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "LockPersonality=yes",
    "SystemCallArchitectures=native",
    "CapabilityBoundingSet=",
    "AmbientCapabilities=",
    "LimitNOFILE=65536",
    "# No MemoryDenyWriteExecute: Bun's JavaScript engine compiles code as it runs.",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
  ].join("\n")}\n`;
}

/**
 * A path or word as one ExecStart argument: "%" doubled (systemd's specifiers), quoted when it holds blanks.
 * escapeArgument("/opt/my courier/courier") → '"/opt/my courier/courier"'
 */
export function escapeArgument(word: string): string {
  const escaped = word.replaceAll("%", "%%");
  return /[\s"'\\]/.test(escaped) ? `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"` : escaped;
}

/** A path in a *Paths= list, which splits on blanks: quoted when it holds one. */
function escapePath(path: string): string {
  const escaped = path.replaceAll("%", "%%");
  return /\s/.test(escaped) ? `"${escaped}"` : escaped;
}
