/**
 * A small, bounded timing harness: warm both contenders up, then alternate rounds of each so drift
 * (thermal, GC, other load) hits both alike, and report the median ops/s.
 */

export interface Contender {
  /** Does some work and returns how many operations it performed. */
  run(): number;
}

export interface Result {
  ours: number;
  theirs: number;
}

const WARMUP_MS = 300;
const ROUND_MS = 150;
const ROUNDS = 7;
/** A hard cap on passes per round, so a broken contender cannot spin forever. */
const MAX_PASSES = 100_000;

function timed(c: Contender, budgetMs: number): number {
  let ops = 0;
  let passes = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs && passes < MAX_PASSES) {
    ops += c.run();
    passes++;
    elapsed = performance.now() - start;
  }
  return (ops / elapsed) * 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Measures both contenders and returns their median ops/s. */
export function compare(ours: Contender, theirs: Contender): Result {
  timed(ours, WARMUP_MS);
  timed(theirs, WARMUP_MS);
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    a.push(timed(ours, ROUND_MS));
    b.push(timed(theirs, ROUND_MS));
  }
  return { ours: median(a), theirs: median(b) };
}
