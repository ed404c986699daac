// Saves the tailer's offsets at most once an interval, and once more when it stops. A crash loses
// at most an interval's worth of progress: those lines are read again on restart, which is
// harmless, since an entry only says "sync this key" (rule 1). A state directory that cannot be
// written is said once; reading carries on, only resuming is lost.

import { describe, type OffsetRecord, saveOffsets } from "./file-offset-store.ts";

export const DEFAULT_SAVE_INTERVAL_MS = 1000;

export interface OffsetSaver {
  /** Something moved: save within the interval. */
  changed(): void;
  /** Saves now if anything is unsaved, after any save in progress; never throws. */
  flush(): Promise<void>;
}

export interface SaverOptions {
  stateDir: string | undefined;
  intervalMs: number;
  snapshot: () => OffsetRecord;
  onWarning?: (message: string) => void;
}

export function createOffsetSaver(options: SaverOptions): OffsetSaver {
  const { stateDir, intervalMs, snapshot } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let saving: Promise<void> = Promise.resolve();
  let lastSavedAt = Number.NEGATIVE_INFINITY;
  let lastText = "";
  let warned = false;

  async function save(): Promise<void> {
    if (stateDir === undefined) return;
    const record = snapshot();
    const text = JSON.stringify(record);
    if (text === lastText) return;
    lastSavedAt = performance.now();
    try {
      await saveOffsets(stateDir, record);
      lastText = text;
      warned = false;
    } catch (error) {
      if (!warned) {
        options.onWarning?.(
          `cannot save the audit file offset in ${stateDir} (${describe(error)}); reading goes on, but a restart will not resume where it stopped: make the state directory writable`,
        );
      }
      warned = true;
    }
  }

  function queue(): Promise<void> {
    saving = saving.then(save);
    return saving;
  }

  return {
    changed() {
      if (stateDir === undefined || timer !== undefined) return;
      const wait = Math.max(0, intervalMs - (performance.now() - lastSavedAt));
      timer = setTimeout(() => {
        timer = undefined;
        void queue();
      }, wait);
    },
    flush() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      return queue();
    },
  };
}
