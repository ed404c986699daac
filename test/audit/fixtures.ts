// Audit lines from test/fixtures/vault-audit, one string per entry, and the mount tables of
// the servers that wrote them.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InMemoryMountTable } from "../../src/audit/mount-table.ts";

export const FIXTURES = join(import.meta.dir, "../fixtures/vault-audit");

export interface FixtureLine {
  /** "real/vg-kv1-create.jsonl#1" */
  name: string;
  line: string;
}

/** Every entry in real/ and derived/: .jsonl files line by line, pretty .json files compacted. */
export function fixtureLines(): FixtureLine[] {
  const out: FixtureLine[] = [];
  for (const dir of ["real", "derived"]) {
    for (const file of readdirSync(join(FIXTURES, dir)).sort()) {
      const text = readFileSync(join(FIXTURES, dir, file), "utf8");
      if (file.endsWith(".json")) {
        out.push({ name: `${dir}/${file}`, line: JSON.stringify(JSON.parse(text)) });
      } else if (file.endsWith(".jsonl") || file.endsWith(".txt")) {
        const lines = text.split("\n").filter((line) => line !== "");
        for (const [i, line] of lines.entries()) out.push({ name: `${dir}/${file}#${i}`, line });
      }
    }
  }
  return out;
}

/**
 * The 2020 server's mounts (kv/ v1, kv-v2/ v2, transit/, pki/, pki_int/, totp/, cubbyhole/, as
 * its README says), the 2021 server's secret/ (kv) and internal-ca/ (pki) and the derived
 * lines' secret/ (v2) and kv1/ (v1), with team-a/ holding a secret/ v2: as `GET sys/mounts`
 * answers, in the old top-level shape for the root and the `data` shape for team-a/.
 */
export function fixtureMountTable(): InMemoryMountTable {
  const table = new InMemoryMountTable();
  table.setFromResponse("", {
    "kv/": { type: "kv", options: null },
    "kv-v2/": { type: "kv", options: { version: "2" } },
    "secret/": { type: "kv", options: { version: "2" } },
    "kv1/": { type: "kv", options: { version: "1" } },
    "transit/": { type: "transit", options: null },
    "pki/": { type: "pki", options: null },
    "pki_int/": { type: "pki", options: null },
    "internal-ca/": { type: "pki", options: null },
    "totp/": { type: "totp", options: null },
    "cubbyhole/": { type: "cubbyhole", options: null },
    "identity/": { type: "identity", options: null },
    "sys/": { type: "system", options: null },
    request_id: "5b2c3d1e-0000-0000-0000-000000000000",
    lease_duration: 0,
  });
  table.setFromResponse("team-a/", {
    request_id: "5b2c3d1e-0000-0000-0000-000000000001",
    data: {
      "secret/": { type: "kv", options: { version: "2" } },
      "cubbyhole/": { type: "ns_cubbyhole", options: null },
      "sys/": { type: "ns_system", options: null },
    },
  });
  return table;
}
