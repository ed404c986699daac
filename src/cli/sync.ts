// `courier sync`: one full reconciliation pass, then exit. Exit 0 when every destination equals
// the source for every key in scope afterwards; 1 when something was left different (a failure, a
// delete held back by sync.deletes=false) or, with --dry-run, when there is anything to change.

import { defineCommand } from "citty";
import type { CommandFlags } from "../config/sources.ts";
import { passCounts } from "../observe/progress.ts";
import { checkedPassSetup, runSyncPass } from "../reconcile/one-shot.ts";
import { commandArgs, prepare, runAction, startProgress, stoppedBy } from "./common.ts";

const FLAGS: CommandFlags = {
  "dry-run": {
    type: "boolean",
    description:
      'Change nothing; print one JSON line per change a pass would make: {"destination","action","kind","namespace","mount","path"}.',
  },
  deep: {
    type: "boolean",
    description:
      "Read every key's data on every Vault. Without it, a KV v2 key whose metadata on both sides is as it was when last found equal is not read again.",
  },
};

export default defineCommand({
  meta: {
    name: "sync",
    description:
      "Walk every KV mount in scope and the ACL policies, and make every destination equal to the source; then exit.",
  },
  args: () => commandArgs(FLAGS),
  run: ({ rawArgs }) => runAction(() => runSync(rawArgs)),
});

async function runSync(rawArgs: readonly string[]): Promise<number> {
  const { config, log, flags } = await prepare(rawArgs, {
    flags: FLAGS,
    needs: { source: true, destinations: true },
  });
  const dryRun = flags["dry-run"] === true;
  const setup = await checkedPassSetup(config, log);
  const counts = passCounts();
  const progress = startProgress(counts, log);
  try {
    const summary = await runSyncPass(setup, {
      dryRun,
      log,
      counts,
      deep: flags.deep === true,
      print: (line) => {
        progress.clear();
        process.stdout.write(`${line}\n`);
      },
    });
    progress.stop();
    log.info(dryRun ? "dry run finished: nothing was changed" : "sync pass finished", { ...summary });
    const equal = summary.failed === 0 && summary.skipped === 0 && (!dryRun || summary.changes === 0);
    return equal ? 0 : 1;
  } catch (error) {
    // The walk itself failed (the source's mount table or a LIST): nothing can be said about the rest.
    throw stoppedBy("cannot walk the source", error);
  } finally {
    progress.stop();
    setup.close();
  }
}
