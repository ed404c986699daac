// What the broker needs from an audit device: write one formatted entry or fail.

export interface AuditDevice {
  /** Writes one entry (already prefixed and framed). Rejects when the device could not record it. */
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Runs writes one after another, as Vault holds a per-device lock while it writes. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(job, job);
    this.#tail = next.catch(() => {});
    return next;
  }
}

/** Resolves after `ms`, rejecting with `message`; `cancel` stops it. */
export function deadline(ms: number, message: string): { promise: Promise<never>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  promise.catch(() => {});
  return { promise, cancel: () => clearTimeout(timer) };
}
