import { describe, expect, test } from "bun:test";
import { type ClassifyResult, classify, ingestLine } from "../../src/audit/classify.ts";
import { createIngestCounters } from "../../src/audit/counters.ts";
import { parseAuditLine } from "../../src/audit/parse.ts";
import { compileScope } from "../../src/audit/scope.ts";
import { POLICY_MOUNT } from "../../src/sync-key.ts";
import { fixtureLines, fixtureMountTable } from "./fixtures.ts";

const kv = (namespace: string, mount: string, path: string): ClassifyResult => ({
  action: "sync",
  key: { kind: "kv", namespace, mount, path },
});
/** A KV v2 key written through data/, delete/, undelete/ or destroy/. */
const kvData = (namespace: string, mount: string, path: string): ClassifyResult => ({
  action: "sync",
  key: { kind: "kv", namespace, mount, path },
  dataPath: true,
});
const policy = (name: string): ClassifyResult => ({
  action: "sync",
  key: { kind: "policy", namespace: "", mount: POLICY_MOUNT, path: name },
});
const ignore = (reason: string): ClassifyResult => ({ action: "ignore", reason }) as ClassifyResult;

/** What every fixture line must become; "rejected" for lines that are no entry at all. */
const EXPECTED: Record<string, ClassifyResult | "rejected"> = {
  "real/docs-schema-token-lookup-self-request.json": ignore("not_response"),
  "real/docs-schema-token-lookup-self-response.json": ignore("not_a_write"),
  "real/elastic-kmip-response-other-type.jsonl#0": ignore("not_response"),
  "real/elastic-kv2-data-read.jsonl#0": ignore("not_response"),
  "real/elastic-kv2-data-read.jsonl#1": ignore("not_a_write"),
  "real/elastic-permission-denied-pki-update.jsonl#0": ignore("not_response"),
  "real/elastic-permission-denied-pki-update.jsonl#1": ignore("failed_request"),
  "real/issue-14149-sys-policies-acl-update-FRAGMENT.txt#0": "rejected",
  "real/vg-kv1-create.jsonl#0": ignore("not_response"),
  "real/vg-kv1-create.jsonl#1": kv("", "kv/", "lab/user7-my-secret-3"),
  "real/vg-kv1-delete.jsonl#0": ignore("not_response"),
  "real/vg-kv1-delete.jsonl#1": kv("", "kv/", "event/event-1"),
  "real/vg-kv1-update.jsonl#0": ignore("not_response"),
  "real/vg-kv1-update.jsonl#1": kv("", "kv/", "lab/user7-my-secret-3"),
  "real/vg-kv2-data-create.jsonl#0": ignore("not_response"),
  "real/vg-kv2-data-create.jsonl#1": kvData("", "kv-v2/", "lab-admin-1"),
  "real/vg-kv2-data-update.jsonl#0": ignore("not_response"),
  "real/vg-kv2-data-update.jsonl#1": kvData("", "kv-v2/", "lab/user7-my-secret-3"),
  "real/vg-kv2-metadata-list.jsonl#0": ignore("not_response"),
  "real/vg-kv2-metadata-list.jsonl#1": ignore("not_a_write"),
  "real/vg-permission-denied-sys-mounts-read.jsonl#0": ignore("not_response"),
  "real/vg-permission-denied-sys-mounts-read.jsonl#1": ignore("failed_request"),
  "real/vg-policies-acl-update.jsonl#0": ignore("not_response"),
  "real/vg-policies-acl-update.jsonl#1": policy("admins"),
  "real/vg-sys-mounts-enable-kv.jsonl#0": ignore("not_response"),
  "real/vg-sys-mounts-enable-kv.jsonl#1": { action: "refresh-mounts", namespace: "" },
  "derived/ent-namespace-kv2-write.jsonl#0": ignore("not_response"),
  "derived/ent-namespace-kv2-write.jsonl#1": kvData("team-a/", "secret/", "app/db"),
  "derived/kv1-delete.jsonl#0": ignore("not_response"),
  "derived/kv1-delete.jsonl#1": kv("", "kv1/", "app/db"),
  "derived/kv1-write-create.jsonl#0": ignore("not_response"),
  "derived/kv1-write-create.jsonl#1": kv("", "kv1/", "app/db"),
  "derived/kv2-data-delete-latest.jsonl#0": ignore("not_response"),
  "derived/kv2-data-delete-latest.jsonl#1": kvData("", "secret/", "app/db"),
  "derived/kv2-data-patch.jsonl#0": ignore("not_response"),
  "derived/kv2-data-patch.jsonl#1": kvData("", "secret/", "app/db"),
  "derived/kv2-data-write-update.jsonl#0": ignore("not_response"),
  "derived/kv2-data-write-update.jsonl#1": kvData("", "secret/", "app/db"),
  "derived/kv2-delete-versions.jsonl#0": ignore("not_response"),
  "derived/kv2-delete-versions.jsonl#1": kvData("", "secret/", "app/db"),
  "derived/kv2-destroy-versions.jsonl#0": ignore("not_response"),
  "derived/kv2-destroy-versions.jsonl#1": kvData("", "secret/", "app/db"),
  "derived/kv2-metadata-delete.jsonl#0": ignore("not_response"),
  "derived/kv2-metadata-delete.jsonl#1": kv("", "secret/", "app/db"),
  "derived/kv2-metadata-write.jsonl#0": ignore("not_response"),
  "derived/kv2-metadata-write.jsonl#1": kv("", "secret/", "app/db"),
  "derived/kv2-undelete-versions.jsonl#0": ignore("not_response"),
  "derived/kv2-undelete-versions.jsonl#1": kvData("", "secret/", "app/db"),
  "derived/sys-policies-acl-delete.jsonl#0": ignore("not_response"),
  "derived/sys-policies-acl-delete.jsonl#1": policy("app-ro"),
  "derived/sys-policies-acl-write.jsonl#0": ignore("not_response"),
  "derived/sys-policies-acl-write.jsonl#1": policy("app-ro"),
  "derived/sys-policy-legacy-delete.jsonl#0": ignore("not_response"),
  "derived/sys-policy-legacy-delete.jsonl#1": policy("app-ro"),
  "derived/sys-policy-legacy-write.jsonl#0": ignore("not_response"),
  "derived/sys-policy-legacy-write.jsonl#1": policy("app-ro"),
};

const lines = fixtureLines();
const mounts = fixtureMountTable();
const scope = compileScope({});

describe("every fixture audit line", () => {
  test("has an expectation, and every expectation a line", () => {
    expect(lines.map((l) => l.name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test.each(lines.map((l) => [l.name, l.line] as const))("%s classifies as expected", (name, line) => {
    const parsed = parseAuditLine(line);
    const expected = EXPECTED[name];
    if (expected === "rejected") {
      expect(parsed.ok).toBe(false);
      return;
    }
    if (!parsed.ok) throw new Error(`${name} was rejected: ${parsed.reason}`);
    expect(classify(parsed.entry, mounts, scope)).toEqual(expected!);
  });

  test.each(lines.map((l) => [l.name, l.line] as const))(
    "%s gets the same answer through ingestLine's request shortcut",
    (name, line) => {
      const expected = EXPECTED[name];
      const result = ingestLine(line, { mounts, scope, counters: createIngestCounters() });
      expect(result).toEqual(expected === "rejected" ? undefined : expected);
    },
  );

  test("the 2020 lines classify by the mount table alone: they carry no mount_type or mount_point", () => {
    const old = lines.filter((l) => l.name.startsWith("real/vg-kv"));
    expect(old.length).toBe(12);
    for (const { line } of old) {
      const parsed = parseAuditLine(line);
      expect(parsed).toMatchObject({ ok: true, entry: { mountType: undefined, mountPoint: undefined } });
    }
  });

  test("counts each line once: 21 keys, 1 mount refresh, 1 rejected, the rest ignored", () => {
    const counters = createIngestCounters();
    for (const { line } of lines) ingestLine(line, { mounts, scope, counters });
    const ignored = Object.values(counters.ignored).reduce((a, b) => a + b, 0);
    const rejected = Object.values(counters.rejected).reduce((a, b) => a + b, 0);
    expect(counters.accepted).toBe(21);
    expect(counters.mountRefreshes).toBe(1);
    expect(rejected).toBe(1);
    expect(counters.accepted + counters.mountRefreshes + rejected + ignored).toBe(lines.length);
  });
});
