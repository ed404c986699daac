// Vault's `format=jsonx`: the JSON entry re-encoded as IBM JSONx XML by github.com/jefferai/jsonx,
// with no XML header, no root element and no newline, keys sorted, string contents not escaped.
// There is no framing between entries, which is why a line reader cannot consume it.

/** `{"a":1,"b":["x"]}` → `<json:number name="a">1</json:number><json:array name="b"><json:string>x</json:string></json:array>` */
export function jsonx(entry: Record<string, unknown>): string {
  return Object.keys(entry)
    .sort()
    .map((name) => element(entry[name], name))
    .join("");
}

function element(value: unknown, name?: string): string {
  const attr = name === undefined ? "" : ` name="${escapeName(name)}"`;
  if (value === null || value === undefined) return `<json:null${attr} />`;
  if (typeof value === "boolean") return `<json:boolean${attr}>${value}</json:boolean>`;
  if (typeof value === "number") return `<json:number${attr}>${value}</json:number>`;
  if (typeof value === "string") return `<json:string${attr}>${value}</json:string>`;
  if (Array.isArray(value)) return `<json:array${attr}>${value.map((v) => element(v)).join("")}</json:array>`;
  const obj = value as Record<string, unknown>;
  const inner = Object.keys(obj)
    .sort()
    .map((k) => element(obj[k], k))
    .join("");
  return `<json:object${attr}>${inner}</json:object>`;
}

// Go's xml.EscapeText, which the library applies to names only.
function escapeName(name: string): string {
  return name
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&#34;")
    .replaceAll("'", "&#39;")
    .replaceAll("\t", "&#x9;")
    .replaceAll("\n", "&#xA;")
    .replaceAll("\r", "&#xD;");
}
