// Which runs may read a KV v2 key from the source through its data path alone (SyncKey.dataOnly):
// one request instead of metadata then data. An audit entry that wrote through data/, delete/,
// undelete/ or destroy/ leaves the key's settings as they were; one through metadata/
// (max_versions, cas_required, delete_version_after, custom_metadata), or a pass looking at the
// key, asks for its metadata, and that holds until a run has covered every destination without a
// failure. A key this book does not hold is read in full, so forgetting is always safe: the book
// is bounded by starting over when full.

interface Entry {
  /** Bumped by every hint, so a run only clears what it saw. */
  mark: number;
  /** The mark of the latest hint that may have changed the key's settings; -1: none since it was last synced everywhere. */
  settingsAt: number;
}

export interface RunStart {
  dataOnly: boolean;
  mark: number;
}

export class LiveReads {
  private readonly keys = new Map<string, Entry>();
  private marks = 0;

  constructor(
    private readonly limit: number,
    /** How many destinations a run covers when none is backing off. */
    private readonly destinations: number,
  ) {}

  /** An audit entry named the key; `dataPath` when it wrote through a KV v2 data-side path. */
  hint(id: string, dataPath: boolean): void {
    this.note(id, !dataPath);
  }

  /** A pass offered the key: it compares everything, settings included. */
  pass(id: string): void {
    this.note(id, true);
  }

  /** At a run's start: whether it may read the source's data alone, and the mark to settle with. */
  start(id: string): RunStart {
    const entry = this.keys.get(id);
    return entry ? { dataOnly: entry.settingsAt < 0, mark: entry.mark } : { dataOnly: false, mark: -1 };
  }

  /**
   * At a run's end. One that covered every destination and failed on none forgets the key, or,
   * when hints came during the run, what it settled: it read the source after every hint up to
   * its start, so only a settings hint since then still asks for the metadata. Any other run
   * leaves the key as it is, so a retry of a destination left behind reads what this one had to.
   */
  settle(id: string, start: RunStart, covered: number, clean: boolean): void {
    const entry = this.keys.get(id);
    if (!entry || !clean || covered < this.destinations) return;
    if (entry.mark === start.mark) this.keys.delete(id);
    else if (entry.settingsAt <= start.mark) entry.settingsAt = -1;
  }

  get size(): number {
    return this.keys.size;
  }

  private note(id: string, settings: boolean): void {
    const entry = this.keys.get(id);
    if (!entry && this.keys.size >= this.limit) this.keys.clear();
    const mark = ++this.marks;
    this.keys.set(id, { mark, settingsAt: settings ? mark : (entry?.settingsAt ?? -1) });
  }
}
