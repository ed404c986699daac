// Path globs for the sync scope (`--sync.include`, `--sync.exclude`), matched against a key's
// full name "<namespace><mount><path>" ("secret/app/db"; "team-a/secret/app/db" in a namespace):
//   *    any characters within one path segment (never "/")
//   ?    one character within a segment
//   **/  zero or more whole segments ("secret/**/db" matches "secret/db" and "secret/a/b/db")
//   **   anywhere else: any characters, "/" included ("secret/app/**" matches everything under
//        secret/app/, but not a secret named "secret/app" itself)
// Everything else matches itself; a glob must match the whole name.

import { CourierError } from "../errors.ts";

// globToRegExp("secret/*/db") matches "secret/app/db", not "secret/a/b/db".
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${globSource(glob)}$`);
}

/** One RegExp that matches when any of the globs does; undefined for an empty list. */
export function globsToRegExp(globs: readonly string[]): RegExp | undefined {
  if (globs.length === 0) return undefined;
  return new RegExp(`^(?:${globs.map(globSource).join("|")})$`);
}

function globSource(glob: string): string {
  if (glob === "") throw new CourierError("CONFIG_INVALID", "a scope glob cannot be empty");
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      if (glob[i + 2] === "/") {
        out += "(?:.*/)?";
        i += 2;
      } else {
        out += ".*";
        i += 1;
      }
    } else if (c === "*") {
      out += "[^/]*";
    } else if (c === "?") {
      out += "[^/]";
    } else {
      out += c.replace(/[\\^$.|+()[\]{}/-]/g, "\\$&");
    }
  }
  return out;
}
