// The audit devices `courier setup` enables on the source, worked out from the configuration,
// and how an existing device is compared with them. Vault's socket device dials
// vault.audit_address; Courier listens there. A file:// address means Courier tails a file
// device that Vault already writes: there is no socket device to enable.
import { parseAuditAddress } from "../config/addresses.ts";
import type { Config } from "../config/schema.ts";
import { Invalid } from "../config/values.ts";
import { CourierError } from "../errors.ts";
import { errorsOf, type VaultReply } from "../vault/http.ts";

export interface DeviceSpec {
  /** Without slashes: "courier". */
  path: string;
  type: "socket" | "file";
  description: string;
  options: Record<string, string>;
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

/**
 * Where Vault should dial: a wildcard listening address means "this host".
 * dialAddress("0.0.0.0", 1269) → "127.0.0.1:1269"; dialAddress("::1", 1269) → "[::1]:1269"
 */
export function dialAddress(host: string, port: number): string {
  const dial = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return dial.includes(":") ? `[${dial}]:${port}` : `${dial}:${port}`;
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
