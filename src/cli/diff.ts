// `courier diff`: a read-only drift report. Exit 0 when every destination equals the source for
// every key in scope, 1 when drift was found, 2 when it could not tell (an error). It prints what
// differs ("data", "max_versions", …), never a value.

import { defineCommand } from "citty";
import type { CommandFlags } from "../config/sources.ts";
import { CourierError } from "../errors.ts";
import { type ProgressReporter, passCounts } from "../observe/progress.ts";
import { diffExitCode, jsonPrinter, runDiff, tablePrinter } from "../reconcile/drift.ts";
import { checkedPassSetup, type PassSetup } from "../reconcile/one-shot.ts";
import { commandArgs, prepare, reportFailure, runAction, startProgress } from "./common.ts";

const FORMATS = ["auto", "table", "json"];

const FLAGS: CommandFlags = {
  format: {
    type: "string",
    description: "table, json, or auto: a table on a terminal, JSON otherwise (default: auto).",
    valueHint: FORMATS.join("|"),
  },
  deep: {
    type: "boolean",
    description:
      "Read every key's data on every Vault. Without it, a KV v2 key whose metadata on both sides is as it was when last found equal is not read again.",
  },
};

export default defineCommand({
  meta: {
    name: "diff",
    description:
      "Report, per destination, the keys missing, extra or different from the source. Changes nothing.",
  },
  args: () => commandArgs(FLAGS),
  run: ({ rawArgs }) => runAction(() => runDiffCommand(rawArgs)),
});

async function runDiffCommand(rawArgs: readonly string[]): Promise<number> {
  let prepared: Awaited<ReturnType<typeof prepare>>;
  try {
    prepared = await prepare(rawArgs, { flags: FLAGS, needs: { source: true, destinations: true } });
  } catch (error) {
    // Whatever stopped it (a bad flag, an unreadable token file), diff could not tell: exit 2.
    reportFailure(error);
    return 2;
  }
  const { config, flags, log } = prepared;
  const format = String(flags.format ?? "auto");
  if (!FORMATS.includes(format)) {
    reportFailure(
      new CourierError("CONFIG_INVALID", `--format: must be one of ${FORMATS.join(", ")}, got "${format}"`),
    );
    return 2;
  }
  const counts = passCounts();
  let progress: ProgressReporter | undefined;
  const write = (text: string) => {
    progress?.clear();
    process.stdout.write(text);
  };
  let setup: PassSetup;
  try {
    setup = await checkedPassSetup(config, log);
  } catch (error) {
    // A glob that can match nothing, or a source whose mount table cannot be read: it could not tell.
    reportFailure(error);
    return 2;
  }
  const table = format === "table" || (format === "auto" && process.stdout.isTTY === true);
  const printer = table
    ? tablePrinter(
        write,
        setup.destinations.map((d) => d.address),
      )
    : jsonPrinter(write);
  progress = startProgress(counts, prepared.log);
  try {
    const summary = await runDiff(setup, printer.row, counts, flags.deep === true);
    progress.stop();
    const code = diffExitCode(summary);
    printer.end(summary, code);
    if (summary.failure) reportFailure(new CourierError("VAULT_ERROR", summary.failure));
    return code;
  } finally {
    progress.stop();
    setup.close();
  }
}
