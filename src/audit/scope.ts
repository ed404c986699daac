// What the operator asked Courier to replicate, and the globs that say it. KV keys must sit in a
// mount in scope and pass the include/exclude globs; ACL policies are governed by `policies` and
// by `exclude` alone, so that an include list written for secrets does not silently turn policies
// off. Exclude always wins over include. A glob is matched against the key's full name
// "<namespace><mount><path>" ("secret/app/db"; "team-a/secret/app/db" in a namespace), the name
// Courier logs for it, so one list can speak of several mounts unambiguously:
//   *    any characters within one path segment (never "/")
//   ?    one character within a segment
//   **/  zero or more whole segments ("secret/**/db" matches "secret/db" and "secret/a/b/db")
//   **   anywhere else: any characters, "/" included ("secret/app/**" matches everything under
//        secret/app/, but not a secret named "secret/app" itself)
// Everything else matches itself; a glob must match the whole name.

import { CourierError } from "../errors.ts";
import { POLICY_MOUNT } from "../sync-key.ts";

export interface Scope {
  /** KV mounts to replicate ("secret/", or "team-a/secret/" in a namespace); undefined = every KV mount. */
  mounts?: readonly string[];
  /** Globs over "<namespace><mount><path>" ("secret/app/**"); undefined or empty = everything. */
  include?: readonly string[];
  /** Globs over the same names, and over "<namespace>sys/policies/acl/<name>" for policies. */
  exclude?: readonly string[];
  /** Replicate ACL policies (default true). */
  policies?: boolean;
  /**
   * Globs over namespace paths ("team1/**": team1/ and every namespace below it; "" is the root);
   * undefined or empty = every namespace.
   */
  namespaces?: readonly string[];
}

export interface CompiledScope {
  readonly policies: boolean;
  /** Are this namespace's mounts and policies replicated at all? */
  namespaceInScope(namespace: string): boolean;
  /** Is this KV mount replicated at all? */
  mountInScope(namespace: string, mount: string): boolean;
  /** Do the globs let this KV key through? */
  kvPathInScope(namespace: string, mount: string, path: string): boolean;
  /** Do the exclude globs let this policy through? */
  policyInScope(namespace: string, name: string): boolean;
}

/** Compiles the scope once; classification then costs a Set lookup and at most two RegExp tests. */
export function compileScope(scope: Scope = {}): CompiledScope {
  const mounts = scope.mounts === undefined ? undefined : new Set(scope.mounts.map(normaliseMount));
  const include = globsToRegExp(scope.include ?? []);
  const exclude = globsToRegExp(scope.exclude ?? []);
  const namespaceInScope = namespaceMatcher(scope.namespaces ?? []);
  return {
    policies: scope.policies ?? true,
    namespaceInScope,
    mountInScope: (namespace, mount) =>
      namespaceInScope(namespace) && (mounts === undefined || mounts.has(namespace + mount)),
    kvPathInScope(namespace, mount, path) {
      const name = namespace + mount + path;
      if (exclude?.test(name)) return false;
      return include === undefined || include.test(name);
    },
    policyInScope: (namespace, name) =>
      namespaceInScope(namespace) &&
      (exclude === undefined || !exclude.test(namespace + POLICY_MOUNT + name)),
  };
}

/**
 * A namespace path is matched with and without its trailing slash, so "team1", "team1/" and
 * "team1/**" all take team1/, and "team1/*" takes its children; the root is taken by "" and by "**"
 * alone.
 * namespaceMatcher(["team1/**"])("team1/sub/") → true; (…)("team2/") → false; (…)("") → false
 */
function namespaceMatcher(globs: readonly string[]): (namespace: string) => boolean {
  if (globs.length === 0) return () => true;
  const root = globs.includes("") || globs.includes("**");
  const named = globsToRegExp(globs.filter((glob) => glob !== ""));
  return (namespace) => {
    if (namespace === "") return root;
    return named !== undefined && (named.test(namespace) || named.test(namespace.replace(/\/$/, "")));
  };
}

/**
 * The include and exclude globs that can match no key Courier would replicate, one problem line
 * each. Written the way the documentation once wrote them ("app/**", relative to the mount), they
 * replicate nothing, or exclude nothing, without a word: start-up refuses them instead.
 * `sourceKvMounts` are the KV mounts the source holds ("secret/", "team-a/kv/"); with
 * `scope.mounts` set, the mounts it names are the ones in scope. An exclude may also name the
 * ACL policies of `namespaces` ("sys/policies/acl/<name>").
 * globsMatchingNothing({include: ["app/**"]}, ["secret/"], [""])
 *   → ['sync.include "app/**" can match no key in the KV mounts in scope (secret/): …; did you mean "secret/app/**"?']
 */
export function globsMatchingNothing(
  scope: Scope,
  sourceKvMounts: readonly string[],
  namespaces: readonly string[],
): string[] {
  const mounts = [...new Set(scope.mounts?.map(normaliseMount) ?? sourceKvMounts)].sort();
  const policies = namespaces.map((namespace) => namespace + POLICY_MOUNT);
  const problems: string[] = [];
  for (const glob of scope.include ?? []) {
    if (mounts.some((mount) => globMatchesUnder(glob, mount))) continue;
    const namesPolicies = policies.some((policy) => globMatchesUnder(glob, policy));
    const why = namesPolicies
      ? "sync.include selects KV keys only; ACL policies follow sync.policies and sync.exclude"
      : globForm(glob, mounts);
    problems.push(
      `sync.include "${glob}" can match no key in the KV mounts in scope ${listed(mounts)}: ${why}`,
    );
  }
  for (const glob of scope.exclude ?? []) {
    if ([...mounts, ...policies].some((under) => globMatchesUnder(glob, under))) continue;
    problems.push(
      `sync.exclude "${glob}" can match no key in the KV mounts in scope ${listed(mounts)} nor an ACL policy (sys/policies/acl/<name>): ${globForm(glob, mounts)}`,
    );
  }
  return problems;
}

/** "/secret" → "secret/", "team-a/kv/" → "team-a/kv/" */
export function normaliseMount(mount: string): string {
  const trimmed = mount.replace(/^\/+/, "");
  return trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
}

// globToRegExp("secret/*/db") matches "secret/app/db", not "secret/a/b/db".
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${globSource(glob)}$`);
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

/** Mounts named in a "can match nothing" message before the rest are only counted. */
const MOUNTS_NAMED = 8;

/** listed(["kv/", "secret/"]) → "(kv/, secret/)" */
function listed(mounts: readonly string[]): string {
  if (mounts.length === 0) return "(there are none)";
  const more = mounts.length > MOUNTS_NAMED ? `, and ${mounts.length - MOUNTS_NAMED} more` : "";
  return `(${mounts.slice(0, MOUNTS_NAMED).join(", ")}${more})`;
}

/** The form a glob takes, with the globs this one was probably meant to be. */
function globForm(glob: string, mounts: readonly string[]): string {
  const guesses = meantGlobs(glob, mounts).map((guess) => `"${guess}"`);
  const hint = guesses.length > 0 ? `; did you mean ${guesses.join(" or ")}?` : ', e.g. "secret/app/**"';
  return `a glob is matched against "<mount><path>"${hint}`;
}

/**
 * What a glob that matches nothing was probably meant to be: written relative to a mount, or
 * naming a folder ("secret/app/") where a key never ends in "/".
 * meantGlobs("app/", ["kv/", "secret/"]) → ["kv/app/**", "secret/app/**"]
 */
function meantGlobs(glob: string, mounts: readonly string[]): string[] {
  const whole = glob.endsWith("/") ? `${glob}**` : glob;
  if (whole !== glob && mounts.some((mount) => globMatchesUnder(whole, mount))) return [whole];
  const relative = whole.replace(/^\/+/, "");
  return mounts
    .filter((mount) => globMatchesUnder(mount + relative, mount))
    .slice(0, 3)
    .map((mount) => mount + relative);
}

/** One RegExp that matches when any of the globs does; undefined for an empty list. */
function globsToRegExp(globs: readonly string[]): RegExp | undefined {
  if (globs.length === 0) return undefined;
  return new RegExp(`^(?:${globs.map(globSource).join("|")})$`);
}

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
