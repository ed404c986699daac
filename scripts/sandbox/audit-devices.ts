// The source's two audit devices: a UDP socket device pointing at Courier, and a file device as
// the second device every Vault feeding Courier should keep (a request is refused only when no
// device at all can record it, so the file device keeps the source writable whatever the socket
// does). Vault and the double take them over the API; OpenBao refuses audit devices created over
// the API unless unsafe_allow_api_audit_creation is set, so for bao they go into a config file
// merged over -dev, as declarative `audit "<type>" "<path>" { … }` blocks.
import type { DeviceSpec } from "../../src/setup/audit-device.ts";
import { serverConfigBlock } from "../../src/setup/server-config-block.ts";
import { vaultCall } from "./vault-http.ts";

export function sandboxAuditDevices(auditPort: number, auditLog: string): DeviceSpec[] {
  return [
    {
      path: "file",
      type: "file",
      description: "second device: keeps the source writable whatever the socket does",
      options: { file_path: auditLog },
    },
    {
      path: "courier",
      type: "socket",
      description: "Courier audit device",
      // List responses carry no key Courier needs; eliding them keeps datagrams small.
      options: { address: `127.0.0.1:${auditPort}`, socket_type: "udp", elide_list_responses: "true" },
    },
  ];
}

/** The declarative blocks for OpenBao's config file, one per device, as `courier setup` prints them. */
export function toBaoConfig(devices: readonly DeviceSpec[]): string {
  return devices.map(serverConfigBlock).join("");
}

/**
 * Enables over the API each device the source does not have yet, in order. Courier must already
 * listen: enabling a device sends it a test entry. For OpenBao the config file normally declared
 * them already; an OpenBao from before declarative audit devices ignores that block and still
 * takes them over the API.
 */
export async function ensureAuditDevices(address: string, devices: readonly DeviceSpec[]): Promise<string[]> {
  const { body } = await vaultCall(address, "GET", "sys/audit");
  const table = ((body as { data?: unknown }).data ?? body) as Record<string, unknown>;
  const enabled: string[] = [];
  for (const { path, type, description, options } of devices) {
    if (`${path}/` in table) continue;
    await vaultCall(address, "PUT", `sys/audit/${path}`, { type, description, options });
    enabled.push(path);
  }
  return enabled;
}
