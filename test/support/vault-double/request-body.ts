// A write's body as Vault reads it: JSON by default (only the first JSON value counts, as Go's
// json.Decoder reads it), or a form when the Content-Type says so and the body does not look
// like JSON.

const decoder = new TextDecoder();

export type BodyResult = { data: Record<string, unknown> | undefined } | { error: string };

export function parseBody(body: Uint8Array, contentType: string | undefined): BodyResult {
  if (body.length === 0) return { data: undefined };
  const text = decoder.decode(body);
  const start = text.search(/[^ \t\r\n]/);
  if (start < 0) return { data: undefined };
  if (isForm(text[start]!, contentType)) return { data: parseForm(text) };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const end = firstValueEnd(text, start);
    if (end === undefined) return { error: "error parsing JSON" };
    try {
      value = JSON.parse(text.slice(start, end));
    } catch {
      return { error: "error parsing JSON" };
    }
  }
  // Go decodes `null` into a nil map (no data); anything but an object cannot fill a map.
  if (value === null) return { data: undefined };
  if (typeof value !== "object" || Array.isArray(value)) return { error: "error parsing JSON" };
  return { data: value as Record<string, unknown> };
}

/** Vault's isForm: the form content type and a first byte that is not `{` or `[`. */
function isForm(first: string, contentType: string | undefined): boolean {
  const type = (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
  return type === "application/x-www-form-urlencoded" && first !== "{" && first !== "[";
}

/** Repeated form keys are joined with commas, as Vault does. "a=1&a=2&b=x" → {a:"1,2", b:"x"} */
function parseForm(text: string): Record<string, unknown> | undefined {
  const params = new URLSearchParams(text.trim());
  const data: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) data[key] = params.getAll(key).join(",");
  return Object.keys(data).length > 0 ? data : undefined;
}

/**
 * Where the first JSON value starting at `start` ends, so trailing bytes can be ignored like Go's
 * decoder ignores them. '{"a":1} junk' → 7; '{"a":' → undefined
 */
export function firstValueEnd(text: string, start: number): number | undefined {
  const first = text[start];
  if (first !== "{" && first !== "[") {
    const match = /^("(?:[^"\\]|\\.)*"|[^\s,\]}]+)/.exec(text.slice(start));
    return match ? start + match[0].length : undefined;
  }
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}
