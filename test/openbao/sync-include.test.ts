// The reproduction on real OpenBao: secret/gone/x on the source, then `courier sync` with
// an include glob written relative to the mount (refused, naming it) and in the documented form
// "<mount><path>" (the key is copied).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { courier } from "../support/courier-process.ts";
import { type BaoServer, baoClient, localBao, startOpenBao } from "../support/openbao.ts";

describe.skipIf(!localBao)("sync.include against real OpenBao", () => {
  let source: BaoServer;
  let destination: BaoServer;
  let flags: string[];
  beforeAll(async () => {
    [source, destination] = await Promise.all([startOpenBao(), startOpenBao()]);
    flags = [
      `--vault.source.address=${source.address}`,
      `--vault.source.token=${source.token}`,
      `--vault.destinations.addresses=${destination.address}`,
      `--vault.destinations.tokens=${destination.token}`,
    ];
    const written = await baoClient(source)("POST", "secret/data/gone/x", { data: { v: "gone-x" } });
    expect(written.status).toBe(200);
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), destination?.stop()]);
  });

  const onDestination = async () =>
    (await baoClient(destination)("GET", "secret/data/gone/x")).body?.data?.data ?? null;

  test("'gone/**' is refused at start-up with exit 2, naming the glob and the glob meant", async () => {
    const out = await courier(["sync", ...flags, "--sync.include=gone/**"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(
      'sync.include "gone/**" can match no key in the KV mounts in scope (secret/)',
    );
    expect(out.stderr).toContain('did you mean "secret/gone/**"?');
    expect(await onDestination()).toBeNull();
  });

  test("'secret/gone/**' copies secret/gone/x and exits 0", async () => {
    const out = await courier(["sync", ...flags, "--sync.include=secret/gone/**"]);
    expect([out.code, out.stderr]).toEqual([0, expect.any(String)]);
    expect(await onDestination()).toEqual({ v: "gone-x" });
  });
});
