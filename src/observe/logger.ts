// Courier's logger: consola underneath (levels, reporters), human lines on a terminal and JSON
// lines otherwise, written to stderr so stdout stays free for what a command prints (`sync
// --dry-run`, `diff --format json`). Every line passes the redaction guard before it is written.
import { type ConsolaInstance, createConsola, type LogObject } from "consola/core";
import { formatJson, formatPretty, type LevelName, type LogFields, type LogRecord } from "./log-format.ts";
import { createScrubber, type Scrubber } from "./log-scrub.ts";

export type { LevelName, LogFields } from "./log-format.ts";

export interface Logger {
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  trace(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line: log.child({component: "listener"}). */
  child(fields: LogFields): Logger;
  /** Whether a level is written; check before building costly debug fields. */
  enabled(level: LevelName): boolean;
  /** Registers a value (a token) that must never appear in the output. */
  addSecret(secret: string): void;
}

export interface LoggerOptions {
  level?: LevelName;
  /** auto = pretty when the output is a terminal, JSON lines otherwise. */
  format?: "auto" | "json" | "pretty";
  /** Where finished lines go; stderr by default. */
  write?: (line: string) => void;
  /** Whether the output is a terminal (decides auto, and colour). */
  isTTY?: boolean;
  secrets?: readonly string[];
  now?: () => Date;
}

// consola's numeric levels for the names Courier uses.
const LEVELS: Record<LevelName, number> = { error: 0, warn: 1, info: 3, debug: 4, trace: 5 };
const TYPE_TO_LEVEL: Record<string, LevelName> = {
  error: "error",
  warn: "warn",
  info: "info",
  debug: "debug",
  trace: "trace",
};

export function createLogger(options: LoggerOptions = {}): Logger {
  const isTTY = options.isTTY ?? Boolean(process.stderr.isTTY);
  const pretty = options.format === "pretty" || (options.format !== "json" && isTTY);
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const scrubber = createScrubber(options.secrets);
  const now = options.now ?? (() => new Date());
  const consola = createConsola({
    level: LEVELS[options.level ?? "info"],
    // Never fold repeated lines: each one may be a distinct event an operator counts.
    throttle: Number.NEGATIVE_INFINITY,
    reporters: [
      {
        log: (entry: LogObject) => {
          const record: LogRecord = {
            time: now(),
            level: TYPE_TO_LEVEL[entry.type] ?? "info",
            msg: String(entry.args[0] ?? ""),
            fields: (entry.fields as LogFields | undefined) ?? {},
          };
          write(scrubber.scrub(pretty ? formatPretty(record, isTTY) : formatJson(record)));
        },
      },
    ],
  });
  return bind(consola, scrubber, {});
}

function bind(consola: ConsolaInstance, scrubber: Scrubber, bound: LogFields): Logger {
  const at = (level: LevelName) => (msg: string, fields?: LogFields) => {
    consola[level]({ args: [msg], fields: fields ? { ...bound, ...fields } : bound });
  };
  return {
    error: at("error"),
    warn: at("warn"),
    info: at("info"),
    debug: at("debug"),
    trace: at("trace"),
    child: (fields) => bind(consola, scrubber, { ...bound, ...fields }),
    enabled: (level) => LEVELS[level] <= consola.level,
    addSecret: (secret) => scrubber.add(secret),
  };
}
