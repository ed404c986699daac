// A lock between processes on one machine: a file created exclusively, holding the owner's pid.
// A lock whose owner has died is taken over, so a killed test run never blocks the next one.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";

export async function withFileLock<T>(path: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (!tryLock(path)) {
    const dead = deadOwner(path);
    if (dead !== undefined) {
      // Only if it still names the dead owner: another waiter may have taken it over just now.
      if (readOwner(path) === dead) rmSync(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${path}`);
    await Bun.sleep(100);
  }
  try {
    return await work();
  } finally {
    rmSync(path, { force: true });
  }
}

function tryLock(path: string): boolean {
  try {
    const fd = openSync(path, "wx");
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

/** The pid named in the lock when that process no longer exists. */
function deadOwner(path: string): number | undefined {
  const pid = readOwner(path);
  // Released, or created and not yet written, a moment ago: just try again.
  if (pid === undefined) return undefined;
  try {
    process.kill(pid, 0);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH" ? pid : undefined;
  }
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, "utf8"));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
