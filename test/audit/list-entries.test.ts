// A LIST changes nothing, whatever its entry says of the keys: real OpenBao lines with the keys
// written out and with elide_list_responses (the count instead), and elided lines of a folder
// far too big for one datagram without elision, all lead to no sync.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type ClassifyResult, classify, ingestLine } from "../../src/audit/classify.ts";
import { createIngestCounters } from "../../src/audit/counters.ts";
import { InMemoryMountTable } from "../../src/audit/mount-table.ts";
import { parseAuditLine } from "../../src/audit/parse.ts";
import { compileScope } from "../../src/audit/scope.ts";
import { mountInfo } from "../../src/vault/mounts.ts";

const REAL_OPENBAO = join(import.meta.dir, "../fixtures/vault-audit/real-openbao");

/** "kv2-metadata-list.jsonl" → [request line, response line] */
function linesOf(file: string): [string, string] {
  const lines = readFileSync(join(REAL_OPENBAO, file), "utf8")
    .split("\n")
    .filter((line) => line !== "");
  if (lines.length !== 2) throw new Error(`${file}: ${lines.length} lines, not a request and a response`);
  return [lines[0] as string, lines[1] as string];
}

const [plainRequest, plainResponse] = linesOf("kv2-metadata-list.jsonl");
const [elidedRequest, elidedResponse] = linesOf("kv2-metadata-list-elided.jsonl");
const [namespacesRequest, namespacesResponse] = linesOf("sys-namespaces-list-elided.jsonl");
/** What the elided entry of LIST secret/metadata/big/ holds when the folder has 1,500 keys. */
const elidedBigResponse = elidedResponse
  .replaceAll("secret/metadata/app/", "secret/metadata/big/")
  .replace('"data":{"keys":3}', '"data":{"keys":1500}');

const mounts = new InMemoryMountTable();
mounts.set("", [
  mountInfo("secret/", { type: "kv", options: { version: "2" } }),
  mountInfo("sys/", { type: "system" }),
]);
const scope = compileScope({});
const notResponse: ClassifyResult = { action: "ignore", reason: "not_response" };
const notAWrite: ClassifyResult = { action: "ignore", reason: "not_a_write" };

describe("a LIST entry, from real OpenBao", () => {
  test("the captured lines are what their names say", () => {
    expect(JSON.parse(plainResponse).response.data.keys).toHaveLength(3);
    expect(JSON.parse(elidedResponse).response.data).toEqual({ keys: 3 });
    expect(JSON.parse(namespacesResponse).response.data).toEqual({ key_info: 2, keys: 2 });
    expect(JSON.parse(elidedBigResponse).response.data).toEqual({ keys: 1500 });
  });

  test.each([
    ["the request entry of a LIST", plainRequest, notResponse],
    ["a LIST's response with every key written out", plainResponse, notAWrite],
    ["the request entry of a LIST on an eliding device", elidedRequest, notResponse],
    ["a LIST's response with the keys elided to their count", elidedResponse, notAWrite],
    ["an elided LIST of a 1,500-key folder", elidedBigResponse, notAWrite],
    ["the request entry of LIST sys/namespaces", namespacesRequest, notResponse],
    ["LIST sys/namespaces with keys and key_info elided", namespacesResponse, notAWrite],
  ])("%s is parsed, and is no change", (_name, line, expected) => {
    const parsed = parseAuditLine(line);
    if (!parsed.ok) throw new Error(`rejected: ${parsed.reason}`);
    expect(parsed.entry.operation).toBe("list");
    expect(classify(parsed.entry, mounts, scope)).toEqual(expected);
    const counters = createIngestCounters();
    expect(ingestLine(line, { mounts, scope, counters })).toEqual(expected);
    expect(counters.accepted).toBe(0);
    expect(Object.values(counters.rejected).every((count) => count === 0)).toBe(true);
  });
});
