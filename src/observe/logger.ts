// Courier's logger: consola underneath (levels, reporters), human lines on a terminal and JSON
// lines otherwise, written to stderr so stdout stays free for what a command prints (`sync
// --dry-run`, `diff --format json`). Below the logger: the scrubber every line passes before it is
// written (the last guard before a log line leaves the process), then the two ways a record is
// written: a JSON line for machines (journald, Loki, jq), or a short coloured line for a person.
import { type ConsolaInstance, createConsola, type LogObject } from "consola/core";

export type LevelName = "error" | "warn" | "info" | "debug" | "trace";
export type LogFields = Record<string, unknown>;

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

// The last guard before a log line leaves the process: whatever a caller passed, anything that
// looks like a Vault token, any audit HMAC, and every token value Courier was configured with is
// replaced by "***". It works on the finished text, so no field, message or error escapes it.
// A short registered value (a dev server's "root") is replaced only where it stands alone, so that
// a path such as secret/rootkey stays readable; a long one is replaced wherever it appears.

const SCRUBBED = "***";
/** Shorter registered values are not scrubbed; "root" (a dev server's token) still is. */
const MIN_SECRET_LENGTH = 4;
/** Registered values shorter than this are scrubbed only as a whole word; real tokens are longer. */
const WHOLE_WORD_BELOW = 16;
// What may stand next to a short secret for it to count as part of a longer word or path: the
// characters of tokens, key paths and identifiers.
const WORD_CHAR = "[A-Za-z0-9._/-]";

// Vault ≥ 1.10 tokens: hvs. (service), hvb. (batch), hvr. (recovery), then 20+ URL-safe chars.
// Older Vault: s. / b. / r. followed by 24+ alphanumerics. Audit HMACs: hmac-sha256:<hex>.
const PATTERNS = [
  /\bhv[sbr]\.[A-Za-z0-9_-]{20,}/g,
  /\b[sbr]\.[A-Za-z0-9]{24,}\b/g,
  /hmac-sha256:[A-Za-z0-9+/=_-]*/g,
];

export interface Scrubber {
  /** Registers a value that must never be written (a token read from a file, say). */
  add(secret: string): void;
  scrub(text: string): string;
}

/**
 * scrubber(["t0ps3cret"]).scrub('token "t0ps3cret" and hvs.ABCDEFGHIJKLMNOPQRSTUVWX') → 'token "***" and ***'
 * scrubber(["root"]).scrub('key="secret/rootkey" token=root') → 'key="secret/rootkey" token=***'
 */
export function createScrubber(secrets: readonly string[] = []): Scrubber {
  const known = new Set<string>();
  let matcher: RegExp | undefined;
  const add = (secret: string) => {
    // No real token is this short, and scrubbing every "t" or "ab" would leave no line readable.
    if (secret.length < MIN_SECRET_LENGTH || known.has(secret)) return;
    known.add(secret);
    // The value as written, and as JSON writes it inside a string.
    known.add(JSON.stringify(secret).slice(1, -1));
    const alternatives = [...known]
      .sort((a, b) => b.length - a.length)
      .map((value) =>
        value.length < WHOLE_WORD_BELOW
          ? `(?<!${WORD_CHAR})${escapeRegExp(value)}(?!${WORD_CHAR})`
          : escapeRegExp(value),
      );
    matcher = new RegExp(alternatives.join("|"), "g");
  };
  for (const secret of secrets) add(secret);
  return {
    add,
    scrub(text) {
      let out = matcher ? text.replace(matcher, SCRUBBED) : text;
      for (const pattern of PATTERNS) out = out.replace(pattern, SCRUBBED);
      return out;
    },
  };
}

/** escapeRegExp("a.b*") → "a\\.b\\*" */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

// How one log record is written.

interface LogRecord {
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
function formatJson(record: LogRecord): string {
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
function formatPretty(record: LogRecord, colour: boolean): string {
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
