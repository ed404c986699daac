// How the sandbox writes what it sees: short keys, one mark per destination, aligned rows.

export interface Destination {
  /** "dest-1" */
  name: string;
  /** "http://127.0.0.1:8202" */
  address: string;
}

export interface Cell {
  destination: string;
  result: string;
  /** Time from the write to Courier's word that this destination has it. */
  ms?: number;
  /** What happened on the way: "1 retry". */
  note?: string;
}

/** shortKey("kv secret/app/db") → "secret/app/db"; shortKey("policy ops") → "policy ops" */
export function shortKey(key: string): string {
  return key.startsWith("kv ") ? key.slice(3) : key;
}

/** mark("written") → "✓"; mark("failed") → "✗" */
export function mark(result: string): string {
  if (result === "written" || result === "deleted" || result === "unchanged") return "✓";
  if (result === "failed") return "✗";
  if (result === "retry") return "↻";
  if (result === "skipped") return "–";
  return "…";
}

/** formatMs(4.26) → "4 ms"; formatMs(0.4) → "<1 ms"; formatMs(1530) → "1.5 s" */
export function formatMs(ms: number): string {
  if (ms < 1) return "<1 ms";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A row of the convergence table, with times:
 * formatRow("secret/app/db", 16, [{destination:"dest-1", result:"written", ms:4, note:"1 retry"}])
 *   → "  secret/app/db    → dest-1 ✓ 4 ms (1 retry)"
 */
export function formatRow(label: string, width: number, cells: readonly Cell[]): string {
  const parts = cells.map((cell) => {
    const detail = cell.ms === undefined ? cell.result : formatMs(cell.ms);
    const note = cell.note ? ` (${cell.note})` : "";
    return `${cell.destination} ${mark(cell.result)} ${detail}${note}`;
  });
  return `  ${label.padEnd(width)} → ${parts.join(", ")}`;
}

/**
 * A live line, with what was done:
 * formatLive(new Date("2025-01-01T12:03:04"), "secret/a", [{destination:"dest-1", result:"written"}], 3)
 *   → "  12:03:04  secret/a → dest-1 ✓ written · 3 ms"
 */
export function formatLive(at: Date, label: string, cells: readonly Cell[], ms?: number): string {
  const parts = cells.map((cell) => `${cell.destination} ${mark(cell.result)} ${cell.result}`);
  const took = ms === undefined ? "" : ` · ${formatMs(ms)}`;
  return `  ${clock(at)}  ${label} → ${parts.join(", ")}${took}`;
}

/** clock(new Date("2025-01-01T12:03:04")) → "12:03:04" (local time) */
export function clock(at: Date): string {
  return at.toTimeString().slice(0, 8);
}

/** The name the sandbox gives an address: "http://127.0.0.1:8202" → "dest-1". */
export function nameOf(destinations: readonly Destination[], address: string): string {
  return destinations.find((d) => d.address === address)?.name ?? address;
}
