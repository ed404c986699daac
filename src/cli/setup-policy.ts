// `courier setup policy`: least-privilege HCL policies for Courier's tokens, from the same table
// the preflight of `courier setup` checks.
import { defineCommand } from "citty";
import { CourierError } from "../errors.ts";
import { POLICY_FLAGS, POLICY_KINDS, type PolicyFor, printPolicies } from "../setup/run.ts";
import { commandArgs, prepare, runAction } from "./common.ts";

export default defineCommand({
  meta: {
    name: "policy",
    description:
      "Print the least-privilege policies (HCL) for Courier's source and destination tokens and for the token setup runs with.",
  },
  args: () => commandArgs(POLICY_FLAGS),
  run: ({ rawArgs }) => runAction(() => policyCommand(rawArgs)),
});

async function policyCommand(
  rawArgs: readonly string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { config, flags } = await prepare(rawArgs, { flags: POLICY_FLAGS, env });
  const only = flags.for;
  if (only !== undefined && !POLICY_KINDS.includes(only as PolicyFor)) {
    throw new CourierError(
      "CONFIG_INVALID",
      `--for must be one of ${POLICY_KINDS.join(", ")}, got ${JSON.stringify(only)}`,
    );
  }
  return printPolicies(config, {
    only: only as PolicyFor | undefined,
    force: flags.force === true,
    fileAudit: typeof flags["file-audit"] === "string" ? flags["file-audit"] : undefined,
  });
}
