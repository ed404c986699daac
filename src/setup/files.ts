// The files `courier setup` writes: the effective configuration (--write-config) with its token
// files, and the systemd unit (--systemd). Each is noted in the journal first, so a dry run lists
// it and writes nothing; the mode is set even on a file that already existed. Enabling and
// starting the unit is left to the operator, with the command printed: setup changes files, not
// running services.
//
// The same renderUnit writes scripts/courier.service (regenerate: bun src/setup/files.ts), so the
// shipped unit is what setup installs; a test fails when the two disagree.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { redactConfig, renderConfigYaml } from "../config/output.ts";
import type { Config, VaultTarget } from "../config/schema.ts";
import { CourierError } from "../errors.ts";
import type { Journal } from "./journal.ts";

/**
 * Writes the config as a commented YAML file (and any token files it needs); returns the config's
 * absolute path. A token is never written into it: a token given inline (flag, environment) goes
 * to a file of its own beside the config, mode 0600, and the config names that file.
 */
export function writeConfig(config: Config, file: string, journal: Journal): string {
  const path = resolve(file);
  const written = structuredClone(config);
  const stem = basename(path, extname(path));
  const targets: [string, VaultTarget][] = [
    ["source", written.vault.source],
    ...written.vault.destinations.list.map((target, i): [string, VaultTarget] => [
      `destination-${i + 1}`,
      target,
    ]),
  ];
  for (const [label, target] of targets) {
    if (target.token === "" || target.token_file !== "") continue;
    const tokenFile = join(dirname(path), `${stem}-${label}.token`);
    writeReported(journal, tokenFile, `${target.token}\n`, 0o600);
    target.token_file = tokenFile;
    target.token = "";
  }
  writeReported(journal, path, renderConfigYaml(redactConfig(written), CONFIG_HEADER), 0o644);
  return path;
}

const CONFIG_HEADER = [
  "Courier configuration, written by `courier setup --write-config`.",
  "Tokens live in the files token_file names (mode 0600), never in this file.",
].join("\n");

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

export const SHIPPED_UNIT_FILE = join(import.meta.dir, "..", "..", "scripts", "courier.service");

export const DEFAULT_UNIT_PATH = "/etc/systemd/system/courier.service";

/** `--systemd`: the unit for this very binary, written where systemd looks for it. */
export function installUnit(options: UnitOptions, unitPath: string, journal: Journal): void {
  writeReported(journal, unitPath, renderUnit(options), 0o644);
  const name = unitPath.split("/").at(-1) ?? "courier.service";
  const unit = name.replace(/\.service$/, "");
  const where = dirname(unitPath);
  const standard = where === "/etc/systemd/system" || where === "/run/systemd/system";
  journal.say(
    standard
      ? `next: systemctl daemon-reload && systemctl enable --now ${unit}`
      : `next: link it into systemd (systemctl link ${unitPath}), then systemctl daemon-reload && systemctl enable --now ${unit}`,
  );
}

/**
 * The path of the running courier binary. From source (`bun src/main.ts`) there is none to point
 * a unit at: process.execPath is Bun itself.
 */
export function compiledBinary(main = Bun.main, execPath = process.execPath): string {
  if (main.startsWith("/$bunfs/") || main.startsWith("B:/~BUN/")) return execPath;
  throw new CourierError(
    "SETUP_FAILED",
    `--systemd needs the compiled courier binary, and this courier runs from source (${main}): build it with \`bun run build\` and run dist/courier setup --systemd`,
  );
}

/**
 * The unit Courier runs under: the binary and its config file, restart on failure, and the
 * sandbox systemd offers a network daemon that needs no privileges.
 * renderUnit(SHIPPED_UNIT) → "[Unit]\nDescription=…\n…ExecStart=/usr/local/bin/courier run --config /etc/courier/courier.yaml\n…"
 */
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

/** Writes one file and says so; in a dry run the journal has listed it instead. */
function writeReported(journal: Journal, path: string, text: string, mode: number): void {
  const outcome = writeSetupFile(journal, path, text, mode);
  if (outcome === "wrote") journal.say(`wrote ${path}`);
  if (outcome === "unchanged") journal.say(`${path} is up to date`);
}

/** Writes `text` to `path` with `mode`; returns "wrote", "unchanged", or "planned" in a dry run. */
function writeSetupFile(
  journal: Journal,
  path: string,
  text: string,
  mode: number,
): "wrote" | "unchanged" | "planned" {
  if (!journal.file(path, mode)) return "planned";
  try {
    if (existsSync(path) && readFileSync(path, "utf8") === text) {
      chmodSync(path, mode);
      return "unchanged";
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text, { mode });
    chmodSync(path, mode);
    return "wrote";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CourierError("SETUP_FAILED", `cannot write ${path}: ${code}`, { cause: error });
  }
}

if (import.meta.main) {
  await Bun.write(SHIPPED_UNIT_FILE, renderUnit(SHIPPED_UNIT));
  process.stdout.write(`wrote ${SHIPPED_UNIT_FILE}\n`);
}
