// `courier diff`: every key in scope compared on every destination with compareKey, the sync's
// own comparison, so the report and the sync never disagree. Destinations are always walked, so
// keys only they hold show up as extra. Nothing is written; no value is ever put in a row. The
// rows are printed as they arrive, as a table for a person at a terminal or one JSON document for
// a program, so a report of a million keys needs no memory.

import { messageOf } from "../errors.ts";
import { type PassCounts, passCounts } from "../observe/progress.ts";
import { type CompareResult, compareKey } from "../sync/compare-key.ts";
import { destinationKey, mapFor, type PathMap, type PathMaps } from "../sync/path-map.ts";
import { describeKey, keyId, type SyncKey } from "../sync-key.ts";
import { HeapBound } from "./heap-bound.ts";
import { extraNamespaces } from "./namespace-prune.ts";
import { countWalked, type PassSetup, passKeys, runOrdered } from "./one-shot.ts";

export type DriftStatus = "missing" | "extra" | "differs" | "error";

/** One destination where one key is not equal to the source (or could not be read). */
export interface DriftRow {
  destination: string;
  status: DriftStatus;
  /** "namespace": a whole namespace the source no longer has (status extra, or error). */
  kind: SyncKey["kind"] | "namespace";
  namespace: string;
  mount: string;
  path: string;
  /** What differs: "data", "deleted", "destroyed", "max_versions", …, "policy", "mount". */
  what: string[];
  /** Where the destination holds the key, when sync.map puts it elsewhere: "mirror/app". */
  destination_path?: string;
  /** Why it could not be compared, for "error". Vault's words; never a value. */
  error?: string;
  /** For "extra": Courier put it there (a managed prune deletes it) or another writer did (it stays). */
  owner?: "managed" | "foreign";
}

export interface DestinationDrift {
  missing: number;
  extra: number;
  differs: number;
  errors: number;
}

export interface DriftSummary {
  keys: number;
  destinations: Record<string, DestinationDrift>;
  /** The walk could not finish (the source's mounts or a LIST failed): nothing more is known. */
  failure?: string;
}

/** Compares every key; `onRow` gets each difference in walk order; `counts` follows the pass. */
export async function runDiff(
  setup: PassSetup,
  onRow: (row: DriftRow) => void,
  counts: PassCounts = passCounts(),
  /** Read every key's data, trusting no recorded verification. */
  deep = false,
): Promise<DriftSummary> {
  const addresses = setup.destinations.map((d) => d.address);
  const destinations: Record<string, DestinationDrift> = {};
  for (const d of setup.destinations)
    destinations[d.address] = { missing: 0, extra: 0, differs: 0, errors: 0 };
  const summary: DriftSummary = { keys: 0, destinations };
  const row = (r: DriftRow) => {
    const perDestination = destinations[r.destination]!;
    if (r.status === "error") {
      perDestination.errors++;
      counts.errors++;
    } else perDestination[r.status]++;
    onRow(r);
  };
  const keys = passKeys(setup, true, (destination, where, error) =>
    // A folder that could not be listed: the row names it, with a path ending in "/" (or "").
    row({ destination, status: "error", ...where, what: ["list"], error: messageOf(error) }),
  );
  const heap = new HeapBound();
  try {
    summary.keys = await runOrdered(
      countWalked(keys, counts),
      setup.concurrency,
      (walked) =>
        compareKey(walked.key, setup.source, setup.destinations, {
          sourceMount: walked.sourceMount,
          map: setup.map,
          verified: deep ? undefined : setup.managed.verifiedOn(keyId(walked.key), addresses),
        }),
      (result, walked) => {
        heap.tick();
        counts.done++;
        const id = keyId(walked.key);
        for (const r of driftRows(walked.key, result, setup.map)) {
          if (r.status === "extra") r.owner = setup.managed.has(r.destination, id) ? "managed" : "foreign";
          row(r);
        }
      },
    );
  } catch (error) {
    summary.failure = `cannot walk the source: ${messageOf(error)}`;
    return summary;
  }
  const cannotTell = (destination: { address: string }, error: unknown) =>
    row({
      ...namespaceRow(destination.address, ""),
      status: "error",
      what: ["namespaces"],
      error: messageOf(error),
    });
  for await (const { destination, extra } of extraNamespaces(
    { ...setup, roots: setup.namespaces },
    cannotTell,
  )) {
    const r: DriftRow = { ...namespaceRow(destination.address, extra.namespace), owner: extra.owner };
    if (extra.at !== extra.namespace) r.destination_path = extra.at;
    row(r);
  }
  return summary;
}

/** A destination namespace the source no longer has: extra, with everything in it. */
function namespaceRow(destination: string, namespace: string): DriftRow {
  return { destination, status: "extra", kind: "namespace", namespace, mount: "", path: "", what: [] };
}

/**
 * driftRows(kv secret/a, {destinations:[{destination:"http://b", status:"differs", aspects:["data"]}]})
 *   → [{destination:"http://b", status:"differs", kind:"kv", namespace:"", mount:"secret/", path:"a", what:["data"]}]
 */
export function driftRows(key: SyncKey, result: CompareResult, maps?: PathMaps): DriftRow[] {
  const rows: DriftRow[] = [];
  for (const c of result.destinations) {
    if (c.status === "equal") continue;
    const { kind, namespace, mount, path } = key;
    const row: DriftRow = {
      destination: c.destination,
      status: c.status,
      kind,
      namespace,
      mount,
      path,
      what: [...c.aspects],
    };
    const at = mappedPath(key, mapFor(maps, c.destination));
    if (at !== undefined) row.destination_path = at;
    if (c.error) row.error = c.error.message;
    rows.push(row);
  }
  return rows;
}

/** mappedPath(kv secret/app, [secret/=mirror/]) → "mirror/app"; undefined when the key stays put. */
function mappedPath(key: SyncKey, map: PathMap): string | undefined {
  let at: SyncKey;
  try {
    at = destinationKey(key, map);
  } catch {
    return undefined;
  }
  if (at.namespace === key.namespace && at.mount === key.mount) return undefined;
  return at.kind === "policy" ? `${at.namespace}${at.path}` : `${at.namespace}${at.mount}${at.path}`;
}

/** Exit code: 0 in sync, 1 drift found, 2 could not tell. Drift found is known even beside errors. */
export function diffExitCode(summary: DriftSummary): number {
  const all = Object.values(summary.destinations);
  if (all.some((d) => d.missing + d.extra + d.differs > 0)) return 1;
  return summary.failure !== undefined || all.some((d) => d.errors > 0) ? 2 : 0;
}

export interface DriftPrinter {
  row(row: DriftRow): void;
  end(summary: DriftSummary, exitCode: number): void;
}

/**
 * {"drift":[{row},{row}],"summary":{"in_sync":false,"keys":12,"destinations":{…}}}
 * Rows are one a line, so the document also reads well piped through `grep`.
 */
export function jsonPrinter(write: (text: string) => void): DriftPrinter {
  let rows = 0;
  return {
    row(row) {
      write(`${rows++ === 0 ? '{"drift":[\n' : ",\n"}${JSON.stringify(row)}`);
    },
    end(summary, exitCode) {
      const { keys, destinations, failure } = summary;
      const body = { in_sync: exitCode === 0, keys, destinations, ...(failure ? { failure } : {}) };
      write(`${rows === 0 ? '{"drift":[' : "\n"}],"summary":${JSON.stringify(body)}}\n`);
    },
  };
}

/**
 * DESTINATION             STATUS   KEY
 * http://127.0.0.1:8201   differs  kv secret/app  (data, max_versions)
 * http://127.0.0.1:8201   extra    kv secret/old  (managed)
 */
export function tablePrinter(write: (text: string) => void, destinations: readonly string[]): DriftPrinter {
  const width = Math.max("DESTINATION".length, ...destinations.map((d) => d.length));
  let rows = 0;
  return {
    row(row) {
      if (rows++ === 0) write(`${"DESTINATION".padEnd(width)}  STATUS   KEY\n`);
      const detail = row.error ?? (row.owner ? [row.owner, ...row.what] : row.what).join(", ");
      const note = detail === "" ? "" : `  (${detail})`;
      const at = row.destination_path === undefined ? "" : ` → ${row.destination_path}`;
      const what = row.kind === "namespace" ? `namespace ${row.namespace}` : describeKey(row as SyncKey);
      write(`${row.destination.padEnd(width)}  ${row.status.padEnd(7)}  ${what}${at}${note}\n`);
    },
    end(summary, exitCode) {
      if (rows > 0) write("\n");
      for (const [destination, counts] of Object.entries(summary.destinations)) {
        write(`${destination}: ${describeCounts(counts)}\n`);
      }
      if (summary.failure) write(`${summary.failure}\n`);
      write(`${summary.keys} keys compared: ${VERDICT[exitCode] ?? VERDICT[2]}\n`);
    },
  };
}

const VERDICT: Record<number, string> = { 0: "in sync", 1: "drift found", 2: "could not tell" };

/** describeCounts({missing:1, extra:0, differs:4, errors:0}) → "1 missing, 4 different" */
export function describeCounts(counts: DriftSummary["destinations"][string]): string {
  const parts = [
    counts.missing > 0 ? `${counts.missing} missing` : "",
    counts.extra > 0 ? `${counts.extra} extra` : "",
    counts.differs > 0 ? `${counts.differs} different` : "",
    counts.errors > 0 ? `${counts.errors} could not be compared` : "",
  ].filter((part) => part !== "");
  return parts.length === 0 ? "in sync" : parts.join(", ");
}
