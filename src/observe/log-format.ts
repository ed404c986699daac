// How one log record is written: a JSON line for machines (journald, Loki, jq), or a short
// coloured line for a person at a terminal.

export type LevelName = "error" | "warn" | "info" | "debug" | "trace";
export type LogFields = Record<string, unknown>;

export interface LogRecord {
  time: Date;
  level: LevelName;
  msg: string;
  fields: LogFields;
}

const RESERVED = new Set(["time", "level", "msg"]);

/**
 * formatJson({time, level:"info", msg:"listening", fields:{address:"udp://127.0.0.1:1269"}})
 *   → '{"time":"2025-01-01T00:00:00.000Z","level":"info","msg":"listening","address":"udp://127.0.0.1:1269"}\n'
 */
export function formatJson(record: LogRecord): string {
  const out: LogFields = { time: record.time.toISOString(), level: record.level, msg: record.msg };
  for (const [key, value] of Object.entries(record.fields))
    out[RESERVED.has(key) ? `field_${key}` : key] = value;
  try {
    return `${JSON.stringify(out, replacer)}\n`;
  } catch {
    const { time, level, msg } = out;
    return `${JSON.stringify({ time, level, msg, fields: "(could not be written as JSON)" })}\n`;
  }
}

const COLOURS: Record<LevelName, string> = {
  error: "\x1b[31m",
  warn: "\x1b[33m",
  info: "\x1b[36m",
  debug: "\x1b[90m",
  trace: "\x1b[90m",
};

/**
 * formatPretty({time, level:"warn", msg:"destination down", fields:{destination:"https://dr:8200"}}, false)
 *   → "12:00:01.250 WARN  destination down destination=https://dr:8200\n"
 */
export function formatPretty(record: LogRecord, colour: boolean): string {
  const clock = record.time.toTimeString().slice(0, 8) + record.time.toISOString().slice(19, 23);
  const label = record.level.toUpperCase().padEnd(5);
  const shownLabel = colour ? `${COLOURS[record.level]}${label}\x1b[0m` : label;
  const fields = Object.entries(record.fields).map(([key, value]) => `${key}=${prettyValue(value)}`);
  return `${[clock, shownLabel, record.msg, ...fields].join(" ")}\n`;
}

/** prettyValue("a b") → '"a b"'; prettyValue(3) → "3"; prettyValue({a:1}) → '{"a":1}' */
function prettyValue(value: unknown): string {
  if (typeof value === "string") return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  try {
    return JSON.stringify(value, replacer) ?? String(value);
  } catch {
    return "(unprintable)";
  }
}

/** Errors as name, message, code and cause; never a stack, which is noise in a service's log. */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) {
    const out: LogFields = { name: value.name, message: value.message };
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    if (value.cause !== undefined)
      out.cause = value.cause instanceof Error ? value.cause.message : value.cause;
    return out;
  }
  return value;
}
