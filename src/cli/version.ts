// `courier version` (and `courier --version`): what this binary is.
import { defineCommand } from "citty";
import { buildInfo, formatBuildInfo } from "../build-info.ts";

export default defineCommand({
  meta: { name: "version", description: "Print the version, commit, target platform and Bun version." },
  run() {
    process.stdout.write(formatBuildInfo(buildInfo()));
  },
});
