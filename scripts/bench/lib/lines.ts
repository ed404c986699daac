// Audit lines to feed Courier: the published and constructed fixtures, and generated entries of
// 1–2 KB shaped like what Vault writes for a KV v2 write (request entry, then response entry; every
// value HMAC'd; keys sorted, time and type last). The generated ones are built from the fixture of
// a KV v2 update, so they differ from real entries only in path, ids and the number of fields.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InMemoryMountTable } from "../../../src/audit/mount-table.ts";

export const FIXTURES = join(import.meta.dir, "../../../test/fixtures/vault-audit");
const TEMPLATE = join(FIXTURES, "derived/kv2-data-write-update.jsonl");

/** Every fixture entry as one compact line (pretty .json files compacted, fragments skipped). */
export function fixtureLines(): string[] {
  const out: string[] = [];
  for (const dir of ["real", "derived"]) {
    for (const file of readdirSync(join(FIXTURES, dir)).sort()) {
      const text = readFileSync(join(FIXTURES, dir, file), "utf8");
      if (file.endsWith(".json")) out.push(JSON.stringify(JSON.parse(text)));
      else if (file.endsWith(".jsonl")) out.push(...text.split("\n").filter((line) => line !== ""));
    }
  }
  return out;
}

export interface WriteEntries {
  request: string;
  response: string;
}

type Entry = { request: Record<string, unknown>; [key: string]: unknown };

let template: { request: Entry; response: Entry } | undefined;

function loadTemplate(): { request: Entry; response: Entry } {
  if (template) return template;
  const [request, response] = readFileSync(TEMPLATE, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Entry);
  template = { request: request!, response: response! };
  return template;
}

/**
 * The request and response entries of a KV v2 write of `path` on mount secret/ with `fields`
 * HMAC'd values. writeEntries("app/7", 3, 7) → response ≈ 1.6 KB with path "secret/data/app/7"
 */
export function writeEntries(path: string, fields: number, seq: number): WriteEntries {
  const { request, response } = loadTemplate();
  const data: Record<string, string> = {};
  for (let i = 0; i < fields; i++) data[`field_${i}`] = `hmac-sha256:${hex(seq * 31 + i, 64)}`;
  const id = `${hex(seq, 8)}-0001-eabf-2a97-${hex(seq * 7, 12)}`;
  const req = { ...request.request, id, path: `secret/data/${path}`, data: { data, options: {} } };
  const time = new Date(Date.UTC(2025, 5, 4, 20, 2, 46) + seq).toISOString();
  return {
    request: JSON.stringify({ ...request, request: req, time, type: "request" }),
    response: JSON.stringify({ ...response, request: req, time, type: "response" }),
  };
}

/**
 * A stream as Vault writes it: for each of `count` writes, its request then its response entry,
 * over `keys` distinct secrets, 1 to 5 fields each (entries of about 1.4 to 1.9 KB), with the
 * fixture lines mixed in. writeStream(2, 2) → 4 generated lines + the fixtures
 */
export function writeStream(count: number, keys: number): string[] {
  const lines: string[] = [];
  const fixtures = fixtureLines();
  for (let i = 0; i < count; i++) {
    const entries = writeEntries(`apps/team-${i % 17}/service-${i % keys}/config`, 1 + (i % 5), i);
    lines.push(entries.request, entries.response);
    if (i % 50 === 0) lines.push(fixtures[(i / 50) % fixtures.length]!);
  }
  return lines;
}

/**
 * The entries of a KV v2 write padded to about `bytes` each, with one HMAC'd field per ~88 bytes.
 * paddedWrite("load/1", 2048, 1).response.length → about 2048
 */
export function paddedWrite(path: string, bytes: number, seq: number): WriteEntries {
  const base = writeEntries(path, 0, seq).response.length;
  const fields = Math.max(1, Math.round((bytes - base) / 88));
  return writeEntries(path, fields, seq);
}

/**
 * The mounts of the fixtures' servers plus secret/ as KV v2, as the agent would load them from
 * the source's `GET sys/mounts`.
 */
export function benchMountTable(): InMemoryMountTable {
  const table = new InMemoryMountTable();
  const kv = (version: string) => ({ type: "kv", options: { version } });
  table.setFromResponse("", {
    data: {
      "secret/": kv("2"),
      "kv-v2/": kv("2"),
      "kv/": kv("1"),
      "kv1/": kv("1"),
      "transit/": { type: "transit", options: null },
      "pki/": { type: "pki", options: null },
      "pki_int/": { type: "pki", options: null },
      "internal-ca/": { type: "pki", options: null },
      "totp/": { type: "totp", options: null },
      "cubbyhole/": { type: "cubbyhole", options: null },
      "identity/": { type: "identity", options: null },
      "sys/": { type: "system", options: null },
    },
  });
  table.setFromResponse("team-a/", { data: { "secret/": kv("2") } });
  return table;
}

/** hex(255, 4) → "00ff": a deterministic hex string of `length` digits. */
function hex(n: number, length: number): string {
  let out = "";
  let x = (n * 2654435761) >>> 0;
  while (out.length < length) {
    x = (Math.imul(x ^ (x >>> 13), 0x5bd1e995) + 0x6b43a9b5) >>> 0;
    out += x.toString(16).padStart(8, "0");
  }
  return out.slice(0, length);
}
