// The results as a table for the terminal: one row per figure.

import { table } from "../../build/format.ts";
import type { BenchResult, Figure } from "./types.ts";

/** rowsOf([{name:"ingest", figures:[{name:"TCP", value:90000, unit:"entries/s", ratio:0.6}]}]) → [["ingest","TCP","90,000 entries/s",…]] */
export function resultTable(results: readonly BenchResult[]): string {
  const rows: string[][] = [];
  for (const result of results) {
    if (result.error) rows.push([result.name, "FAILED", result.error.split("\n")[0] ?? "", "", "", ""]);
    for (const figure of result.figures) rows.push([result.name, ...cells(figure)]);
  }
  return table(["bench", "figure", "value", "ceiling", "ratio", "goal"], rows);
}

function cells(figure: Figure): string[] {
  const goal = figure.goal === undefined ? "" : `${figure.met ? "met" : "MISSED"}: ${figure.goal}`;
  return [
    figure.name,
    `${formatNumber(figure.value)} ${figure.unit}`,
    figure.ceiling === undefined ? "" : `${formatNumber(figure.ceiling)} ${figure.unit}`,
    figure.ratio === undefined ? "" : figure.ratio.toFixed(2),
    goal,
  ];
}

/** formatNumber(123456.7) → "123,457"; formatNumber(4.256) → "4.26"; formatNumber(NaN) → "-" */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "-";
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString("en-US");
  return String(Math.round(value * 100) / 100);
}
