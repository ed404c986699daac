import { afterAll, describe, expect, test } from "bun:test";
import {
  copyFileSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { numberOf, range, tailers, tempDirs, VaultLikeWriter } from "./file-tail-support.ts";
import { waitFor } from "./helpers.ts";

const dirs = tempDirs();
const tails = tailers();
afterAll(async () => {
  await tails.closeAll();
  dirs.removeAll();
});

/** A log file with a writer, and a state directory beside it. */
function setup() {
  const dir = dirs.make();
  const path = join(dir, "audit.log");
  return { path, stateDir: join(dir, "state"), writer: new VaultLikeWriter(path) };
}

describe("file tailer: restarts", () => {
  test("resumes where it stopped: nothing twice, nothing missed of what was written meanwhile", async () => {
    const { path, stateDir, writer } = setup();
    writer.entries(0, 4);
    const first = await tails.start(path, { stateDir });
    writer.entries(5, 54);
    await waitFor(() => first.lines.length === 50, "the first run's entries");
    await first.tailer.close();
    writer.entries(55, 79);
    const second = await tails.start(path, { stateDir });
    writer.entries(80, 99);
    await waitFor(() => second.lines.length >= 45, "the second run's entries");
    await Bun.sleep(40);
    expect(first.numbers()).toEqual(range(5, 54));
    expect(second.numbers()).toEqual(range(55, 99));
  });

  test("finds the file renamed by a rotation while stopped, and reads its rest as well as the new file", async () => {
    const { path, stateDir, writer } = setup();
    const first = await tails.start(path, { stateDir });
    writer.entries(0, 9);
    await waitFor(() => first.lines.length === 10, "the first run's entries");
    await first.tailer.close();
    writer.entries(10, 19);
    renameSync(path, `${path}.1`);
    writer.entries(20, 29);
    writer.reopen();
    writer.entries(30, 39);
    const second = await tails.start(path, { stateDir });
    await waitFor(() => second.lines.length >= 30, "the entries written while stopped");
    await Bun.sleep(40);
    expect([...second.numbers()].sort((a, b) => a - b)).toEqual(range(10, 39));
  });

  test("reads from the start a file truncated while stopped", async () => {
    const { path, stateDir, writer } = setup();
    const first = await tails.start(path, { stateDir });
    writer.entries(0, 29);
    await waitFor(() => first.lines.length === 30, "the first run's entries");
    await first.tailer.close();
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    writer.entries(30, 34);
    const second = await tails.start(path, { stateDir });
    await waitFor(() => second.lines.length === 5, "the entries after truncation");
    expect(second.numbers()).toEqual(range(30, 34));
  });

  test("keeps its offset in one small file in the state directory, replaced whole", async () => {
    const { path, stateDir, writer } = setup();
    const { lines, tailer } = await tails.start(path, { stateDir });
    writer.entries(0, 9);
    await waitFor(() => lines.length === 10, "ten entries");
    await tailer.close();
    const names = readdirSync(stateDir);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^file-offset-[0-9a-f]{16}\.json$/);
    const saved = JSON.parse(readFileSync(join(stateDir, names[0]!), "utf8"));
    const info = statSync(path, { bigint: true });
    expect(saved).toEqual({
      version: 1,
      path,
      files: [{ dev: String(info.dev), ino: String(info.ino), offset: Number(info.size) }],
    });
  });
});

describe("file tailer: state it cannot use", () => {
  test("warns once when the state directory cannot be written and keeps reading; the next start begins at the end", async () => {
    const { path, writer } = setup();
    const blocker = join(dirs.make(), "not-a-dir");
    writeFileSync(blocker, "");
    const stateDir = join(blocker, "state");
    const first = await tails.start(path, { stateDir });
    writer.entries(0, 19);
    await waitFor(() => first.lines.length === 20, "entries despite the state directory");
    await Bun.sleep(60);
    expect(first.warnings).toHaveLength(1);
    expect(first.warnings[0]).toContain(`cannot save the audit file offset in ${stateDir}`);
    await first.tailer.close();
    writer.entries(20, 24);
    const second = await tails.start(path, { stateDir });
    writer.entries(25, 29);
    await waitFor(() => second.lines.length === 5, "the entries after the second start");
    expect(second.numbers()).toEqual(range(25, 29));
  });

  test("warns about a state file it cannot understand and starts at the end", async () => {
    const { path, stateDir, writer } = setup();
    const first = await tails.start(path, { stateDir });
    await first.tailer.close();
    const [name] = readdirSync(stateDir);
    writeFileSync(join(stateDir, name!), "{not json");
    writer.entries(0, 4);
    const second = await tails.start(path, { stateDir });
    writer.entries(5, 9);
    await waitFor(() => second.lines.length === 5, "the new entries");
    expect(second.numbers()).toEqual(range(5, 9));
    expect(second.warnings[0]).toContain("is not a saved offset for");
  });
});

describe("file tailer: killed mid-burst", () => {
  test("a tailer killed with SIGKILL and started again misses nothing and does not start over", async () => {
    const { path, stateDir, writer } = setup();
    const child = Bun.spawn([process.execPath, "-e", childScript(path, stateDir)], { stdout: "pipe" });
    const seenByChild: number[] = [];
    let ready = false;
    const reading = readLines(child.stdout, (line) => {
      if (line === "ready") ready = true;
      else seenByChild.push(numberOf(line));
    });
    await waitFor(() => ready, "the child tailer ready", 10_000);
    for (let n = 0; n < 2000; n += 10) {
      writer.entries(n, n + 9);
      if (n === 800) await waitFor(() => seenByChild.length > 600, "the child reading mid-burst");
      if (n === 1000) child.kill("SIGKILL");
      await Bun.sleep(1);
    }
    await child.exited;
    await reading;
    const second = await tails.start(path, { stateDir });
    await waitFor(() => second.numbers().at(-1) === 1999, "the last entry");
    const resumedAt = second.numbers()[0]!;
    expect(seenByChild).toEqual(range(0, seenByChild.length - 1));
    expect(resumedAt).toBeGreaterThan(0); // it resumed from the saved offset…
    expect(resumedAt).toBeLessThanOrEqual(seenByChild.length); // …which skipped nothing unseen
    expect(second.numbers()).toEqual(range(resumedAt, 1999));
  });
});

function childScript(path: string, stateDir: string): string {
  const src = join(import.meta.dir, "../../../src/audit");
  return `
    import { tailFile } from ${JSON.stringify(`${src}/listeners/file-tail.ts`)};
    import { createIngestCounters } from ${JSON.stringify(`${src}/counters.ts`)};
    await tailFile(${JSON.stringify(path)}, {
      stateDir: ${JSON.stringify(stateDir)}, pollIntervalMs: 10, saveIntervalMs: 20,
      counters: createIngestCounters(), allow: [],
      onLine: (line) => process.stdout.write(line + "\\n"),
    });
    process.stdout.write("ready\\n");
  `;
}

async function readLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let held = "";
  for await (const chunk of stream) {
    held += decoder.decode(chunk, { stream: true });
    const parts = held.split("\n");
    held = parts.pop()!;
    for (const part of parts) onLine(part);
  }
}
