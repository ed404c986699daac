// SHA-256 of the release files, written the way `sha256sum` writes them so `sha256sum -c SHA256SUMS`
// (and `shasum -a 256 -c` on macOS) verifies a download.
import { basename } from "node:path";

export async function sha256File(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  for await (const chunk of Bun.file(path).stream()) hasher.update(chunk);
  return hasher.digest("hex");
}

/**
 * One line per file, names sorted, two spaces between hash and name.
 * sumsText([{name:"b.tar.gz",sha256:"bb…"},{name:"a.tar.gz",sha256:"aa…"}]) → "aa…  a.tar.gz\nbb…  b.tar.gz\n"
 */
export function sumsText(files: readonly { name: string; sha256: string }[]): string {
  return [...files]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => `${f.sha256}  ${basename(f.name)}\n`)
    .join("");
}
