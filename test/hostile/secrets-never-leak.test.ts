// No secret value, token or policy text ever leaves Courier: a whole scenario at trace level —
// KV v1 and v2 writes, patches and deletes, custom metadata, policies written and deleted, a
// destination refusing connections, one answering 500s, a 403 on each side, then setup --dry-run,
// diff, sync --dry-run, replay --dry-run of a raw trail and a metrics scrape — and every byte
// Courier wrote is searched for every value and token the scenario used.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { courier } from "../support/courier-process.ts";
import { eventually } from "../support/eventually.ts";
import { type LeakWorld, startLeakWorld } from "./support/leak-world.ts";
import { rawTokens } from "./support/raw-trail.ts";
import { type RecordedRun, recordRun } from "./support/recorded-run.ts";

let w: LeakWorld;
let run: RecordedRun;
let config: string;
/** Everything Courier printed anywhere, gathered as the scenario goes. */
const printed: string[] = [];
/** Values written to the source (and so to the destinations). */
const secrets: string[] = [];

const secret = (name: string) => {
  const value = `v-${name}-${w.tag}-${crypto.randomUUID().slice(0, 8)}`;
  secrets.push(value);
  return value;
};
const policyText = (name: string) => {
  const text = `# note-${name}-${w.tag}\npath "app/${name}-${w.tag}/*" {\n  capabilities = ["read", "list"]\n}\n`;
  secrets.push(text, `note-${name}-${w.tag}`, `app/${name}-${w.tag}/`);
  return text;
};

beforeAll(async () => {
  w = await startLeakWorld();
  await w.source.mount("kv1", "kv", { version: "1" });
}, 20_000);

afterAll(async () => {
  if (run) await run.stop();
  await w.stop();
  rmSync(w.dir, { recursive: true, force: true });
});

test("a whole scenario at trace level, with failures on every side", async () => {
  config = w.configFile("udp://127.0.0.1:0");
  run = recordRun(["run", `--config=${config}`, "--http.address=127.0.0.1:0"]);
  const listening = await run.waitFor((r) => r.msg === "listening for audit entries", "listening");
  const metricsUrl = (await run.waitFor((r) => r.msg === "serving /healthz, /readyz and /metrics", "serving"))
    .address;
  const address = String(listening.address).replace("udp://", "");
  await w.source.must("PUT", "sys/audit/courier", {
    type: "socket",
    options: { socket_type: "udp", address },
  });

  // KV v2: write, update, patch, custom metadata, delete a version; KV v1: write, delete.
  await w.source.must("POST", "secret/data/app/db", {
    data: { password: secret("pw1"), user: secret("user") },
  });
  await w.source.must("POST", "secret/data/app/db", {
    data: { password: secret("pw2"), user: secret("user2") },
  });
  await w.source.must(
    "PATCH",
    "secret/data/app/db",
    { data: { api_key: secret("key") } },
    {
      headers: { "Content-Type": "application/merge-patch+json" },
    },
  );
  await w.source.must("POST", "secret/metadata/app/db", { custom_metadata: { owner: secret("owner") } });
  await w.source.must("POST", "secret/data/app/gone", { data: { v: secret("gone") } });
  await w.source.must("DELETE", "secret/data/app/gone");
  await w.source.must("PUT", "kv1/app", { token: secret("kv1-token") });
  await w.source.must("PUT", "kv1/old", { v: secret("kv1-old") });
  await w.source.must("DELETE", "kv1/old");
  // Policies: written, rewritten, one deleted.
  await w.source.must("PUT", "sys/policies/acl/app-read", { policy: policyText("first") });
  await w.source.must("PUT", "sys/policies/acl/app-read", { policy: policyText("second") });
  await w.source.must("PUT", "sys/policies/acl/short-lived", { policy: policyText("third") });
  await w.source.must("DELETE", "sys/policies/acl/short-lived");
  await eventually(async () => expect(await w.west.kv1Data("kv1", "app")).not.toBeNull(), {
    timeoutMs: 8000,
  });

  // East refuses connections for a moment; west answers 500 to half its writes (and to the first
  // two of one key's: its only write, then the one after reading, so that sync fails and is retried
  // whichever requests the refusal catches); a 403 each side.
  await fault(w.doubles.east.controlAddress, [{ kind: "refuse", ms: 600 }]);
  await fault(w.doubles.west.controlAddress, [
    {
      kind: "status",
      status: 500,
      path: "secret/data/while-down",
      method: "POST",
      times: 2,
      errors: ["internal error"],
    },
    { kind: "status", status: 500, share: 0.5, method: "POST", errors: ["internal error"] },
  ]);
  await w.source.must("POST", "secret/data/while-down", { data: { v: secret("down") } });
  await fault(w.doubles.east.controlAddress, [
    { kind: "status", status: 403, path: "secret/data/forbidden", errors: ["permission denied"] },
  ]);
  await fault(w.doubles.source.controlAddress, [
    {
      kind: "status",
      status: 403,
      path: "secret/data/unreadable",
      method: "GET",
      errors: ["permission denied"],
    },
  ]);
  await w.source.must("POST", "secret/data/forbidden", { data: { v: secret("forbidden") } });
  await w.source.must("POST", "secret/data/unreadable", { data: { v: secret("unreadable") } });
  await eventually(async () => expect(await w.east.kv2Data("secret", "while-down")).not.toBeNull(), {
    timeoutMs: 8000,
  });
  await eventually(async () => expect(await w.west.kv2Data("secret", "forbidden")).not.toBeNull(), {
    timeoutMs: 8000,
  });
  await run.waitFor((r) => r.msg === "sync failed" && String(r.key).includes("forbidden"), "the 403", 8000);
  await run.waitFor(
    (r) => String(r.key ?? "").includes("unreadable") && r.level === "warn",
    "the source's 403",
    8000,
  );
  for (const address of [w.doubles.west.controlAddress, w.doubles.source.controlAddress]) {
    await fetch(`${address}/_double/faults`, { method: "DELETE" });
  }

  const metrics = await fetch(`${metricsUrl}/metrics`);
  expect(metrics.status).toBe(200);
  printed.push(await metrics.text());
  expect(await run.stop()).toBe(0);
  printed.push(run.output());
  // The most verbose level really was on: every sync was logged, the failures too.
  expect(run.logs().filter((r) => r.msg === "synced").length).toBeGreaterThan(10);
  expect(run.logs().some((r) => r.msg === "sync failed" && r.result === "retry")).toBe(true);
}, 30_000);

test("the commands print nothing secret either: setup --dry-run, diff, sync --dry-run, replay --dry-run, a refused token", async () => {
  // A token the source does not know: every call it makes is refused, and the refusals printed.
  const wrong = secret("wrong-token");
  const runs = await Promise.all([
    courier(["setup", "--dry-run", `--config=${config}`]),
    courier(["diff", `--config=${config}`]),
    courier(["diff", "--format=table", `--config=${config}`]),
    courier(["sync", "--dry-run", `--config=${config}`]),
    // The raw trail holds every value and token in clear: replay must still print only keys.
    courier(["replay", "--dry-run", `--config=${config}`, w.rawTrails[0]!]),
    courier(["replay", "--dry-run", `--config=${config}`, w.trail]),
    courier(["diff", `--config=${config}`, `--vault.source.token=${wrong}`]),
    courier(["sync", `--config=${config}`, `--vault.source.token=${wrong}`]),
  ]);
  for (const r of runs) printed.push(r.stdout, r.stderr);
  // east still lacks "forbidden": diff says so by name, with exit 1.
  expect(runs[1]!.code).toBe(1);
  expect(runs[1]!.stdout).toContain("forbidden");
  expect(runs[4]!.stdout).toContain('"path":"app/db"');
  expect(runs[6]!.code).toBe(2);
  expect(runs[7]!.code).not.toBe(0);
  expect(runs[6]!.stderr).toContain("denied GET sys/mounts");
}, 30_000);

test("not one secret value, token, AppRole credential or policy text appears in any of it", () => {
  const tokens = [...new Set([...w.credentials, ...w.rawTrails.flatMap(rawTokens)])];
  // Courier logged in to west with AppRole: that token is among them, and was used.
  expect(tokens.length).toBeGreaterThan(w.credentials.length);
  const everything = printed.join("\n");
  expect(everything.length).toBeGreaterThan(10_000);
  const found = [...secrets, ...tokens].filter(
    (needle) => everything.includes(needle) || everything.includes(JSON.stringify(needle).slice(1, -1)),
  );
  expect(found).toEqual([]);
});

async function fault(control: string, rules: unknown[]): Promise<void> {
  const response = await fetch(`${control}/_double/faults`, { method: "POST", body: JSON.stringify(rules) });
  expect(response.status).toBe(200);
}
