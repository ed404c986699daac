// `courier replay FILE` (or `-` for stdin): sync every key the audit lines in FILE name, as Vault's
// file audit device writes them — catching up after downtime from the log Vault keeps anyway.
// With --dry-run it only prints each distinct key, in order of first appearance. Exit codes as
// for sync: 0 when every key named is equal on every destination afterwards.

import { defineCommand } from "citty";
import type { CommandFlags } from "../config/sources.ts";
import { parseArgv } from "../config/sources.ts";
import { CourierError } from "../errors.ts";
import type { Logger } from "../observe/logger.ts";
import { passCounts } from "../observe/progress.ts";
import { checkedPassSetup, syncWalked } from "../reconcile/one-shot.ts";
import { emptyReplayCounts, type ReplayCounts, replayKeys } from "../reconcile/replay-keys.ts";
import type { SyncKey } from "../sync-key.ts";
import { commandArgs, prepare, runAction, startProgress, stoppedBy } from "./common.ts";

const FLAGS: CommandFlags = {
  "dry-run": {
    type: "boolean",
    description:
      'Sync nothing; print each distinct key the lines name, one JSON line each: {"kind","namespace","mount","path"}.',
  },
};

export default defineCommand({
  meta: {
    name: "replay",
    description:
      "Read audit lines from FILE (or - for stdin) as Vault's file audit device writes them, and sync every key they name.",
  },
  args: () => ({
    file: { type: "positional", required: false, description: "Audit log file, or - for stdin." },
    ...commandArgs(FLAGS),
  }),
  run: ({ rawArgs }) => runAction(() => runReplay(rawArgs)),
});

async function runReplay(rawArgs: readonly string[]): Promise<number> {
  // A dry run reads only the source's mount table: it needs no destination.
  const dryRun = parseArgv(rawArgs, FLAGS).command["dry-run"] === true;
  const { config, log, positionals } = await prepare(rawArgs, {
    flags: FLAGS,
    needs: { source: true, destinations: !dryRun },
    positionals: 1,
  });
  const file = positionals[0];
  if (file === undefined) {
    throw new CourierError(
      "CONFIG_INVALID",
      "replay needs the audit log to read: courier replay FILE (- for stdin)",
    );
  }
  const chunks = await openInput(file);
  const setup = await checkedPassSetup(config, log);
  const counts = emptyReplayCounts();
  const keys = replayKeys(
    chunks,
    {
      prefix: config.audit.prefix,
      maxLineBytes: config.audit.max_line_bytes,
      scope: setup.scope,
      loadMounts: (namespace) => setup.source.caller.expect({ method: "GET", path: "sys/mounts", namespace }),
    },
    counts,
  );
  try {
    if (dryRun) {
      for await (const key of keys) process.stdout.write(`${keyLine(key)}\n`);
      reportCounts(log, counts);
      return 0;
    }
    const passed = passCounts();
    const progress = startProgress(passed, log);
    const summary = await syncWalked(setup, walked(keys), {
      dryRun: false,
      log,
      counts: passed,
      print: () => {},
    }).finally(() => progress.stop());
    reportCounts(log, counts);
    log.info("replay finished", { ...summary });
    return summary.failed === 0 && summary.skipped === 0 ? 0 : 1;
  } catch (error) {
    throw stoppedBy("replay stopped", error);
  } finally {
    setup.close();
  }
}

/** keyLine(kv kv-v2/lab/a) → {"kind":"kv","namespace":"","mount":"kv-v2/","path":"lab/a"} */
function keyLine(key: SyncKey): string {
  return JSON.stringify({ kind: key.kind, namespace: key.namespace, mount: key.mount, path: key.path });
}

async function* walked(keys: AsyncIterable<SyncKey>) {
  for await (const key of keys) yield { key, onSource: true };
}

async function openInput(file: string): Promise<AsyncIterable<Uint8Array>> {
  if (file === "-") return Bun.stdin.stream();
  const input = Bun.file(file);
  if (!(await input.exists())) {
    throw new CourierError("CONFIG_INVALID", `cannot read ${file}: no such file`);
  }
  return input.stream();
}

function reportCounts(log: Logger, counts: ReplayCounts): void {
  log.info("replay read its input", { ...counts });
  if (counts.broken > 0) {
    log.warn("some lines are not audit entries and were skipped", { broken: counts.broken });
  }
}
