// Courier run as a real process: `bun src/main.ts …` (or a fixture), with a clean environment
// so the machine's own VAULT_* and COURIER_* variables cannot leak into a test.
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..", "..");
export const MAIN = join(ROOT, "src", "main.ts");

export interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", ...extra };
}

export async function courier(args: string[], env: Record<string, string> = {}): Promise<Finished> {
  const child = Bun.spawn([process.execPath, MAIN, ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr };
}

/** A running process whose stderr is collected as it arrives. */
export function start(script: string, args: string[], env: Record<string, string>) {
  const child = Bun.spawn([process.execPath, script, ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdout: "pipe",
    stderr: "pipe",
  });
  let stderr = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) stderr += decoder.decode(chunk, { stream: true });
  })();
  return {
    child,
    stderr: () => stderr,
    /** Waits until stderr holds `text`, or fails after `ms`. */
    async waitFor(text: string, ms = 10_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!stderr.includes(text)) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${JSON.stringify(text)}; stderr:\n${stderr}`);
        if (child.exitCode !== null)
          throw new Error(`exited ${child.exitCode} before ${JSON.stringify(text)}:\n${stderr}`);
        await Bun.sleep(10);
      }
    },
    async finished(): Promise<number> {
      const code = await child.exited;
      await reading;
      return code;
    },
  };
}
