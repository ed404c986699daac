// The audit devices `courier setup` enables on the source: which ones, worked out from the
// configuration; how an enabled device is compared with them; and enabling them, idempotently.
// Vault's socket device dials vault.audit_address, where Courier listens. A file:// address means
// Courier tails a file device Vault already writes: there is no socket device to enable.
//
// A device already there with the same options is left alone; one with other options is an
// error unless --force replaces it. Nothing is changed until every device has been compared.
// Audit devices belong to the root namespace whatever namespace Courier works in, so these calls
// go there. OpenBao (2.3.2 on) refuses to create devices through the API: setup then prints the
// server-configuration block for each instead.
import { parseAuditAddress } from "../config/addresses.ts";
import type { Config } from "../config/schema.ts";
import { Invalid } from "../config/values.ts";
import { CourierError } from "../errors.ts";
import { errorsOf, type VaultReply, type VaultRequest } from "../vault/http.ts";
import type { Journal, SetupVault } from "./journal.ts";
import { type StandIn, standInFor } from "./stand-in.ts";

export interface DeviceSpec {
  /** Without slashes: "courier". */
  path: string;
  type: "socket" | "file";
  description: string;
  options: Record<string, string>;
}

/** The devices to enable, file device first (so Vault keeps answering without Courier); `tails` when Courier tails a file. */
export function wantedDevices(config: Config, fileAudit?: string): DeviceSpec[] | { tails: string } {
  const socket = socketDevice(config);
  if ("tails" in socket) return socket;
  return fileAudit ? [fileDevice(config, fileAudit), socket] : [socket];
}

/** The socket device for vault.audit_address, or the file Courier tails when it is file://. */
export function socketDevice(config: Config): DeviceSpec | { tails: string } {
  const address = parseAuditAddress(config.vault.audit_address);
  if (address instanceof Invalid)
    throw new CourierError("CONFIG_INVALID", `vault.audit_address: ${address.problem}`);
  if (!("port" in address)) {
    if (address.transport === "file") return { tails: address.path };
    return device(config, { address: address.path, socket_type: "unix" });
  }
  if (address.port === 0) {
    throw new CourierError(
      "CONFIG_INVALID",
      "vault.audit_address: port 0 lets the system pick a port each start; Vault's device needs a fixed one",
    );
  }
  return device(config, { address: dialAddress(address.host, address.port), socket_type: address.transport });
}

function device(config: Config, transport: Record<string, string>): DeviceSpec {
  const options = { ...transport, ...SOCKET_DEVICE_OPTIONS };
  if (config.audit.prefix !== "") options.prefix = config.audit.prefix;
  return {
    path: config.vault.audit_path,
    type: "socket",
    description: config.vault.audit_description,
    options,
  };
}

/**
 * Options every socket device of Courier's carries. A LIST's response entry holds every key it
 * returns, each HMAC'd (about 80 bytes a key): past roughly 800 keys it no longer fits one UDP
 * datagram, the device fails it, and a source with no other device answers that LIST 500 —
 * Courier's own full passes list folders too. A LIST changes nothing, so Courier needs nothing
 * from its entry: with elide_list_responses Vault writes the count of keys instead.
 */
export const SOCKET_DEVICE_OPTIONS: Readonly<Record<string, string>> = { elide_list_responses: "true" };

/** The file device that `--file-audit PATH` adds beside it, at "<audit_path>-file". */
export function fileDevice(config: Config, filePath: string): DeviceSpec {
  return {
    path: `${config.vault.audit_path}-file`,
    type: "file",
    description: "Keeps Vault answering when Courier is not listening",
    options: { file_path: filePath },
  };
}

const ROOT = "";

export interface AuditChoices {
  /** Replace a device at one of the paths that has other options. */
  force: boolean;
}

/** Enables `devices` in order (a file device first, so Vault keeps answering without Courier). */
export async function enableAuditDevices(
  source: SetupVault,
  devices: readonly DeviceSpec[],
  choices: AuditChoices,
  journal: Journal,
): Promise<void> {
  const existing = await listDevices(source);
  const plan = planDevices(source, existing, devices, choices);
  warnIfOnlyDevice(existing, devices, journal);
  const standIns: StandIn[] = [];
  try {
    for (const [index, step] of plan.entries()) {
      if (step.action === "keep") {
        journal.say(`audit device ${step.device.path}/ is already enabled with these options: nothing to do`);
        continue;
      }
      if (step.action === "replace") {
        await expectDone(source, step.device, {
          method: "DELETE",
          path: devicePath(step.device),
          namespace: ROOT,
        });
      }
      const standIn = journal.dryRun ? undefined : await listenIfNeeded(step.device, journal);
      if (standIn) standIns.push(standIn);
      const put = {
        method: "PUT",
        path: devicePath(step.device),
        namespace: ROOT,
        body: bodyOf(step.device),
      } as const;
      const reply = await source.change(put, true);
      if (reply === null) continue;
      if (isApiAuditRefusal(reply)) {
        throw refused(
          journal,
          plan
            .slice(index)
            .filter((s) => s.action !== "keep")
            .map((s) => s.device),
        );
      }
      if (reply.status !== 204 && reply.status !== 200)
        throw failed(source, step.device, source.client.http.failure(put, reply).message);
      const done = step.action === "replace" ? "replaced" : "enabled";
      journal.say(`${done} audit device ${step.device.path}/ (${describe(step.device)})`);
      if (standIn) await reportTestEntry(standIn, journal);
    }
  } finally {
    for (const standIn of standIns) standIn.close();
  }
}

// Vault's defaults, so that a device listed without an option equals one that spells it out.
const DEFAULTS: Record<DeviceSpec["type"], Record<string, string>> = {
  socket: { socket_type: "tcp", write_timeout: "2s" },
  file: { mode: "0600" },
};
const COMMON_DEFAULTS = {
  format: "json",
  prefix: "",
  hmac_accessor: "true",
  log_raw: "false",
  elide_list_responses: "false",
};

/**
 * How an enabled device (an entry of GET sys/audit) differs from the wanted one; [] = the same.
 * The description is not compared: it changes nothing Vault sends.
 * deviceDifferences({type:"socket",options:{address:"127.0.0.1:9"}}, spec) → ['address is "127.0.0.1:9", not "127.0.0.1:1269"', …]
 */
export function deviceDifferences(existing: unknown, wanted: DeviceSpec): string[] {
  const entry = (existing ?? {}) as { type?: unknown; options?: unknown };
  const type = String(entry.type ?? "");
  if (type !== wanted.type) return [`it is a ${type || "?"} device, not ${wanted.type}`];
  const have = normalise(wanted.type, stringMap(entry.options));
  const want = normalise(wanted.type, wanted.options);
  const differences: string[] = [];
  for (const key of [...new Set([...Object.keys(want), ...Object.keys(have)])].sort()) {
    if (have[key] !== want[key]) {
      differences.push(
        `${key} is ${JSON.stringify(have[key] ?? "")}, not ${JSON.stringify(want[key] ?? "")}`,
      );
    }
  }
  return differences;
}

function normalise(type: DeviceSpec["type"], options: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...COMMON_DEFAULTS, ...DEFAULTS[type], ...options };
  // The file device takes file_path, or path as older Vault named it.
  if (type === "file" && options.file_path === undefined && options.path !== undefined)
    out.file_path = options.path;
  delete out.path;
  return out;
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value))
      if (item !== null && item !== undefined) out[key] = String(item);
  }
  return out;
}

/**
 * OpenBao (2.3.2 on, after CVE-2025-54997) refuses to create audit devices through the API unless
 * the server sets unsafe_allow_api_audit_creation; it answers 400 with "cannot enable audit
 * device via API; use declarative, config-based audit device management instead".
 */
export function isApiAuditRefusal(reply: VaultReply): boolean {
  if (reply.status !== 400) return false;
  return (errorsOf(reply.body) ?? []).some((text) => text.includes("cannot enable audit device via API"));
}

/**
 * The server-configuration block OpenBao takes instead (its audit stanza has two labels: type, then path),
 * as `courier setup` prints it and the sandbox writes it into bao's config.
 * serverConfigBlock({path:"courier",type:"socket",description:"d",options:{address:"127.0.0.1:1269",socket_type:"udp"}})
 *   → 'audit "socket" "courier" {\n  description = "d"\n  options {\n    address     = "127.0.0.1:1269"\n    socket_type = "udp"\n  }\n}\n'
 */
export function serverConfigBlock(device: DeviceSpec): string {
  const keys = Object.keys(device.options).sort();
  const width = Math.max(...keys.map((key) => key.length));
  const options = keys.map((key) => `    ${key.padEnd(width)} = ${JSON.stringify(device.options[key])}`);
  return [
    `audit ${JSON.stringify(device.type)} ${JSON.stringify(device.path)} {`,
    `  description = ${JSON.stringify(device.description)}`,
    "  options {",
    ...options,
    "  }",
    "}",
    "",
  ].join("\n");
}

/**
 * Where Vault should dial: a wildcard listening address means "this host".
 * dialAddress("0.0.0.0", 1269) → "127.0.0.1:1269"; dialAddress("::1", 1269) → "[::1]:1269"
 */
export function dialAddress(host: string, port: number): string {
  const dial = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return dial.includes(":") ? `[${dial}]:${port}` : `${dial}:${port}`;
}

type Step = { device: DeviceSpec; action: "enable" | "keep" | "replace" };

/** What to do with each device; every conflict is reported together, before anything changes. */
function planDevices(
  source: SetupVault,
  existing: Record<string, unknown>,
  devices: readonly DeviceSpec[],
  choices: AuditChoices,
): Step[] {
  const conflicts: string[] = [];
  const steps = devices.map((device): Step => {
    const held = existing[`${device.path}/`];
    if (held === undefined) return { device, action: "enable" };
    const differences = deviceDifferences(held, device);
    if (differences.length === 0) return { device, action: "keep" };
    if (!choices.force) {
      conflicts.push(
        `${source.name} already has an audit device at ${device.path}/ with other options: ${differences.join("; ")}`,
      );
    }
    return { device, action: "replace" };
  });
  if (conflicts.length > 0) {
    conflicts.push(
      "rerun with --force to replace it, or set --vault.audit_path to enable Courier's device elsewhere",
    );
    throw new CourierError("SETUP_FAILED", conflicts.join("\n"));
  }
  return steps;
}

async function listDevices(source: SetupVault): Promise<Record<string, unknown>> {
  const request: VaultRequest = { method: "GET", path: "sys/audit", namespace: ROOT };
  const reply = await source.read(request);
  if (reply.status !== 200) throw source.client.http.failure(request, reply);
  const body = (reply.body ?? {}) as { data?: Record<string, unknown> } & Record<string, unknown>;
  return body.data ?? body;
}

/**
 * Vault stops answering when no device can record a request: one socket device alone is fragile.
 * Over UDP an entry larger than one datagram cannot be sent at all, so it is said either way.
 */
function warnIfOnlyDevice(
  existing: Record<string, unknown>,
  devices: readonly DeviceSpec[],
  journal: Journal,
): void {
  const socket = devices.find((device) => device.type === "socket");
  if (!socket) return;
  const udp = socket.options.socket_type === "udp";
  const ours = new Set(devices.map((device) => `${device.path}/`));
  const alone =
    !Object.keys(existing).some((path) => !ours.has(path)) && !devices.some((d) => d.type === "file");
  if (!alone) {
    if (udp) journal.say(`${UDP_TOO_LARGE} the full passes repair what it missed. ${LARGE_SECRETS}`);
    return;
  }
  journal.warn(
    `${socket.path}/ will be the source's only audit device. ${
      udp
        ? `Over UDP Vault keeps answering while Courier is down, but what it sends then is lost until the next full pass. ${UDP_TOO_LARGE} with no other device Vault refuses that request (500). ${LARGE_SECRETS}`
        : "Vault refuses every request that no audit device can record, so the source stops answering whenever Courier is not listening."
    } Add a second device: rerun with --file-audit /var/log/vault/audit.log`,
  );
}

const UDP_TOO_LARGE =
  "An audit entry too large for one UDP datagram (about 64 KB: a secret with many or long fields) is lost whatever Courier does;";
const LARGE_SECRETS = "For large secrets use a tcp:// address or a file device (file://) instead of UDP.";

function devicePath(device: DeviceSpec): string {
  return `sys/audit/${device.path}`;
}

/** A call that must answer 200 or 204 (in a dry run it is only printed). */
async function expectDone(source: SetupVault, device: DeviceSpec, request: VaultRequest): Promise<void> {
  const reply = await source.change(request);
  if (reply && reply.status !== 204 && reply.status !== 200)
    throw failed(source, device, source.client.http.failure(request, reply).message);
}

async function reportTestEntry(standIn: StandIn, journal: Journal): Promise<void> {
  journal.say(
    (await standIn.sawTestEntry())
      ? `Vault's test entry reached ${standIn.address}, where setup listened in Courier's place`
      : `setup listened on ${standIn.address} in Courier's place, but Vault's test entry did not arrive there`,
  );
}

async function listenIfNeeded(device: DeviceSpec, journal: Journal): Promise<StandIn | undefined> {
  const type = device.options.socket_type;
  if (device.type !== "socket" || (type !== "tcp" && type !== "unix")) return undefined;
  const result = await standInFor(device);
  if (result.kind === "listening") return result.standIn;
  if (result.kind === "failed") {
    journal.warn(
      `could not listen on ${device.options.address} in Courier's place (${result.reason}); Vault's test entry needs a listener there`,
    );
  }
  return undefined;
}

function bodyOf(device: DeviceSpec) {
  return { type: device.type, description: device.description, options: device.options };
}

/** describe(socket udp device) → "socket, udp to 127.0.0.1:1269"; a file device → "file /var/log/…" */
function describe(device: DeviceSpec): string {
  if (device.type === "file") return `file ${device.options.file_path}`;
  return `socket, ${device.options.socket_type} to ${device.options.address}`;
}

function failed(source: SetupVault, device: DeviceSpec, why: string): CourierError {
  return new CourierError(
    "SETUP_FAILED",
    `${source.name} did not enable audit device ${device.path}/: ${why}`,
  );
}

/** OpenBao's refusal: print the server-config blocks instead, and fail so the operator acts. */
function refused(journal: Journal, devices: readonly DeviceSpec[]): CourierError {
  journal.say(
    "The source refuses to create audit devices through its API (OpenBao does unless its server configuration sets unsafe_allow_api_audit_creation).",
  );
  journal.say("Add this to the server's configuration file, then reload it (SIGHUP) or restart the server:");
  journal.say("");
  for (const device of devices) journal.say(serverConfigBlock(device));
  return new CourierError(
    "SETUP_FAILED",
    "the source does not create audit devices through its API: add the audit block printed above to its server configuration",
  );
}
