// What runs while the user pokes at the sandbox: every sync Courier reports, one line per key
// (Courier logs one line per destination; those of one sync arrive together and are joined),
// and Courier's warnings and errors as they come.
import type { CourierLine, SyncLine } from "./courier-lines.ts";
import { type Cell, clock, type Destination, formatLive, nameOf, shortKey } from "./display.ts";

/** How long lines of one key wait for the other destinations' lines of the same sync. */
const JOIN_MS = 30;

interface Pending {
  cells: Map<string, Cell>;
  ms?: number;
  timer: ReturnType<typeof setTimeout>;
}

export class LiveFeed {
  readonly #pending = new Map<string, Pending>();

  constructor(
    private readonly destinations: readonly Destination[],
    private readonly print: (line: string) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  see(line: CourierLine): void {
    if (line.kind === "sync") this.#sync(line);
    else if (line.kind === "problem") {
      const detail = line.detail ? ` (${line.detail})` : "";
      this.print(`  ${clock(this.now())}  ! ${line.msg}${detail}`);
    }
  }

  #sync(line: SyncLine): void {
    const name = nameOf(this.destinations, line.destination);
    let pending = this.#pending.get(line.key);
    if (!pending) {
      pending = { cells: new Map(), timer: setTimeout(() => this.#print(line.key), JOIN_MS) };
      this.#pending.set(line.key, pending);
    }
    pending.cells.set(name, { destination: name, result: line.result });
    if (line.ms !== undefined) pending.ms = Math.max(pending.ms ?? 0, line.ms);
    if (pending.cells.size === this.destinations.length) this.#print(line.key);
  }

  #print(key: string): void {
    const pending = this.#pending.get(key);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#pending.delete(key);
    const cells = this.destinations.flatMap((d) => pending.cells.get(d.name) ?? []);
    this.print(formatLive(this.now(), shortKey(key), cells, pending.ms));
  }
}
