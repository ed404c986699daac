// Fault rules: what a test asks the double to do wrong, and which requests each rule hits.

export type FaultRule =
  | { kind: "latency"; ms: number; path?: string; method?: string; times?: number }
  | {
      kind: "status";
      status: number;
      share?: number;
      path?: string;
      method?: string;
      errors?: string[];
      times?: number;
    }
  | { kind: "refuse"; ms?: number };

/** Reads a rule list from a control request body; throws Error(message) on a bad one. */
export function parseRules(input: unknown): FaultRule[] {
  if (!Array.isArray(input)) throw new Error("expected a JSON list of fault rules");
  return input.map((raw, i) => {
    if (!raw || typeof raw !== "object") throw new Error(`rule ${i}: expected an object`);
    const r = raw as Record<string, unknown>;
    const path = optString(r.path, i, "path");
    const method = optString(r.method, i, "method")?.toUpperCase();
    const times = optNumber(r.times, i, "times");
    if (r.kind === "latency") {
      return { kind: "latency", ms: needNumber(r.ms, i, "ms"), path, method, times };
    }
    if (r.kind === "status") {
      const status = needNumber(r.status, i, "status");
      if (!Number.isInteger(status) || status < 100 || status > 599) throw new Error(`rule ${i}: bad status`);
      const share = optNumber(r.share, i, "share");
      if (share !== undefined && (share < 0 || share > 1))
        throw new Error(`rule ${i}: share must be within 0..1`);
      const errors = r.errors === undefined ? undefined : (r.errors as unknown[]).map(String);
      return { kind: "status", status, share, path, method, errors, times };
    }
    if (r.kind === "refuse") return { kind: "refuse", ms: optNumber(r.ms, i, "ms") };
    throw new Error(`rule ${i}: kind must be latency, status or refuse`);
  });
}

/**
 * Whether a rule's path pattern and method cover a request. Patterns are paths under /v1/ where
 * `*` matches anything (also across "/") and `+` one segment.
 * `("secret/*", "secret/data/a")` → true; `("sys/+/x", "sys/a/b/x")` → false
 */
export function covers(rule: { path?: string; method?: string }, path: string, method: string): boolean {
  if (rule.method !== undefined && rule.method !== method) return false;
  if (rule.path === undefined) return true;
  return globToRegExp(rule.path).test(path);
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "+" ? "[^/]+" : c.replace(/[.?^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`);
}

/** mulberry32: a small seeded generator, so "fail 30% of requests" repeats run for run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function optString(v: unknown, i: number, key: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new Error(`rule ${i}: ${key} must be a string`);
  return v;
}

function optNumber(v: unknown, i: number, key: string): number | undefined {
  return v === undefined ? undefined : needNumber(v, i, key);
}

function needNumber(v: unknown, i: number, key: string): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
    throw new Error(`rule ${i}: ${key} must be a number ≥ 0`);
  return v;
}
