/**
 * Measuring helpers for the benchmark: heap size after collection, and throughput loops bounded in
 * both operation count and time.
 */

const gc = (globalThis as { gc?: () => void }).gc;
export const TIME_BUDGET_MS = 2000;
const BATCH = 64;

/** Results are summed here so that no measured call can be optimised away. */
export const blackhole = { sink: 0 };

/** Heap in use after full collections (NaN without --expose-gc). */
export function heapUsed(): number {
  if (gc === undefined) return Number.NaN;
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** Operations per second of `operation(i)` over one time budget, after a warm-up. */
export function throughput(
  operation: (i: number) => number,
  maxOps: number,
  budgetMs = TIME_BUDGET_MS,
): number {
  let i = 0;
  const warmEnd = performance.now() + budgetMs / 4;
  while (performance.now() < warmEnd && i < maxOps)
    for (let k = 0; k < BATCH; k++) blackhole.sink += operation(i++);
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (ops < maxOps) {
    for (let k = 0; k < BATCH; k++) blackhole.sink += operation(i++);
    ops += BATCH;
    elapsed = performance.now() - start;
    if (elapsed >= budgetMs) break;
  }
  return (ops / elapsed) * 1000;
}

/**
 * The best throughput of each contender over `rounds` alternating rounds: the machine is shared, so
 * alternating spreads any outside load over all contenders instead of penalising whoever ran then.
 */
export function interleaved(
  contenders: ((i: number) => number)[],
  maxOps: number[],
  rounds: number,
): number[] {
  const best = contenders.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    contenders.forEach((operation, k) => {
      best[k] = Math.max(best[k]!, throughput(operation, maxOps[k]!, TIME_BUDGET_MS / rounds));
    });
  }
  return best;
}

/**
 * Operations per second of passes of `count` operations: the best of `repeats` alternating passes per
 * contender, after `warmup` untimed ones; `prepare` runs untimed before each pass. Large passes start
 * on a collected heap; small ones do not, since a full GC right before a 10 ms pass shrinks the young
 * generation and measures the collector instead.
 */
export function timedPasses(
  count: number,
  plan: { repeats: number; warmup: number; collect: boolean },
  contenders: { prepare: () => void; pass: () => void }[],
): number[] {
  const best = contenders.map(() => Number.POSITIVE_INFINITY);
  for (let r = 0; r < plan.warmup + plan.repeats; r++) {
    contenders.forEach((contender, k) => {
      contender.prepare();
      if (plan.collect) heapUsed();
      const start = performance.now();
      contender.pass();
      if (r >= plan.warmup) best[k] = Math.min(best[k]!, performance.now() - start);
    });
  }
  return best.map((ms) => (count / ms) * 1000);
}
