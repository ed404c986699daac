// Every process the sandbox starts, in one place, so that one call stops them all. Each child runs
// in a session of its own (detached): a Ctrl-C in the terminal then reaches only the sandbox,
// which stops the children in order — Courier first, so it never logs servers vanishing under it.
import type { Subprocess } from "bun";

export interface Child {
  /** "source", "dest-1", "courier", … as the sandbox prints it. */
  name: string;
  proc: Subprocess;
}

export class Children {
  readonly #children: Child[] = [];

  add(name: string, proc: Subprocess): Child {
    const child = { name, proc };
    this.#children.push(child);
    return child;
  }

  list(): readonly Child[] {
    return this.#children;
  }

  /**
   * SIGTERM to each group (in `order` first, then the rest together), SIGKILL for any still
   * alive after `graceMs`. Returns the names that had to be killed.
   */
  async stopAll(order: readonly string[], graceMs: number): Promise<string[]> {
    const killed: string[] = [];
    const first = order.flatMap((name) => this.#children.filter((c) => c.name === name));
    const rest = this.#children.filter((c) => !first.includes(c));
    for (const group of [...first.map((c) => [c]), rest]) {
      const results = await Promise.all(group.map((child) => stopOne(child, graceMs)));
      group.forEach((child, i) => {
        if (results[i]) killed.push(child.name);
      });
    }
    return killed;
  }

  /** The last resort when the sandbox itself is going down hard: SIGKILL, no waiting. */
  killAllNow(): void {
    for (const { proc } of this.#children) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    }
  }
}

/** Resolves true when the child had to be SIGKILLed. */
async function stopOne(child: Child, graceMs: number): Promise<boolean> {
  const { proc } = child;
  if (proc.exitCode !== null || proc.signalCode !== null) return false;
  proc.kill("SIGTERM");
  const stopped = await Promise.race([proc.exited.then(() => true), Bun.sleep(graceMs).then(() => false)]);
  if (stopped) return false;
  proc.kill("SIGKILL");
  await proc.exited;
  return true;
}
