// A reader for the HCL 1 that Vault policies are written in (and its JSON form, which HCL 1 also
// accepts): `key "label" { … }` blocks, `key = value`, strings, heredocs, numbers, bools, lists,
// objects, and `#`, `//`, `/* */` comments. Errors read like HCL's own: "At 3:5: …".
import { fromJson } from "./hcl-json.ts";

export type HclValue = string | number | boolean | HclValue[] | HclItem[];

/** One `keys… = value` or `keys… { … }` item; objects are lists of items, as in HCL's AST. */
export interface HclItem {
  keys: string[];
  value: HclValue;
  line: number;
}

export class HclError extends Error {}

type Tok = {
  kind: "str" | "num" | "ident" | "punct" | "eof";
  text: string;
  value?: string;
  line: number;
  col: number;
};

/** `path "a/*" { capabilities = ["read"] }` → [{keys:["path","a/*"], value:[{keys:["capabilities"], value:["read"]}]}] */
export function parseHcl(text: string): HclItem[] {
  if (text.trimStart().startsWith("{")) return fromJson(text);
  return new Parser(tokenize(text)).items("eof");
}

export function isObject(value: HclValue): value is HclItem[] {
  return Array.isArray(value) && value.every((v) => typeof v === "object" && v !== null && "keys" in v);
}

class Parser {
  #i = 0;
  constructor(readonly toks: Tok[]) {}

  items(end: "eof" | "}"): HclItem[] {
    const out: HclItem[] = [];
    for (;;) {
      const t = this.#peek();
      if (t.kind === "eof") {
        if (end === "eof") return out;
        throw this.#error(t, "object expected closing RBRACE got: EOF");
      }
      if (end === "}" && isPunct(t, "}")) {
        this.#next();
        return out;
      }
      out.push(this.#item());
      if (isPunct(this.#peek(), ",")) this.#next();
    }
  }

  #item(): HclItem {
    const first = this.#peek();
    const keys: string[] = [];
    while (this.#peek().kind === "ident" || this.#peek().kind === "str")
      keys.push(this.#keyText(this.#next()));
    if (keys.length === 0) throw this.#error(first, `expected start of object ('{') or assignment ('=')`);
    const t = this.#next();
    if (isPunct(t, "=") || isPunct(t, ":")) return { keys, value: this.#value(), line: first.line };
    if (isPunct(t, "{")) return { keys, value: this.items("}"), line: first.line };
    throw this.#error(t, `key '${keys.join(" ")}' expected start of object ('{') or assignment ('=')`);
  }

  #value(): HclValue {
    const t = this.#next();
    if (t.kind === "str") return t.value ?? "";
    if (t.kind === "num") return Number(t.text);
    if (t.kind === "ident" && (t.text === "true" || t.text === "false")) return t.text === "true";
    if (isPunct(t, "{")) return this.items("}");
    if (isPunct(t, "[")) return this.#list();
    throw this.#error(t, `Unknown token: ${t.line}:${t.col} ${t.kind.toUpperCase()} ${t.text}`);
  }

  #list(): HclValue[] {
    const out: HclValue[] = [];
    while (!isPunct(this.#peek(), "]")) {
      out.push(this.#value());
      const sep = this.#peek();
      if (isPunct(sep, ",")) this.#next();
      else if (!isPunct(sep, "]"))
        throw this.#error(sep, `list expected comma or RBRACK got: ${sep.text || "EOF"}`);
    }
    this.#next();
    return out;
  }

  #keyText(t: Tok): string {
    return t.kind === "str" ? (t.value ?? "") : t.text;
  }
  #peek(): Tok {
    return this.toks[this.#i] as Tok;
  }
  #next(): Tok {
    const t = this.toks[this.#i] as Tok;
    if (t.kind !== "eof") this.#i++;
    return t;
  }
  #error(t: Tok, message: string): HclError {
    return new HclError(`At ${t.line}:${t.col}: ${message}`);
  }
}

function isPunct(t: Tok, text: string): boolean {
  return t.kind === "punct" && t.text === text;
}

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  // Moves past text[i..stop), counting the newlines it crosses.
  const skipTo = (stop: number) => {
    for (; i < stop; i++) {
      if (text[i] === "\n") {
        line++;
        lineStart = i + 1;
      }
    }
  };
  const fail = (message: string): never => {
    throw new HclError(`At ${line}:${i - lineStart + 1}: ${message}`);
  };
  while (i < text.length) {
    const c = text[i] as string;
    const col = i - lineStart + 1;
    if (c === "\n") {
      line++;
      i++;
      lineStart = i;
    } else if (/\s/.test(c)) i++;
    else if (c === "#" || text.startsWith("//", i)) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) fail("comment not terminated");
      skipTo(end + 2);
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\n") fail("literal not terminated");
        j += text[j] === "\\" ? 2 : 1;
      }
      if (j >= text.length) fail("literal not terminated");
      const raw = text.slice(i, j + 1);
      let value: string;
      try {
        value = JSON.parse(raw.replace(/\t/g, "\\t"));
      } catch {
        value = raw.slice(1, -1);
      }
      toks.push({ kind: "str", text: raw, value, line, col });
      i = j + 1;
    } else if (text.startsWith("<<", i)) {
      const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)\r?\n/.exec(text.slice(i));
      if (!m) fail("heredoc expected marker");
      const marker = (m as RegExpExecArray)[2] as string;
      const bodyStart = i + (m as RegExpExecArray)[0].length;
      const endRe = new RegExp(`(^|\\n)[ \\t]*${marker}[ \\t]*(\\r?\\n|$)`, "g");
      endRe.lastIndex = bodyStart - 1;
      const end = endRe.exec(text);
      if (!end) fail("heredoc not terminated");
      const e = end as RegExpExecArray;
      const value = text.slice(bodyStart, e.index + (e[1] === "\n" ? 1 : 0));
      toks.push({ kind: "str", text: "<<heredoc", value, line, col });
      skipTo(e.index + e[0].length);
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i));
      if (!m) fail(`illegal char ${JSON.stringify(c)}`);
      toks.push({ kind: "num", text: (m as RegExpExecArray)[0], line, col });
      i += (m as RegExpExecArray)[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_\-.]*/.exec(text.slice(i)) as RegExpExecArray;
      toks.push({ kind: "ident", text: m[0], line, col });
      i += m[0].length;
    } else if ("{}[]=,:".includes(c)) {
      toks.push({ kind: "punct", text: c, line, col });
      i++;
    } else fail(`illegal char ${JSON.stringify(c)}`);
  }
  toks.push({ kind: "eof", text: "", line, col: i - lineStart + 1 });
  return toks;
}
