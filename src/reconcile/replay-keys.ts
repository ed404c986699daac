// Audit lines as Vault's file audit device writes them → the distinct keys they name, in order of
// first appearance. The same framing, parsing and classification as the live stream, against the
// source's mount table as it is now. Blank and broken lines are counted, never fatal.

import { classify } from "../audit/classify.ts";
import { LineFramer } from "../audit/framer.ts";
import { InMemoryMountTable } from "../audit/mount-table.ts";
import { parseAuditLine } from "../audit/parse.ts";
import type { CompiledScope } from "../audit/scope.ts";
import { keyId, type SyncKey } from "../sync-key.ts";

export interface ReplayCounts {
  /** Lines read that were not blank. */
  lines: number;
  blank: number;
  /** Lines that are no audit entry: not JSON, not UTF-8, over the line cap, missing fields. */
  broken: number;
  /** Entries that name no key to sync: requests, reads, failed requests, other engines, out of scope. */
  ignored: number;
  /** Distinct keys found. */
  keys: number;
}

export interface ReplayOptions {
  /** The audit device's `prefix`, stripped where a line starts with it. */
  prefix?: string;
  maxLineBytes: number;
  scope: CompiledScope;
  /** The source's `GET sys/mounts` answer for a namespace; asked once per namespace at most. */
  loadMounts(namespace: string): Promise<unknown>;
}

const NEWLINE = 10;

export function emptyReplayCounts(): ReplayCounts {
  return { lines: 0, blank: 0, broken: 0, ignored: 0, keys: 0 };
}

/**
 * replayKeys(bytes of a KV v1 create's request and response entries, …)
 *   → {kind:"kv", namespace:"", mount:"kv/", path:"lab/user7-my-secret-3"} once
 */
export async function* replayKeys(
  chunks: AsyncIterable<Uint8Array>,
  options: ReplayOptions,
  counts: ReplayCounts = emptyReplayCounts(),
): AsyncGenerator<SyncKey> {
  const table = new InMemoryMountTable();
  const loaded = new Set<string>();
  const seen = new Set<string>();
  let lines: string[] = [];
  let newlines = 0;
  const framer = new LineFramer({
    prefix: options.prefix || undefined,
    maxLineBytes: options.maxLineBytes,
    onLine: (line) => lines.push(line),
    onDiscard: () => {
      counts.lines++;
      counts.broken++;
    },
  });
  const keysOf = async function* (): AsyncGenerator<SyncKey> {
    const ready = lines;
    lines = [];
    for (const line of ready) {
      counts.lines++;
      const key = await keyOf(line);
      if (key === undefined) continue;
      const id = keyId(key);
      if (seen.has(id)) continue;
      seen.add(id);
      counts.keys++;
      yield key;
    }
  };
  const keyOf = async (line: string): Promise<SyncKey | undefined> => {
    const parsed = parseAuditLine(line, options.maxLineBytes);
    if (!parsed.ok) {
      counts.broken++;
      return undefined;
    }
    let result = classify(parsed.entry, table, options.scope);
    if (result.action === "unknown-mount" && !loaded.has(result.namespace)) {
      // Each namespace's table is read once, when a line first needs it.
      loaded.add(result.namespace);
      table.setFromResponse(result.namespace, await options.loadMounts(result.namespace));
      result = classify(parsed.entry, table, options.scope);
    }
    if (result.action === "sync") return result.key;
    counts.ignored++;
    return undefined;
  };

  for await (const chunk of chunks) {
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) newlines++;
    framer.push(chunk);
    yield* keysOf();
  }
  // A last line without its "\n" (a file cut short) is still read.
  if (framer.pendingBytes > 0) {
    newlines++;
    framer.push(new Uint8Array([NEWLINE]));
    yield* keysOf();
  }
  // Every "\n" ended a line that was read (or discarded), or a blank one.
  counts.blank = Math.max(0, newlines - counts.lines);
}
