// The matrix as a Markdown table (for the README) and as JSON (for anyone who wants the figures).
import type { PortTakenResult } from "./port-taken.ts";
import type { MatrixOptions, RowResult } from "./run-row.ts";

const s = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(1)} s`);

export function markdown(rows: RowResult[], ports: PortTakenResult[], options: MatrixOptions): string {
  const lines = [
    `Fault matrix (${options.quick ? "quick mode: shortened faults" : "full run"}): ${options.rate} writes/s over ${options.keys} keys (KV v2, KV v1, ACL policies; one in ten a delete), two destinations, Courier with --retry.initial=200ms --retry.max=5s --sync.prune and the default sync.interval (15m, so no periodic pass helps). The load stops when the fault clears; the state check compares every key and policy of the source with each destination (A is the one a destination fault hits).`,
    "",
    "| fault | in sync after it clears¹ | syncs retried (destination / source) | lost · extra · differing keys (A / B) | source clients' write latency before → during (p50 / p99 / max) | lag of A / B during the fault (p50 / p99) | notes |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const state = r.state.map((d) => `${d.missing} · ${d.extra} · ${d.differs}`).join(" / ");
    const before = r.latency.before;
    const during = r.latency.during;
    const lat = `${before.p50} / ${before.p99} / ${before.max} ms → ${during.p50} / ${during.p99} / ${during.max} ms${during.failed ? ` (${during.failed} of ${during.count} failed)` : ""}`;
    const lag = r.lag.during.map((l) => (l.count === 0 ? "none seen" : `${l.p50} / ${l.p99} ms`)).join(" · ");
    const notes = [
      ...r.notes,
      ...(r.expectsDrift ? [`expected: ${r.expectsDrift}`] : []),
      ...(r.errors.length ? [`${r.errors.length} error log lines`] : []),
    ].join("; ");
    lines.push(
      `| ${r.title} | ${r.inSyncAfterMs === null ? "not in sync" : s(r.inSyncAfterMs)} | ${r.retries.destination} / ${r.retries.source} | ${state} | ${lat} | ${lag} | ${notes} |`,
    );
  }
  for (const p of ports) {
    lines.push(
      `| ${p.title} | exits ${p.exitCode} after ${s(p.ms)} | — | — | — | — | ${p.message.replaceAll("|", "\\|")} |`,
    );
  }
  const diffMs = rows.map((r) => r.diffMs).filter((ms): ms is number => ms !== null);
  lines.push(
    "",
    `¹ Time from the fault clearing until \`courier diff\` first exited 0; it is run back to back, and one run took ${diffMs.length ? `${s(Math.min(...diffMs))}–${s(Math.max(...diffMs))}` : "—"}, which bounds the figure's resolution.`,
  );
  return `${lines.join("\n")}\n`;
}

export function json(rows: RowResult[], ports: PortTakenResult[], options: MatrixOptions): string {
  return `${JSON.stringify({ options, rows, ports }, null, 2)}\n`;
}
