// Path globs for the sync scope (`--sync.include`, `--sync.exclude`), matched against a key's
// full name "<namespace><mount><path>" ("secret/app/db"; "team-a/secret/app/db" in a namespace),
// the name Courier logs for it:
//   *    any characters within one path segment (never "/")
//   ?    one character within a segment
//   **/  zero or more whole segments ("secret/**/db" matches "secret/db" and "secret/a/b/db")
//   **   anywhere else: any characters, "/" included ("secret/app/**" matches everything under
//        secret/app/, but not a secret named "secret/app" itself)
// Everything else matches itself; a glob must match the whole name.

import { CourierError } from "../errors.ts";

type Token =
  | { kind: "char"; char: string }
  /** ? */
  | { kind: "one" }
  /** * */
  | { kind: "segment" }
  /** ** not followed by / */
  | { kind: "anything" }
  /** ** followed by / */
  | { kind: "folders" };

// globToRegExp("secret/*/db") matches "secret/app/db", not "secret/a/b/db".
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${globSource(glob)}$`);
}

/** One RegExp that matches when any of the globs does; undefined for an empty list. */
export function globsToRegExp(globs: readonly string[]): RegExp | undefined {
  if (globs.length === 0) return undefined;
  return new RegExp(`^(?:${globs.map(globSource).join("|")})$`);
}

/**
 * Whether the glob can match a name that starts with `prefix` and goes on past it: can it match
 * any key in the mount "secret/"? Names never end in "/" (a key, not a folder).
 * globMatchesUnder("secret/app/**", "secret/") → true; globMatchesUnder("app/**", "secret/") → false
 */
export function globMatchesUnder(glob: string, prefix: string): boolean {
  if (glob.endsWith("/")) return false;
  const tokens = tokenize(glob);
  let states = closure(tokens, new Set([0]));
  for (const char of prefix) {
    const next = new Set<number>();
    for (const state of states) for (const to of step(tokens, state, char)) next.add(to);
    if (next.size === 0) return false;
    states = closure(tokens, next);
  }
  // Every glob token can take at least one more character, and whatever follows it can match.
  return [...states].some((state) => position(state) < tokens.length);
}

function globSource(glob: string): string {
  return tokenize(glob).map(tokenSource).join("");
}

function tokenSource(token: Token): string {
  switch (token.kind) {
    case "folders":
      return "(?:.*/)?";
    case "anything":
      return ".*";
    case "segment":
      return "[^/]*";
    case "one":
      return "[^/]";
    default:
      return token.char.replace(/[\\^$.|+()[\]{}/-]/g, "\\$&");
  }
}

function tokenize(glob: string): Token[] {
  if (glob === "") throw new CourierError("CONFIG_INVALID", "a scope glob cannot be empty");
  const tokens: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === "*" && glob[i + 1] === "*") {
      const folders = glob[i + 2] === "/";
      tokens.push({ kind: folders ? "folders" : "anything" });
      i += folders ? 2 : 1;
    } else if (char === "*") tokens.push({ kind: "segment" });
    else if (char === "?") tokens.push({ kind: "one" });
    else tokens.push({ kind: "char", char });
  }
  return tokens;
}

// The matcher below walks the glob as a small automaton, a state per token position. "**/" is
// "(.*/)?": at its start it may be skipped; once it has taken a character it must end on a "/",
// so it has a second state, "inside". A state is position * 2, plus 1 when inside a "**/".

const position = (state: number) => state >> 1;
const inside = (state: number) => (state & 1) === 1;
const at = (index: number, isInside = false) => index * 2 + (isInside ? 1 : 0);

// Adds the states reachable without taking a character: past "*", "**" and an untouched "**/".
function closure(tokens: readonly Token[], states: Set<number>): Set<number> {
  for (const state of states) {
    const token = tokens[position(state)];
    if (token === undefined || inside(state)) continue;
    if (token.kind === "segment" || token.kind === "anything" || token.kind === "folders") {
      states.add(at(position(state) + 1));
    }
  }
  return states;
}

function step(tokens: readonly Token[], state: number, char: string): number[] {
  const index = position(state);
  const token = tokens[index];
  if (token === undefined) return [];
  switch (token.kind) {
    case "char":
      return token.char === char ? [at(index + 1)] : [];
    case "one":
      return char === "/" ? [] : [at(index + 1)];
    case "segment":
      return char === "/" ? [] : [state];
    case "anything":
      return [state];
    case "folders":
      return char === "/" ? [at(index, true), at(index + 1)] : [at(index, true)];
  }
}
