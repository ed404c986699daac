// A small seeded generator, so property-style tests fail the same way every run.

/** mulberry32: seed → a function answering floats in [0, 1). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(random: () => number, below: number): number {
  return Math.floor(random() * below);
}

/** Cuts `bytes` at random places into 1 to `pieces` chunks (some may be a single byte). */
export function randomChunks(random: () => number, bytes: Uint8Array, pieces: number): Uint8Array[] {
  const cuts = new Set<number>();
  const count = randomInt(random, pieces);
  for (let i = 0; i < count; i++) cuts.add(randomInt(random, bytes.length + 1));
  const sorted = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
  const chunks: Uint8Array[] = [];
  for (let i = 1; i < sorted.length; i++) chunks.push(bytes.subarray(sorted[i - 1], sorted[i]));
  return chunks;
}
