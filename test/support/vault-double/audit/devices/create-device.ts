// Reads a device's options the way Vault's socket and file factories do and opens the device.
import { parseDurationMs } from "../../auth/duration.ts";
import type { AuditFormat } from "../encode.ts";
import type { FormatPolicy } from "../entry.ts";
import type { AuditDevice } from "./device.ts";
import { FileDevice } from "./file-device.ts";
import { StreamDevice } from "./stream-device.ts";
import { UdpDevice } from "./udp-device.ts";

export interface DeviceSetup {
  device: AuditDevice;
  format: AuditFormat;
  prefix: string;
  policy: FormatPolicy;
}

/** Throws Error(message) for options Vault would refuse; the broker turns it into a 400. */
export function createDevice(type: string, options: Record<string, string>): DeviceSetup {
  const common = commonOptions(options);
  if (type === "socket") return { ...common, device: socketDevice(options) };
  if (type === "file") return { ...common, device: fileDevice(options) };
  if (type === "syslog") throw new Error("syslog audit devices are not supported by this server");
  throw new Error(`unknown backend type: "${type}"`);
}

function commonOptions(options: Record<string, string>) {
  const format = options.format ?? "json";
  if (format !== "json" && format !== "jsonx") throw new Error(`unknown format type "${format}"`);
  return {
    format: format as AuditFormat,
    prefix: options.prefix ?? "",
    policy: {
      hmacAccessor: bool(options, "hmac_accessor", true),
      raw: bool(options, "log_raw", false),
      elideListResponses: bool(options, "elide_list_responses", false),
    },
  };
}

function socketDevice(options: Record<string, string>): AuditDevice {
  const address = options.address?.trim() ?? "";
  if (address === "") throw new Error("address is required");
  const timeoutMs = parseDurationMs(options.write_timeout ?? "2s");
  if (timeoutMs === undefined || timeoutMs < 0)
    throw new Error(`invalid write_timeout "${options.write_timeout}"`);
  const socketType = options.socket_type ?? "tcp";
  if (socketType === "unix") return new StreamDevice({ kind: "unix", path: address }, timeoutMs);
  const { hostname, port } = hostPort(address);
  if (socketType.startsWith("udp")) return new UdpDevice(hostname, port);
  if (socketType.startsWith("tcp")) return new StreamDevice({ kind: "tcp", hostname, port }, timeoutMs);
  throw new Error(`dial ${socketType}: unknown network ${socketType}`);
}

function fileDevice(options: Record<string, string>): AuditDevice {
  let path = options.file_path ?? options.path;
  if (path === undefined || path === "") throw new Error("file_path is required");
  if (path.toLowerCase() === "stdout") path = "stdout";
  if (path.toLowerCase() === "discard") path = "discard";
  const mode = options.mode === undefined ? 0o600 : Number.parseInt(options.mode, 8);
  if (Number.isNaN(mode)) throw new Error(`invalid mode "${options.mode}"`);
  try {
    return new FileDevice(path, mode & ~0o111);
  } catch (err) {
    throw new Error(`sanity check failed; unable to open "${path}" for writing: ${(err as Error).message}`);
  }
}

/** `"127.0.0.1:9090"` → {hostname:"127.0.0.1", port:9090}; `"[::1]:9090"` → {hostname:"::1", …}. Loopback only. */
export function hostPort(address: string): { hostname: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address);
  if (!m) throw new Error(`address ${address}: missing port in address`);
  const hostname = (m[1] ?? m[2]) as string;
  if (!isLoopback(hostname)) throw new Error(`address ${address}: this server only dials loopback addresses`);
  return { hostname: hostname === "localhost" ? "127.0.0.1" : hostname, port: Number(m[3]) };
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function bool(options: Record<string, string>, key: string, fallback: boolean): boolean {
  const value = options[key];
  if (value === undefined) return fallback;
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  throw new Error(`strconv.ParseBool: parsing "${value}": invalid syntax`);
}
