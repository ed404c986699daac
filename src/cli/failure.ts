// How a command ends when something goes wrong: a CourierError prints one line per problem
// ("courier: …") and exits with its code; anything else is a bug in Courier, printed as
// "courier: internal error: …" with exit code 70. No stack traces for what a user can fix.
import { CourierError } from "../errors.ts";
import { createScrubber } from "../observe/logger.ts";

const scrubber = createScrubber();

/** Tokens read at start-up: never printed, even inside an error message. */
export function protectSecrets(secrets: readonly string[]): void {
  for (const secret of secrets) scrubber.add(secret);
}

/**
 * Prints the failure and returns the exit code.
 * reportFailure(new CourierError("CONFIG_INVALID", "a\nb"), write) → 2, after writing "courier: a\ncourier: b\n"
 */
export function reportFailure(
  error: unknown,
  write = (text: string) => void process.stderr.write(text),
): number {
  if (error instanceof CourierError) {
    const lines = error.message.split("\n").filter((line) => line.trim() !== "");
    write(scrubber.scrub(lines.map((line) => `courier: ${line}\n`).join("")));
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  write(scrubber.scrub(`courier: internal error: ${message}\n`));
  return 70;
}

/** Runs a command's body (which may return an exit code); on failure prints it and exits with its code. */
export async function runAction(action: () => Promise<unknown>): Promise<void> {
  let code: number;
  try {
    const result = await action();
    code = typeof result === "number" ? result : 0;
  } catch (error) {
    code = reportFailure(error);
  }
  process.exit(code);
}
