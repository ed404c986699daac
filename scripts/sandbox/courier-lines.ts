// Courier's JSON log lines (stderr, `--log.format=json`), read back into the few things the
// sandbox shows: a sync per destination, Courier being ready, and warnings or errors.

export interface SyncLine {
  kind: "sync";
  /** As Courier names it: "kv secret/app/db", "policy app-readonly". */
  key: string;
  destination: string;
  /** written, deleted, unchanged, skipped, retry, failed */
  result: string;
  ms?: number;
  error?: string;
}

export interface ReadyLine {
  kind: "ready";
  address: string;
}

export interface ProblemLine {
  kind: "problem";
  level: "warn" | "error";
  msg: string;
  detail?: string;
}

export type CourierLine = SyncLine | ReadyLine | ProblemLine;

/**
 * '{"level":"debug","msg":"synced","key":"kv secret/a","destination":"http://127.0.0.1:8202","result":"written","ms":3.2}'
 *   → {kind:"sync", key:"kv secret/a", destination:"http://127.0.0.1:8202", result:"written", ms:3.2}
 * Lines that are not JSON, or say something else, → undefined.
 */
export function parseCourierLine(line: string): CourierLine | undefined {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    record = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const text = (name: string) => (typeof record[name] === "string" ? (record[name] as string) : undefined);
  const msg = text("msg");
  if ((msg === "synced" || msg === "sync failed") && text("key") && text("destination")) {
    const ms = typeof record.ms === "number" ? record.ms : undefined;
    return {
      kind: "sync",
      key: text("key")!,
      destination: text("destination")!,
      result: text("result") ?? (msg === "synced" ? "written" : "failed"),
      ...(ms === undefined ? {} : { ms }),
      ...(text("error") ? { error: text("error") } : {}),
    };
  }
  if (msg === "listening for audit entries") return { kind: "ready", address: text("address") ?? "" };
  const level = text("level");
  if ((level === "warn" || level === "error") && msg) {
    const detail = text("error") ?? text("key") ?? text("reason");
    return { kind: "problem", level, msg, ...(detail ? { detail } : {}) };
  }
  return undefined;
}

/** Whether a destination now holds what the source holds for the key. */
export function isSettled(result: string): boolean {
  return result === "written" || result === "deleted" || result === "unchanged";
}
