// Which keys are Courier's on each destination: ones it wrote there, or found equal to the
// source's. sync.prune=managed deletes a key the source no longer has only where it is Courier's,
// so deletes missed while Courier was down are healed without touching keys other writers own.
// With each KV v2 key goes the fingerprint of both sides' metadata when it was last found equal
// (state.ts verificationOf): while it still holds, a pass reads metadata only, not the data.
//
// One file per destination in the state directory, an append-only log of `+"key"`,
// `+["key","fingerprint"]` and `-"key"` lines under a header naming the destination. Appends are small and cheap at any key count; when
// the log grows past twice the live set it is rewritten whole, atomically (temp file, fsync,
// rename, as file-offsets.ts saves offsets). A crash loses at most the last unflushed second, and
// a torn last line is ignored: a key written then and not remembered is only treated as another
// writer's until the next pass finds it equal and takes it back.

import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { replaceAtomically } from "../atomic-file.ts";
import { messageOf } from "../errors.ts";

/** sync.prune: which destination keys the source lacks may be deleted. */
export type PruneMode = "managed" | "all" | "off";

/**
 * The default, managed, deletes only while sync.deletes is on: whoever turned deletes off meant
 * none at all. An explicit all prunes regardless, as the boolean --sync.prune always did.
 * effectivePrune("managed", false) → "off"; effectivePrune("all", false) → "all"
 */
export function effectivePrune(prune: PruneMode, deletes: boolean): PruneMode {
  return prune === "managed" && !deletes ? "off" : prune;
}

const VERSION = 1;
/** How long changes wait in memory before they are appended. */
export const FLUSH_INTERVAL_MS = 1000;
/** Log lines allowed beyond twice the live set before the file is rewritten. */
const SLACK_LINES = 1024;

/** managedFileName("http://127.0.0.1:8201") → "managed-keys-3f1c…(16 hex).log" */
export function managedFileName(destination: string): string {
  // Bun's own hasher: node:crypto would load its whole module (megabytes resident) for this one name.
  return `managed-keys-${new Bun.CryptoHasher("sha256").update(trimSlash(destination)).digest("hex").slice(0, 16)}.log`;
}

interface Destination {
  readonly name: string;
  readonly file: string | undefined;
  /** keyId → the fingerprint last found equal, or "". */
  readonly keys: Map<string, string>;
  /** Lines not yet appended. */
  pending: string[];
  /** Lines in the file now; the header counts as one. */
  lines: number;
  /** The file must be rewritten whole (missing, another destination's, damaged). */
  rewrite: boolean;
}

export class ManagedKeys {
  readonly #destinations = new Map<string, Destination>();
  readonly #onWarning: (message: string) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #saving: Promise<void> = Promise.resolve();
  #warned = false;

  private constructor(onWarning: (message: string) => void) {
    this.#onWarning = onWarning;
  }

  /** A store that remembers nothing across runs. */
  static inMemory(destinations: readonly string[]): ManagedKeys {
    const store = new ManagedKeys(() => {});
    for (const address of destinations) {
      const name = trimSlash(address);
      store.#destinations.set(name, {
        name,
        file: undefined,
        keys: new Map(),
        pending: [],
        lines: 0,
        rewrite: false,
      });
    }
    return store;
  }

  /**
   * Loads what is remembered for each destination. `stateDir` undefined keeps everything in
   * memory (a test, or a command told not to remember). A file that cannot be read is warned
   * about and started afresh: knowing less only means fewer keys are pruned.
   */
  static async open(
    stateDir: string | undefined,
    destinations: readonly string[],
    onWarning: (message: string) => void = () => {},
  ): Promise<ManagedKeys> {
    const store = new ManagedKeys(onWarning);
    for (const address of destinations) {
      const name = trimSlash(address);
      const file = stateDir === undefined ? undefined : join(stateDir, managedFileName(name));
      const destination: Destination = { name, file, keys: new Map(), pending: [], lines: 0, rewrite: true };
      if (file !== undefined) await load(destination, file, onWarning);
      store.#destinations.set(name, destination);
    }
    return store;
  }

  /** Whether Courier wrote (or found equal) this key on the destination. */
  has(destination: string, id: string): boolean {
    return this.#destinations.get(trimSlash(destination))?.keys.has(id) ?? false;
  }

  /** The destinations among `destinations` where the key is Courier's. */
  managedOn(id: string, destinations: readonly string[]): string[] {
    return destinations.filter((d) => this.has(d, id));
  }

  /** Whether the key is Courier's on any destination. */
  anywhere(id: string): boolean {
    for (const destination of this.#destinations.values()) if (destination.keys.has(id)) return true;
    return false;
  }

  /** Keys remembered for a destination. */
  size(destination: string): number {
    return this.#destinations.get(trimSlash(destination))?.keys.size ?? 0;
  }

  /** Per destination among `destinations`, the fingerprint on record for the key; none → no entry. */
  verifiedOn(id: string, destinations: readonly string[]): Record<string, string> {
    const verified: Record<string, string> = {};
    for (const address of destinations) {
      const fingerprint = this.#destinations.get(trimSlash(address))?.keys.get(id);
      if (fingerprint) verified[trimSlash(address)] = fingerprint;
    }
    return verified;
  }

  /**
   * What a run learnt: the key is now Courier's there (true) or gone from there (false), and its
   * fingerprint ("" = none). undefined changes nothing; a fingerprint is kept for managed keys only.
   */
  note(destination: string, id: string, managed: boolean | undefined, verified?: string): void {
    const entry = this.#destinations.get(trimSlash(destination));
    if (!entry) return;
    const before = entry.keys.get(id);
    let line: string;
    if (managed === false) {
      if (before === undefined) return;
      entry.keys.delete(id);
      line = `-${JSON.stringify(id)}`;
    } else {
      if (managed === undefined && before === undefined) return;
      const after = verified ?? before ?? "";
      if (after === before) return;
      entry.keys.set(id, after);
      line = `+${JSON.stringify(after === "" ? id : [id, after])}`;
    }
    if (entry.file === undefined) return;
    entry.pending.push(`${line}\n`);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, FLUSH_INTERVAL_MS);
  }

  /** Writes what is pending now, after any write in progress; never throws. */
  flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#saving = this.#saving.then(() => this.#save());
    return this.#saving;
  }

  async #save(): Promise<void> {
    for (const destination of this.#destinations.values()) {
      if (destination.file === undefined || destination.pending.length === 0) continue;
      const lines = destination.pending;
      destination.pending = [];
      try {
        if (
          destination.rewrite ||
          destination.lines + lines.length > 2 * destination.keys.size + SLACK_LINES
        ) {
          await rewrite(destination, destination.file);
        } else {
          await append(destination.file, lines.join(""));
          destination.lines += lines.length;
        }
        this.#warned = false;
      } catch (error) {
        // Kept in memory: this run still knows; a restart knows less and prunes less.
        destination.rewrite = true;
        if (!this.#warned) {
          this.#onWarning(
            `cannot save which keys Courier manages on ${destination.name} in ${destination.file} (${messageOf(error)}); a restart will not prune keys deleted meanwhile: make the state directory writable`,
          );
        }
        this.#warned = true;
      }
    }
  }
}

async function load(destination: Destination, file: string, onWarning: (message: string) => void) {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== "ENOENT" && code !== "ENOTDIR") {
      onWarning(`cannot read ${file} (${messageOf(error)}); keys deleted on the source meanwhile stay`);
    }
    return;
  }
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (!headerNames(lines[0], destination.name)) {
    if (lines.length > 0)
      onWarning(`${file} is not a record of keys managed on ${destination.name}; starting afresh`);
    return;
  }
  let damaged = false;
  for (const line of lines.slice(1)) {
    const entry = parseEntry(line.slice(1));
    if (entry === undefined || (line[0] !== "+" && line[0] !== "-")) {
      // A line torn by a crash, most likely the last: what it said is lost, the rest stands.
      damaged = true;
      continue;
    }
    if (line[0] === "+") destination.keys.set(entry[0], entry[1]);
    else destination.keys.delete(entry[0]);
  }
  destination.lines = lines.length;
  destination.rewrite = damaged;
}

function headerNames(line: string | undefined, name: string): boolean {
  try {
    const header = JSON.parse(line ?? "") as { version?: unknown; destination?: unknown };
    return header.version === VERSION && header.destination === name;
  } catch {
    return false;
  }
}

/** parseEntry('"k"') → ["k", ""]; parseEntry('["k","f"]') → ["k", "f"]; anything else → undefined */
function parseEntry(text: string): [string, string] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value === "string") return [value, ""];
  if (Array.isArray(value) && typeof value[0] === "string" && typeof value[1] === "string") {
    return [value[0], value[1]];
  }
  return undefined;
}

async function append(file: string, text: string): Promise<void> {
  const handle = await open(file, "a", 0o600);
  try {
    await handle.write(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The whole set, replacing the file atomically. */
async function rewrite(destination: Destination, file: string): Promise<void> {
  const header = `${JSON.stringify({ version: VERSION, destination: destination.name })}\n`;
  await replaceAtomically(file, async (handle) => {
    const chunk: string[] = [header];
    let size = header.length;
    for (const [id, verified] of destination.keys) {
      const line = `+${JSON.stringify(verified === "" ? id : [id, verified])}\n`;
      chunk.push(line);
      size += line.length;
      // Written in pieces of about a megabyte: a large set is never one huge string.
      if (size > 1 << 20) {
        await handle.write(chunk.join(""));
        chunk.length = 0;
        size = 0;
      }
    }
    await handle.write(chunk.join(""));
  });
  destination.lines = destination.keys.size + 1;
  destination.rewrite = false;
}

function trimSlash(address: string): string {
  return address.replace(/\/+$/, "");
}
