// OpenBao (2.3.2 on) takes audit devices from its server configuration rather than the API: the
// block for one device, as `courier setup` prints it and the sandbox writes it into bao's config.
import type { DeviceSpec } from "./audit-device.ts";

/**
 * The server-configuration block OpenBao takes instead (its audit stanza has two labels: type, then path).
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
