// ACL policies end to end, through both of Vault's APIs: the text reaches every destination,
// deletes follow, `root` is never touched and `default` never deleted.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sendAuditLines } from "../support/audit-sender.ts";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import { onEveryDestination, stillOnEveryDestination } from "./everywhere.ts";

const READ_APP = 'path "secret/data/app/*" {\n  capabilities = ["read"]\n}\n';
const WRITE_APP = 'path "secret/data/app/*" {\n  capabilities = ["create", "update"]\n}\n';

describe.each(["udp", "tcp"] as const)("ACL policies over %s", (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ transport });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  /** A real response entry of the trail, rewritten to claim another path and operation. */
  function forged(path: string, operation: string): string {
    const real = h
      .trail()
      .find((e) => e.entry.type === "response" && e.entry.request.path.startsWith("sys/"));
    const entry = structuredClone(real!.entry);
    entry.request.path = path;
    entry.request.operation = operation;
    return JSON.stringify(entry);
  }

  test("a policy written, changed and deleted through sys/policies/acl follows on every destination", async () => {
    await h.source.must("PUT", "sys/policies/acl/app-reader", { policy: READ_APP });
    await onEveryDestination(h, async (d) => expect(await d.policy("app-reader")).toBe(READ_APP));
    await h.source.must("PUT", "sys/policies/acl/app-reader", { policy: WRITE_APP });
    await onEveryDestination(h, async (d) => expect(await d.policy("app-reader")).toBe(WRITE_APP));
    await h.source.must("DELETE", "sys/policies/acl/app-reader");
    await onEveryDestination(h, async (d) => expect(await d.policy("app-reader")).toBeNull());
  });

  test("a policy written and deleted through the legacy sys/policy API follows too", async () => {
    await h.source.must("PUT", "sys/policy/legacy-ops", { rules: READ_APP });
    await onEveryDestination(h, async (d) => expect(await d.policy("legacy-ops")).toBe(READ_APP));
    await h.source.must("PUT", "sys/policy/legacy-ops", { policy: WRITE_APP });
    await onEveryDestination(h, async (d) => expect(await d.policy("legacy-ops")).toBe(WRITE_APP));
    await h.source.must("DELETE", "sys/policy/legacy-ops");
    await onEveryDestination(h, async (d) => expect(await d.policy("legacy-ops")).toBeNull());
  });

  test("a name written in capitals arrives lower-cased, as Vault stores it", async () => {
    await h.source.must("PUT", "sys/policies/acl/Team-Admins", { policy: READ_APP });
    await onEveryDestination(h, async (d) => expect(await d.policy("team-admins")).toBe(READ_APP));
  });

  test("a change to the default policy's text reaches the destinations", async () => {
    const text = `${await h.source.policy("default")}\npath "secret/data/shared/*" {\n  capabilities = ["read"]\n}\n`;
    await h.source.must("PUT", "sys/policies/acl/default", { policy: text });
    await onEveryDestination(h, async (d) => expect(await d.policy("default")).toBe(text));
  });

  test("default is never deleted, even when the source answers that it is gone", async () => {
    const before = await h.destinations[0]!.policy("default");
    // A source that answers a clean 404 for default, and an entry that claims it was deleted.
    await h.source.faults([{ kind: "status", status: 404, path: "sys/policies/acl/default", method: "GET" }]);
    try {
      await h.source.must("PUT", "sys/policies/acl/default-marker", { policy: READ_APP });
      await sendAuditLines(h.listening, [forged("sys/policies/acl/default", "delete")]);
      await h.source.must("PUT", "sys/policies/acl/default-marker", { policy: WRITE_APP });
      await onEveryDestination(h, async (d) => expect(await d.policy("default-marker")).toBe(WRITE_APP));
      await h.courier.waitForLog(
        "synced",
        (r) => r.key === "policy default" && r.skipped === "default-policy",
      );
      await stillOnEveryDestination(h, async (d) => expect(await d.policy("default")).toBe(before));
    } finally {
      await h.source.clearFaults();
    }
  });

  test("root is never read or written on a destination, whatever an entry claims", async () => {
    const dir = mkdtempSync(join(tmpdir(), "courier-root-"));
    const destination = h.destinations[0]!;
    const trail = join(dir, "destination-audit.log");
    await destination.must("PUT", "sys/audit/watch", { type: "file", options: { file_path: trail } });
    try {
      await sendAuditLines(h.listening, [
        forged("sys/policies/acl/root", "update"),
        forged("sys/policy/ROOT", "delete"),
      ]);
      await h.source.must("PUT", "sys/policies/acl/root-marker", { policy: READ_APP });
      await onEveryDestination(h, async (d) => expect(await d.policy("root-marker")).toBe(READ_APP));
      await h.courier.waitForLog("synced", (r) => r.key === "policy root" && r.skipped === "root-policy");
      const touched = readFileSync(trail, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line).request.path as string);
      expect(touched).toContain("sys/policies/acl/root-marker");
      expect(touched.filter((path) => /root$/i.test(path))).toEqual([]);
    } finally {
      await destination.must("DELETE", "sys/audit/watch");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
