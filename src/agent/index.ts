// The agent: listeners → ring → workers, keeping every destination equal to the source.
// Placeholder until the agent lands: `courier run` fails with a clear message instead.
import type { Config } from "../config/schema.ts";
import { CourierError } from "../errors.ts";
import type { Logger } from "../observe/logger.ts";

export async function startAgent(_config: Config, _log: Logger): Promise<{ stop(): Promise<void> }> {
  throw new CourierError("INTERNAL", "agent not built yet");
}
