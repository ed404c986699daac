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
//
// In memory every key is one entry for all destinations, its slots packed into one flat string:
// a pass over a million keys keeps a million of these alive, so each costs a key and a short
// string (about 150 bytes for two destinations), not a map entry and a string per destination.

import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { replaceAtomically } from "../atomic-file.ts";
import { messageOf } from "../errors.ts";
import { vaultName } from "../vault/address.ts";

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
  return `managed-keys-${new Bun.CryptoHasher("sha256").update(vaultName(destination)).digest("hex").slice(0, 16)}.log`;
}

/** Between the slots of a key's entry; never part of a fingerprint (they are base 36). */
const SLOT_SEPARATOR = "\n";
/** A slot for a destination where the key is not Courier's. */
const NOT_OURS = "\u0000";

interface Destination {
  readonly name: string;
  /** Its slot in each key's entry. */
  readonly slot: number;
  readonly file: string | undefined;
  /** Keys Courier manages here. */
  size: number;
  /** Lines not yet appended. */
  pending: string[];
  /** Lines in the file now; the header counts as one. */
  lines: number;
  /** The file must be rewritten whole (missing, another destination's, damaged). */
  rewrite: boolean;
}

export class ManagedKeys {
  readonly #destinations = new Map<string, Destination>();
  /** keyId → one slot per destination, joined by SLOT_SEPARATOR: a fingerprint, "" or NOT_OURS. */
  readonly #keys = new Map<string, string>();
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
    for (const address of destinations) store.#add(vaultName(address), undefined, false);
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
    const names = [...new Set(destinations.map(vaultName))];
    for (const name of names) {
      const file = stateDir === undefined ? undefined : join(stateDir, managedFileName(name));
      store.#add(name, file, true);
    }
    for (const destination of store.#destinations.values()) {
      if (destination.file !== undefined) await store.#load(destination, destination.file);
    }
    return store;
  }

  /** Whether Courier wrote (or found equal) this key on the destination. */
  has(destination: string, id: string): boolean {
    const slot = this.#destinations.get(vaultName(destination))?.slot;
    return slot !== undefined && this.#slot(id, slot) !== NOT_OURS;
  }

  /** The destinations among `destinations` where the key is Courier's. */
  managedOn(id: string, destinations: readonly string[]): string[] {
    const slots = this.#slotsOf(id);
    if (slots === undefined) return [];
    return destinations.filter((d) => {
      const slot = this.#destinations.get(vaultName(d))?.slot;
      return slot !== undefined && (slots[slot] ?? NOT_OURS) !== NOT_OURS;
    });
  }

  /** Whether the key is Courier's on any destination (an entry is dropped once it is nowhere). */
  anywhere(id: string): boolean {
    return this.#keys.has(id);
  }

  /** Keys remembered for a destination. */
  size(destination: string): number {
    return this.#destinations.get(vaultName(destination))?.size ?? 0;
  }

  /** Per destination among `destinations`, the fingerprint on record for the key; none → no entry. */
  verifiedOn(id: string, destinations: readonly string[]): Record<string, string> {
    const verified: Record<string, string> = {};
    const slots = this.#slotsOf(id);
    if (slots === undefined) return verified;
    for (const address of destinations) {
      const name = vaultName(address);
      const slot = this.#destinations.get(name)?.slot;
      const fingerprint = slot === undefined ? undefined : slots[slot];
      if (fingerprint && fingerprint !== NOT_OURS) verified[name] = fingerprint;
    }
    return verified;
  }

  /**
   * What a run learnt: the key is now Courier's there (true) or gone from there (false), and its
   * fingerprint ("" = none). undefined changes nothing; a fingerprint is kept for managed keys only.
   */
  note(destination: string, id: string, managed: boolean | undefined, verified?: string): void {
    const entry = this.#destinations.get(vaultName(destination));
    if (!entry) return;
    // Split once: this runs for every destination of every sync.
    const slots = this.#slotsOf(id);
    const before = slots?.[entry.slot] ?? NOT_OURS;
    let line: string;
    if (managed === false) {
      if (before === NOT_OURS) return;
      this.#set(entry, id, NOT_OURS, slots);
      line = `-${JSON.stringify(id)}`;
    } else {
      if (managed === undefined && before === NOT_OURS) return;
      const after = storable(verified) ?? (before === NOT_OURS ? "" : before);
      if (after === before) return;
      this.#set(entry, id, after, slots);
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

  #add(name: string, file: string | undefined, rewrite: boolean): void {
    if (this.#destinations.has(name)) return;
    const slot = this.#destinations.size;
    this.#destinations.set(name, { name, slot, file, size: 0, pending: [], lines: 0, rewrite });
  }

  /** The key's slot for one destination; NOT_OURS when it has no entry. */
  #slot(id: string, slot: number): string {
    const entry = this.#keys.get(id);
    if (entry === undefined) return NOT_OURS;
    if (this.#destinations.size === 1) return entry;
    return entry.split(SLOT_SEPARATOR)[slot] ?? NOT_OURS;
  }

  /** All the key's slots, one per destination; undefined when it has no entry. */
  #slotsOf(id: string): string[] | undefined {
    const entry = this.#keys.get(id);
    if (entry === undefined) return undefined;
    return this.#destinations.size === 1 ? [entry] : entry.split(SLOT_SEPARATOR);
  }

  /**
   * Sets one slot of the key's entry; the entry goes once the key is Courier's nowhere. `current`
   * is the entry's slots when the caller has split it already (it is changed in place).
   */
  #set(destination: Destination, id: string, value: string, current?: string[]): void {
    const slots = current ?? this.#slotsOf(id) ?? Array<string>(this.#destinations.size).fill(NOT_OURS);
    const before = slots[destination.slot];
    if (before === value) return;
    slots[destination.slot] = value;
    if (before === NOT_OURS) destination.size++;
    else if (value === NOT_OURS) destination.size--;
    // join() answers one flat string; `a + sep + b` would keep a rope of three strings alive.
    if (slots.every((slot) => slot === NOT_OURS)) this.#keys.delete(id);
    else this.#keys.set(id, slots.join(SLOT_SEPARATOR));
  }

  /** The destination's keys and their fingerprints ("" = none). */
  *#entriesOf(destination: Destination): Generator<[string, string]> {
    for (const id of this.#keys.keys()) {
      const slot = this.#slot(id, destination.slot);
      if (slot !== NOT_OURS) yield [id, slot];
    }
  }

  async #load(destination: Destination, file: string): Promise<void> {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") {
        this.#onWarning(
          `cannot read ${file} (${messageOf(error)}); keys deleted on the source meanwhile stay`,
        );
      }
      return;
    }
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    if (!headerNames(lines[0], destination.name)) {
      if (lines.length > 0)
        this.#onWarning(`${file} is not a record of keys managed on ${destination.name}; starting afresh`);
      return;
    }
    let damaged = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const entry = parseEntry(line.slice(1));
      if (entry === undefined || (line[0] !== "+" && line[0] !== "-")) {
        // A line torn by a crash, most likely the last: what it said is lost, the rest stands.
        damaged = true;
        continue;
      }
      // A fingerprint this store cannot hold is as good as none: the key's data is read again.
      this.#set(destination, entry[0], line[0] === "+" ? (storable(entry[1]) ?? "") : NOT_OURS);
    }
    destination.lines = lines.length;
    destination.rewrite = damaged;
  }

  async #save(): Promise<void> {
    for (const destination of this.#destinations.values()) {
      if (destination.file === undefined || destination.pending.length === 0) continue;
      const lines = destination.pending;
      destination.pending = [];
      try {
        if (destination.rewrite || destination.lines + lines.length > 2 * destination.size + SLACK_LINES) {
          await rewrite(destination, this.#entriesOf(destination));
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

/**
 * A fingerprint as a slot can hold it; undefined for none, or for one holding the slot separator
 * or the NOT_OURS mark (never a real one: verificationOf answers base 36).
 * storable("k3x9") → "k3x9"; storable("a\nb") → undefined
 */
function storable(fingerprint: string | undefined): string | undefined {
  if (fingerprint === undefined || fingerprint.includes(SLOT_SEPARATOR) || fingerprint.includes(NOT_OURS)) {
    return undefined;
  }
  return fingerprint;
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
async function rewrite(destination: Destination, entries: Iterable<[string, string]>): Promise<void> {
  const header = `${JSON.stringify({ version: VERSION, destination: destination.name })}\n`;
  await replaceAtomically(destination.file!, async (handle) => {
    const chunk: string[] = [header];
    let size = header.length;
    for (const [id, verified] of entries) {
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
  destination.lines = destination.size + 1;
  destination.rewrite = false;
}
