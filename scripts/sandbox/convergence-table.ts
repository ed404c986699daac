// The live table of the scripted part: one row per key written on the source, printed the moment
// Courier says every destination has it, with the time from the write to that word.
import { isSettled, type SyncLine } from "./courier-lines.ts";
import { type Cell, type Destination, formatRow, nameOf, shortKey } from "./display.ts";

interface Row {
  startedAt: number;
  cells: Map<string, Cell>;
  /** Destination name → syncs that did not get there (retry, failed) before one did. */
  misses: Map<string, number>;
  printed: boolean;
}

export class ConvergenceTable {
  readonly #rows = new Map<string, Row>();
  readonly #waiters = new Set<() => void>();

  constructor(
    private readonly destinations: readonly Destination[],
    private readonly print: (line: string) => void,
    private readonly width: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A key about to be written on the source. */
  expect(key: string): void {
    this.#rows.set(key, { startedAt: this.now(), cells: new Map(), misses: new Map(), printed: false });
  }

  /** A sync line from Courier; settles a cell the first time that destination holds the key. */
  see(line: SyncLine): void {
    const row = this.#rows.get(line.key);
    const name = nameOf(this.destinations, line.destination);
    if (!row || row.printed || row.cells.has(name)) return;
    const misses = row.misses.get(name) ?? 0;
    if (!isSettled(line.result)) {
      if (line.result === "retry" || line.result === "failed") row.misses.set(name, misses + 1);
      return;
    }
    const note = misses === 0 ? undefined : misses === 1 ? "after 1 retry" : `after ${misses} retries`;
    row.cells.set(name, { destination: name, result: line.result, ms: this.now() - row.startedAt, note });
    if (row.cells.size < this.destinations.length) return;
    this.#printRow(line.key, row);
    if (this.complete()) for (const wake of this.#waiters) wake();
  }

  complete(): boolean {
    return [...this.#rows.values()].every((row) => row.printed);
  }

  /** Waits until every row is printed, or `ms` passed; then prints what is still missing. */
  async settle(ms: number): Promise<boolean> {
    if (!this.complete()) {
      let wake = () => {};
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
        this.#waiters.add(resolve);
      });
      await Promise.race([woken, Bun.sleep(ms)]);
      this.#waiters.delete(wake);
    }
    for (const [key, row] of this.#rows) if (!row.printed) this.#printRow(key, row);
    return this.complete();
  }

  #printRow(key: string, row: Row): void {
    const cells = this.destinations.map(
      (d) => row.cells.get(d.name) ?? { destination: d.name, result: "not seen yet" },
    );
    this.print(formatRow(shortKey(key), this.width, cells));
    row.printed = row.cells.size === this.destinations.length;
  }
}
