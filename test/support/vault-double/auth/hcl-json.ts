// The JSON form of HCL 1, which Vault accepts for policies too.
import { HclError, type HclItem, type HclValue } from "./hcl.ts";

// HCL 1 reads JSON too, turning nested objects under a key into labelled items:
// {"path":{"a":{"capabilities":["read"]}}} ≡ path "a" { capabilities = ["read"] }
export function fromJson(text: string): HclItem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new HclError(`At 1:1: ${(err as Error).message}`);
  }
  return objectItems(parsed as Record<string, unknown>, []);
}

function objectItems(obj: Record<string, unknown>, prefix: string[]): HclItem[] {
  const out: HclItem[] = [];
  for (const [key, value] of Object.entries(obj)) {
    const keys = [...prefix, key];
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const inner = Object.values(value);
      const nested = inner.length > 0 && inner.every((v) => v && typeof v === "object" && !Array.isArray(v));
      if (nested && prefix.length === 0) out.push(...objectItems(value as Record<string, unknown>, keys));
      else out.push({ keys, value: objectItems(value as Record<string, unknown>, []), line: 1 });
    } else out.push({ keys, value: jsonValue(value), line: 1 });
  }
  return out;
}

function jsonValue(value: unknown): HclValue {
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value && typeof value === "object") return objectItems(value as Record<string, unknown>, []);
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return "";
}
