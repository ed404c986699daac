// The file source: follows the file Vault's file audit device writes (`file:///var/log/vault/
// audit.log`), one JSON entry per line, framed by the same LineFramer as the socket streams. It
// only reads a file, so unlike a socket device it can never slow Vault down, however far behind
// Courier is or whether it runs at all.
//
// Where it starts: at the offset saved in the state directory, so a restart resumes where the
// last run stopped. With no saved offset it starts at the END of the file: a new Courier does not
// replay history (the start-up reconcile pass brings destinations level; `courier replay FILE`
// reads history on purpose). A file that appears later, or appeared while Courier was stopped, is
// read from its start.
//
// How it follows: fs.watch on the file's directory for low latency where the kernel supports it,
// plus a poll (default 250 ms) that always runs, so nothing depends on the watch; one read loop at
// a time, bounded reads, and onLine called synchronously as in the other listeners.

import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";
import { DEFAULT_CHUNK_BYTES, FileFollower } from "./file-follower.ts";
import { createOffsetSaver, DEFAULT_SAVE_INTERVAL_MS, describe, loadOffsets } from "./file-offsets.ts";
import { type AuditListener, framerOptions, guardedOnLine, type ListenerOptions } from "./listener.ts";

export const DEFAULT_POLL_INTERVAL_MS = 250;
/** Polling faster than this would only burn CPU: the watch already gives low latency. */
const MIN_POLL_INTERVAL_MS = 5;
/** A directory that could not be watched (not there yet) is tried again this often. */
const REWATCH_INTERVAL_MS = 5000;
/** How long a rotated file must stay quiet, once Vault writes the new one, before it is let go. */
export const DEFAULT_ROTATION_GRACE_MS = 5000;

export interface FileTailOptions extends ListenerOptions {
  /** Where offsets are saved (`state.dir`); without it every start begins at the end of the file. */
  stateDir?: string;
  /** How often the file is looked at even without a watch event (default 250 ms). */
  pollIntervalMs?: number;
  /** Offsets are saved at most this often, and at close (default 1 s). */
  saveIntervalMs?: number;
  rotationGraceMs?: number;
  /** Largest single read (default 64 KiB). */
  chunkBytes?: number;
}

export interface FileTailer extends AuditListener {
  /** Bytes of the file at the path handed on to onLine (its whole lines), when it is open. */
  readonly offset: number | undefined;
  /** Files open now: 1 normally, more while a rotated file is still drained, 0 while it is missing. */
  readonly following: number;
}

/** tailFile("/var/log/vault/audit.log", options) → a tailer calling onLine for each line appended */
export async function tailFile(path: string, options: FileTailOptions): Promise<FileTailer> {
  const warned = new Set<string>();
  const warnOnce = (key: string, message: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    options.onWarning?.(message);
  };
  const onLine = guardedOnLine(options);
  const follower = new FileFollower(path, {
    framer: framerOptions(options, (line) => onLine(line, "file")),
    chunkBytes: options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
    rotationGraceMs: options.rotationGraceMs ?? DEFAULT_ROTATION_GRACE_MS,
    counters: options.counters,
    warnOnce,
    clear: (key) => warned.delete(key),
  });

  const { stateDir } = options;
  const loaded = stateDir === undefined ? { found: false as const } : await loadOffsets(stateDir, path);
  if (!loaded.found && loaded.problem !== undefined) {
    options.onWarning?.(`${loaded.problem}; starting at the end of the audit file`);
  }
  await follower.resume(loaded.found ? loaded.record.files : undefined);
  const saver = createOffsetSaver({
    stateDir,
    intervalMs: options.saveIntervalMs ?? DEFAULT_SAVE_INTERVAL_MS,
    snapshot: () => ({ path, files: follower.snapshot() }),
    onWarning: options.onWarning,
  });
  saver.changed(); // where this run starts is worth remembering even if nothing arrives

  let closed = false;
  let again = false;
  let pumping: Promise<void> | undefined;
  const stop = () => closed;
  const pump = (): void => {
    if (closed) return;
    if (pumping !== undefined) {
      again = true;
      return;
    }
    pumping = run();
  };
  async function run(): Promise<void> {
    try {
      do {
        again = false;
        try {
          if (await follower.step(stop)) saver.changed();
        } catch (error) {
          warnOnce(`read:${describe(error)}`, `reading the audit file ${path} failed: ${describe(error)}`);
        }
      } while (again && !closed);
    } finally {
      pumping = undefined;
    }
  }

  const poll = setInterval(
    pump,
    Math.max(MIN_POLL_INTERVAL_MS, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS),
  );
  let watcher: FSWatcher | undefined;
  const startWatch = () => {
    watcher ??= watchDirectory(
      path,
      () => follower.following > 1,
      pump,
      () => {
        watcher = undefined;
      },
    );
  };
  startWatch();
  const rewatch = setInterval(startWatch, REWATCH_INTERVAL_MS);
  pump();

  return {
    address: `file://${path}`,
    get offset() {
      return follower.offset;
    },
    get following() {
      return follower.following;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      clearInterval(rewatch);
      watcher?.close();
      await pumping;
      await saver.flush();
      await follower.close();
    },
  };
}

/**
 * Calls `changed` on events for the file's name (or any name while a rotated file is drained).
 * The directory is watched, not the file, so a new file at the path is seen too. Undefined when
 * it cannot be watched (missing yet, or out of inotify watches): the poll covers it meanwhile.
 */
function watchDirectory(
  path: string,
  anyName: () => boolean,
  changed: () => void,
  failed: () => void,
): FSWatcher | undefined {
  const name = basename(path);
  try {
    const watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file === null || file === name || anyName()) changed();
    });
    watcher.on("error", () => {
      watcher.close();
      failed();
    });
    return watcher;
  } catch {
    return undefined;
  }
}
