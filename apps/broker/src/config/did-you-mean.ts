/**
 * "Did you mean" suggestions for misspelt keys, flags and environment variables: the closest known
 * name by edit distance, if it is close enough to be a plausible typo.
 */

/** Levenshtein distance between `a` and `b`, case-insensitive (a wrong case is the commonest typo). */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[y.length]!;
}

/** The candidate closest to `input` when within a third of its length (at least 2 edits), else undefined. */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const allowed = Math.max(2, Math.floor(input.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(input, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= allowed ? best : undefined;
}

/** `; did you mean x?` when a candidate is close to `input`, else the empty string. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const suggestion = closest(input, candidates);
  return suggestion === undefined ? '' : `; did you mean ${suggestion}?`;
}
