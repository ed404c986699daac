// Runs a job at a steady rate: `rate` starts per second for `seconds`, each start not waiting for
// the ones before it to finish (a Vault client fleet does not wait for Courier either).

/** pace(500, 2, job) calls job(0) … job(999) over about 2 s; resolves when every job has ended. */
export async function pace(rate: number, seconds: number, job: (i: number) => Promise<void>): Promise<void> {
  const total = Math.round(rate * seconds);
  const running: Promise<void>[] = [];
  const started = performance.now();
  let next = 0;
  while (next < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (next < due) running.push(job(next++));
    await Bun.sleep(1);
  }
  await Promise.all(running);
}
