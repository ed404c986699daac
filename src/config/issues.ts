// Schema issues turned into problem lines that name the setting and where its value came from.
import type * as v from "valibot";
import { DEFAULT_ORIGIN, type Layer } from "./origin.ts";
import { didYouMean, problemAt, quoteValue } from "./problems.ts";
import { isSecret, SETTINGS_BY_KEY, type Setting } from "./settings.ts";

type Issue = v.BaseIssue<unknown>;

/**
 * One line per issue.
 * an issue at ["worker","concurrency"] from flag --worker.concurrency with input "abc"
 *   → 'worker.concurrency (flag --worker.concurrency): must be a whole number of at least 1, got "abc"'
 */
export function describeIssues(issues: readonly Issue[], given: Layer): string[] {
  return issues.map((issue) => describeIssue(issue, given));
}

function describeIssue(issue: Issue, given: Layer): string {
  const path = (issue.path ?? []).map((item) => item.key as string | number);
  const { setting, depth } = findSetting(path);
  const shown = showPath(path);
  const origin = (setting && given.get(setting.key)?.origin) ?? DEFAULT_ORIGIN;
  if (issue.type === "strict_object") {
    const candidates = setting?.items?.map((item) => item.key) ?? [];
    return problemAt(shown, origin, `unknown setting${didYouMean(String(path.at(-1)), candidates)}`);
  }
  const item = setting?.items ? findItem(setting.items, path.slice(depth + 1)) : undefined;
  const secret = (setting !== undefined && isSecret(setting)) || (item !== undefined && isSecret(item));
  return problemAt(shown, origin, `${issue.message}${quoteValue(issue.input, secret)}`);
}

/** The setting a path lies in, and how many path parts its key takes. */
function findSetting(path: readonly (string | number)[]): { setting?: Setting; depth: number } {
  for (let depth = 1; depth <= path.length; depth++) {
    const setting = SETTINGS_BY_KEY.get(path.slice(0, depth).join("."));
    if (setting) return { setting, depth };
  }
  return { depth: path.length };
}

function findItem(items: readonly Setting[], rest: readonly (string | number)[]): Setting | undefined {
  const key = rest.filter((part) => typeof part === "string").join(".");
  return items.find((item) => item.key === key);
}

/** ["vault","destinations","list",1,"tls","ca_cert"] → "vault.destinations.list[1].tls.ca_cert" */
function showPath(path: readonly (string | number)[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join("");
}
