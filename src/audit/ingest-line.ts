// One line through parse and classify, counted. The run loop calls this from a listener's
// onLine callback: it is synchronous and touches nothing but memory.

import { type ClassifyResult, classify, ignored } from "./classify.ts";
import { countResult, type IngestCounters } from "./counters.ts";
import type { MountTable } from "./mount-table.ts";
import { parseAuditLine } from "./parse.ts";
import type { CompiledScope } from "./scope.ts";

export interface IngestContext {
  mounts: MountTable;
  scope: CompiledScope;
  counters: IngestCounters;
  /** Longest line accepted, in characters (the framer already caps bytes). */
  maxLineChars?: number;
}

/**
 * ingestLine('{"type":"response","request":{"operation":"delete","path":"kv/a"}}', ctx)
 *   → {action:"sync", key:{kind:"kv", namespace:"", mount:"kv/", path:"a"}} (and counts it)
 * A rejected line answers undefined.
 */
export function ingestLine(line: string, context: IngestContext): ClassifyResult | undefined {
  if (isPlainRequestEntry(line)) {
    context.counters.ignored.not_response++;
    return NOT_RESPONSE;
  }
  const parsed = parseAuditLine(line, context.maxLineChars);
  if (!parsed.ok) {
    context.counters.rejected[parsed.reason]++;
    return undefined;
  }
  const result = classify(parsed.entry, context.mounts, context.scope);
  countResult(context.counters, result);
  return result;
}

const NOT_RESPONSE = ignored("not_response");

/**
 * Half of what Vault writes is request entries, which never lead to a sync. A line that holds
 * `"type":"request"` and no `"response"` string anywhere cannot have "response" as its type (short
 * of a JSON escape, which Vault never writes and which would only get a forged line ignored), so
 * it is counted as ignored without parsing it. That roughly doubles throughput; the price is that
 * a malformed line mimicking a request entry counts as ignored, not rejected.
 * Newer Vault writes keys sorted, `type` last, so the line's tail usually answers without a scan:
 * in valid JSON, `,"type":"request"}` at the very end is the top-level object's last member (its
 * quotes are bare, so it is no string's content) and the last of repeated keys is the one that
 * counts. A `"type":"response"` tail only sends the line on to be parsed, which is always safe.
 * isPlainRequestEntry('{"time":"…","type":"request","request":{…}}') → true
 * isPlainRequestEntry('{"auth":{…},"request":{…},"time":"…","type":"request"}') → true
 */
export function isPlainRequestEntry(line: string): boolean {
  if (line.endsWith(REQUEST_TAIL)) return true;
  if (line.endsWith(RESPONSE_TAIL)) return false;
  return !line.includes('"response"') && line.includes('"type":"request"');
}

const REQUEST_TAIL = ',"type":"request"}';
const RESPONSE_TAIL = ',"type":"response"}';
