// A logger whose output is kept in memory, for tests that assert what was logged (and what was
// not: no token, no secret value). The lines are exactly what would have been written.
import { createLogger, type LevelName, type Logger } from "../../src/observe/logger.ts";

export interface CapturedLogs {
  log: Logger;
  /** Every written line, newline included. */
  lines: string[];
  /** All output as one string, for searching. */
  text(): string;
  /** The JSON lines, parsed. */
  records(): Record<string, unknown>[];
}

export function captureLogs(
  options: { level?: LevelName; format?: "json" | "pretty"; secrets?: string[] } = {},
): CapturedLogs {
  const lines: string[] = [];
  const log = createLogger({
    level: options.level ?? "trace",
    format: options.format ?? "json",
    isTTY: false,
    secrets: options.secrets,
    write: (line) => lines.push(line),
  });
  return {
    log,
    lines,
    text: () => lines.join(""),
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
