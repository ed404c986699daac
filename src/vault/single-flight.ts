// Making one thing on a Vault (a mount, a namespace) at most once at a time.

/**
 * One attempt at a time per thing being made on a Vault: callers that need the same thing while it
 * is being made wait on that attempt and share its answer, instead of racing it and losing.
 */
export interface Flown<T> {
  value: T;
  /** This caller waited on an attempt another caller started. */
  joined: boolean;
}

export class SingleFlight<T> {
  readonly #flights = new Map<string, Promise<T>>();

  /** Runs `attempt` for `id`, or waits on the one already under way; the next call tries afresh. */
  async run(id: string, attempt: () => Promise<T>): Promise<Flown<T>> {
    const under = this.#flights.get(id);
    if (under) return { value: await under, joined: true };
    const flight = attempt().finally(() => this.#flights.delete(id));
    this.#flights.set(id, flight);
    return { value: await flight, joined: false };
  }
}
