import { describe, expect, test } from "bun:test";
import { LiveReads } from "../../src/agent/live-reads.ts";

const TWO_DESTINATIONS = 2;
const book = () => new LiveReads(100, TWO_DESTINATIONS);

describe("LiveReads: which runs read the source's data alone", () => {
  test("a key no hint named is read in full", () => {
    expect(book().start("k").dataOnly).toBe(false);
  });

  test.each([
    ["a data-path write", [true], true],
    ["a metadata/ write", [false], false],
    ["a metadata/ write, then a data-path write", [false, true], false],
    ["data-path writes only", [true, true, true], true],
  ])("after %s, dataOnly is %p", (_, hints, dataOnly) => {
    const reads = book();
    for (const dataPath of hints) reads.hint("k", dataPath);
    expect(reads.start("k").dataOnly).toBe(dataOnly);
  });

  test("a pass offering the key asks for its metadata", () => {
    const reads = book();
    reads.hint("k", true);
    reads.pass("k");
    expect(reads.start("k").dataOnly).toBe(false);
  });

  test("a clean run over every destination forgets the key", () => {
    const reads = book();
    reads.hint("k", false);
    const run = reads.start("k");
    reads.settle("k", run, TWO_DESTINATIONS, true);
    expect(reads.size).toBe(0);
  });

  test.each([
    ["failed somewhere", TWO_DESTINATIONS, false],
    ["covered one destination of two (the other backing off)", 1, true],
  ])("a settings run that %s keeps asking for the metadata", (_, covered, clean) => {
    const reads = book();
    reads.hint("k", false);
    reads.settle("k", reads.start("k"), covered, clean);
    reads.hint("k", true);
    expect(reads.start("k").dataOnly).toBe(false);
  });

  test("a data-path hint during a settings run: the rerun reads data alone", () => {
    const reads = book();
    reads.hint("k", false);
    const run = reads.start("k");
    reads.hint("k", true);
    reads.settle("k", run, TWO_DESTINATIONS, true);
    expect(reads.start("k").dataOnly).toBe(true);
  });

  test("a settings hint during a run: the rerun reads the metadata", () => {
    const reads = book();
    reads.hint("k", true);
    const run = reads.start("k");
    reads.hint("k", false);
    reads.settle("k", run, TWO_DESTINATIONS, true);
    expect(reads.start("k").dataOnly).toBe(false);
  });

  test("when full it starts over, and a forgotten key is read in full", () => {
    const reads = new LiveReads(2, TWO_DESTINATIONS);
    reads.hint("a", true);
    reads.hint("b", true);
    reads.hint("c", true);
    expect(reads.size).toBe(1);
    expect(reads.start("a").dataOnly).toBe(false);
    expect(reads.start("c").dataOnly).toBe(true);
  });
});
