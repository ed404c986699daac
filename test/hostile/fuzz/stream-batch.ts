// The stream half of a fuzz run: inputs already seen as datagrams are joined with "\n", cut at
// random places (sometimes byte by byte), and pushed through one connection's framer. The
// outcomes must be the datagrams' outcomes, in order: framing may not change what a line means.
import type { LineFramer } from "../../../src/audit/framer.ts";
import { randomChunks, randomInt } from "../../audit/random.ts";
import { budgetMs } from "./checks.ts";
import type { Pipeline } from "./pipeline.ts";

const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export class StreamBatch {
  #inputs: Uint8Array[] = [];
  #expected: string[] = [];
  #bytes = 0;
  #target: number;
  #framer: LineFramer;

  constructor(
    private readonly random: () => number,
    private readonly pipeline: Pipeline,
    private readonly fail: (why: string) => void,
  ) {
    this.#target = this.#nextTarget();
    this.#framer = pipeline.stream();
  }

  add(bytes: Uint8Array, outcome: string): void {
    this.#inputs.push(bytes);
    this.#expected.push(outcome);
    this.#bytes += bytes.length + 1;
    if (this.#inputs.length >= this.#target || this.#bytes >= MAX_BATCH_BYTES) this.flush();
  }

  flush(): void {
    if (this.#inputs.length === 0) return;
    const joined = new Uint8Array(this.#bytes);
    let at = 0;
    for (const input of this.#inputs) {
      joined.set(input, at);
      joined[at + input.length] = 10;
      at += input.length + 1;
    }
    const small = joined.length < 512 && this.random() < 0.2;
    const chunks = small
      ? Array.from(joined, (b) => Uint8Array.of(b))
      : randomChunks(this.random, joined, 2 + randomInt(this.random, 12));
    const t0 = performance.now();
    try {
      for (const chunk of chunks) this.#framer.push(chunk);
    } catch (error) {
      this.fail(`stream framer threw ${String(error)}`);
    }
    const ms = performance.now() - t0;
    const got = this.pipeline.take();
    this.#compare(got);
    if (this.#framer.pendingBytes !== 0)
      this.fail(`framer holds ${this.#framer.pendingBytes} bytes after whole lines`);
    const budget = this.#inputs.reduce((sum, input) => sum + budgetMs(input.length), 0);
    if (ms > 2 * budget)
      this.fail(
        `a stream of ${joined.length} bytes took ${ms.toFixed(1)} ms, budget ${budget.toFixed(1)} ms`,
      );
    this.#inputs = [];
    this.#expected = [];
    this.#bytes = 0;
    this.#target = this.#nextTarget();
    // Now and then a new connection, as after a reconnect.
    if (this.random() < 0.1) this.#framer = this.pipeline.stream();
  }

  #compare(got: string[]): void {
    if (got.length !== this.#expected.length) {
      this.fail(`a stream of ${this.#expected.length} lines gave ${got.length} outcomes`);
      return;
    }
    for (let i = 0; i < got.length; i++) {
      if (got[i] !== this.#expected[i]) {
        this.fail(`line ${i} of a stream became ${got[i]}, as a datagram ${this.#expected[i]}`);
        return;
      }
    }
  }

  #nextTarget(): number {
    return 1 + randomInt(this.random, 40);
  }
}
