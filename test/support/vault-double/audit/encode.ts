// Turns an entry into the bytes a device writes: optional prefix, then the entry in the device's
// format. JSON ends with "\n" (Go's json.Encoder adds it); JSONx has no terminator at all.
import { goJson } from "./go-json.ts";
import { jsonx } from "./jsonx.ts";

export type AuditFormat = "json" | "jsonx";

const encoder = new TextEncoder();

/** `({type:"request"}, "json", "vault:")` → bytes of `vault:{"type":"request"}\n` */
export function encodeEntry(entry: Record<string, unknown>, format: AuditFormat, prefix: string): Uint8Array {
  const body = format === "jsonx" ? jsonx(entry) : `${goJson(entry)}\n`;
  return encoder.encode(prefix + body);
}
