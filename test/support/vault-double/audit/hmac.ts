// Vault's audit HMAC: "hmac-sha256:" + hex(HMAC-SHA256(salt, value)). Real Vault keeps one salt per
// audit device; the double keeps one per server so every device writes the same bytes.
import { createHmac } from "node:crypto";
import { goTimeKeys } from "./go-time.ts";

export type Hasher = (value: string) => string;

/** A hasher bound to a key. `hasher(key)("root")` → "hmac-sha256:3f0…" */
export function hasher(key: Uint8Array): Hasher {
  return (value) => `hmac-sha256:${createHmac("sha256", key).update(value).digest("hex")}`;
}

/**
 * Vault's hashstructure walk over `request.data` / `response.data`: every string value is HMAC'd,
 * map keys never are, and keys listed in the mount's audit_non_hmac_*_keys stay plain (the check
 * uses the nearest enclosing map key, so a list under such a key stays plain too).
 * Go time.Time values (keys marked with markGoTimes) are written as text and never hashed.
 * `numbersAreStrings`: Vault decodes request bodies with json.Number, a string type, so numbers
 * a client sent are HMAC'd as their decimal text (a real 1.4 log shows `"num_uses":"hmac-sha256:…"`),
 * while numbers a backend answers with are Go ints and stay plain.
 * `{"a":"x","n":1}` → `{"a":"hmac-sha256:…","n":1}`
 */
export function hashData(
  data: unknown,
  hash: Hasher,
  opts: { numbersAreStrings: boolean; plainKeys?: readonly string[] },
  key = "",
): unknown {
  if (typeof data === "string") return opts.plainKeys?.includes(key) ? data : hash(data);
  if (typeof data === "number" && opts.numbersAreStrings) {
    return opts.plainKeys?.includes(key) ? data : hash(String(data));
  }
  if (Array.isArray(data)) return data.map((item) => hashData(item, hash, opts, key));
  if (data === null || typeof data !== "object") return data;
  const times = goTimeKeys(data);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(data).sort()) {
    const value = (data as Record<string, unknown>)[k];
    out[k] = times?.has(k) ? value : hashData(value, hash, opts, k);
  }
  return out;
}
