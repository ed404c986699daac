// The last guard before a log line leaves the process: whatever a caller passed, anything that
// looks like a Vault token, any audit HMAC, and every token value Courier was configured with is
// replaced by "***". It works on the finished text, so no field, message or error escapes it.
// A short registered value (a dev server's "root") is replaced only where it stands alone, so that
// a path such as secret/rootkey stays readable; a long one is replaced wherever it appears.

export const SCRUBBED = "***";
/** Shorter registered values are not scrubbed; "root" (a dev server's token) still is. */
export const MIN_SECRET_LENGTH = 4;
/** Registered values shorter than this are scrubbed only as a whole word; real tokens are longer. */
export const WHOLE_WORD_BELOW = 16;
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
