import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listenForAudit } from "../../../src/audit/listeners/listen.ts";
import { listenUnix } from "../../../src/audit/listeners/stream.ts";
import { CourierError } from "../../../src/errors.ts";
import { entry, recorder, waitFor } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "courier-unix-"));
const open: { close(): unknown }[] = [];
afterAll(async () => {
  for (const thing of open) await thing.close();
  rmSync(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<CourierError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CourierError) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

describe("unix socket listener", () => {
  test("delivers entries split across writes, with the sender named 'unix'", async () => {
    const r = recorder();
    const path = join(dir, "a.sock");
    const listener = await listenUnix(path, r.options);
    open.push(listener);
    const socket = await Bun.connect({ unix: path, socket: { data() {} } });
    open.push({ close: () => socket.end() });
    const text = `${entry(1)}\n${entry(2)}\n`;
    socket.write(text.slice(0, 70));
    await Bun.sleep(5);
    socket.write(text.slice(70));
    await waitFor(() => r.lines.length === 2, "two entries");
    expect(r.lines).toEqual([
      { line: entry(1), sender: "unix" },
      { line: entry(2), sender: "unix" },
    ]);
    expect(listener.address).toBe(`unix://${path}`);
  });

  test("replaces a socket file left behind by a Courier that was killed", async () => {
    const path = join(dir, "stale.sock");
    const child = Bun.spawn(
      [
        process.execPath,
        "-e",
        `Bun.listen({ unix: ${JSON.stringify(path)}, socket: { data() {} } }); console.log("up"); setInterval(() => {}, 1000);`,
      ],
      { stdout: "pipe" },
    );
    const reader = child.stdout.getReader();
    await reader.read(); // "up"
    child.kill("SIGKILL");
    await child.exited;
    expect(statSync(path).isSocket()).toBe(true);

    const r = recorder();
    const listener = await listenUnix(path, r.options);
    open.push(listener);
    const socket = await Bun.connect({ unix: path, socket: { data() {} } });
    open.push({ close: () => socket.end() });
    socket.write(`${entry(3)}\n`);
    await waitFor(() => r.lines.length === 1, "an entry on the new socket");
  });

  test("refuses a path another listener is using, and leaves it working", async () => {
    const path = join(dir, "busy.sock");
    const first = recorder();
    const listener = await listenUnix(path, first.options);
    open.push(listener);
    const error = await failure(listenUnix(path, recorder().options));
    expect(error.code).toBe("LISTEN_FAILED");
    expect(error.message).toContain(`unix://${path}`);
    expect(error.message).toContain("already in use");
    const socket = await Bun.connect({ unix: path, socket: { data() {} } });
    open.push({ close: () => socket.end() });
    socket.write(`${entry(4)}\n`);
    await waitFor(() => first.lines.length === 1, "the first listener to still receive");
  });

  test("never removes a path that is not a socket", async () => {
    const path = join(dir, "regular-file");
    writeFileSync(path, "keep me");
    const error = await failure(listenUnix(path, recorder().options));
    expect(error.code).toBe("LISTEN_FAILED");
    expect(statSync(path).isFile()).toBe(true);
  });
});

describe("listenForAudit", () => {
  test("starts the listener the address names", async () => {
    const r = recorder();
    const listener = await listenForAudit("tcp://127.0.0.1:0", r.options);
    open.push(listener);
    expect(listener.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const udp = await listenForAudit("127.0.0.1:0", r.options);
    open.push(udp);
    expect(udp.address).toMatch(/^udp:\/\/127\.0\.0\.1:\d+$/);
  });
});
