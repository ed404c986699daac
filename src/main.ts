#!/usr/bin/env bun
// The courier command. Each subcommand lives in src/cli/ and is loaded only when used;
// adding one is one line in `commands`.
import { defineCommand, runMain } from "citty";
import { buildInfo, formatBuildInfo } from "./build-info.ts";

const commands = {
  run: () => import("./cli/run.ts").then((m) => m.default),
  sync: () => import("./cli/sync.ts").then((m) => m.default),
  diff: () => import("./cli/diff.ts").then((m) => m.default),
  replay: () => import("./cli/replay.ts").then((m) => m.default),
  setup: () => import("./cli/setup.ts").then((m) => m.default),
  version: () => import("./cli/version.ts").then((m) => m.default),
};

const main = defineCommand({
  meta: {
    name: "courier",
    version: buildInfo().version,
    description:
      "Keeps destination Vaults equal to a source Vault (KV secrets, ACL policies) by following its audit stream.",
  },
  subCommands: commands,
});

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
  // The same four lines as `courier version`, not citty's bare version number.
  process.stdout.write(formatBuildInfo(buildInfo()));
} else {
  await runMain(main, { rawArgs: argv });
}
