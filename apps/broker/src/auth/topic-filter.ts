/**
 * Topic-filter arithmetic for the ACL: does a topic match a filter, does a set of filters cover every
 * topic another filter can match, do two filters share a topic. Filters are pre-split into levels once
 * (at compile time), so the per-PUBLISH check allocates nothing.
 *
 * The `$` rule applies throughout [MQTT-4.7.2-1]: `+` and `#` at the first level do not match topics
 * whose first level starts with `$`, so `topic read #` does not grant `$SYS/...`.
 */

/** A topic filter split into its levels (`a/+/#` → `['a', '+', '#']`). */
export type FilterLevels = readonly string[];

/** Splits a topic or filter into levels. */
export function splitLevels(filter: string): string[] {
  return filter.split('/');
}

/** True when `filter` holds a `+` or `#` level. */
export function hasWildcard(filter: string): boolean {
  // A valid filter holds '+' and '#' only as whole levels, so a character test is enough.
  return filter.includes('+') || filter.includes('#');
}

/** Why `filter` is not a valid MQTT topic filter, or undefined when it is. */
export function invalidFilterReason(filter: string): string | undefined {
  if (filter.length === 0) return 'a topic filter cannot be empty';
  if (filter.includes('\u0000')) return 'a topic filter cannot contain U+0000';
  const levels = splitLevels(filter);
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level === '#') {
      if (i !== levels.length - 1) return '# must be the last level [MQTT-4.7.1-1]';
    } else if (level.includes('#')) {
      return '# must occupy a whole level [MQTT-4.7.1-1]';
    } else if (level !== '+' && level.includes('+')) {
      return '+ must occupy a whole level [MQTT-4.7.1-2]';
    }
  }
  return undefined;
}

const DOLLAR = 0x24;

/** True when `topic` (a topic name, no wildcards) matches `filter`. Allocation-free. */
export function topicMatches(filter: FilterLevels, topic: string): boolean {
  const first = filter[0];
  if (topic.charCodeAt(0) === DOLLAR && (first === '+' || first === '#')) return false;
  // Start index of the next topic level, or -1 once the topic has no more levels.
  let start = 0;
  for (let i = 0; i < filter.length; i++) {
    const level = filter[i]!;
    // '#' also matches the parent level: `a/#` matches `a` [MQTT-4.7.1-2].
    if (level === '#') return true;
    if (start === -1) return false;
    const slash = topic.indexOf('/', start);
    const stop = slash === -1 ? topic.length : slash;
    if (level !== '+' && (stop - start !== level.length || !topic.startsWith(level, start))) return false;
    start = slash === -1 ? -1 : slash + 1;
  }
  return start === -1;
}

/**
 * A symbol standing for "any level value not written in the filters at hand". U+0000 cannot occur in
 * a topic, so it never equals a literal level.
 */
const FRESH = '\u0000';

/** One allowed filter part-way through a topic: the index of its next level. */
interface Cursor {
  readonly filter: FilterLevels;
  readonly position: number;
}

/** True when `filter` at `position` matches a topic that ends here. */
function canEndAt(filter: FilterLevels, position: number): boolean {
  return position === filter.length || filter[position] === '#';
}

/**
 * Advances `cursor` over one topic level `symbol` at `depth` (0 = first level). Returns the next
 * cursor, `'all'` when it reached `#` (it matches every continuation), or undefined when it fails.
 */
function advance(cursor: Cursor, symbol: string, depth: number): Cursor | 'all' | undefined {
  const level = cursor.filter[cursor.position];
  if (level === undefined) return undefined;
  const isWildcard = level === '+' || level === '#';
  if (isWildcard && depth === 0 && symbol.charCodeAt(0) === DOLLAR) return undefined;
  if (level === '#') return 'all';
  if (level === '+' || level === symbol) return { filter: cursor.filter, position: cursor.position + 1 };
  return undefined;
}

/**
 * True when every topic `requested` can match is matched by at least one of `allowed` (coverage by
 * the union, so `a`, `a/+` and `a/+/#` together cover `a/#`).
 *
 * It walks the topics `requested` can match level by level, keeping for each allowed filter how far it
 * has matched. Where `requested` has a wildcard, the level values worth trying are the literals the
 * live allowed filters expect there plus one fresh value standing for all others, since every other
 * value behaves the same for every filter. Each step advances every allowed filter or kills it, so the
 * walk is at most (levels of `requested` + longest allowed filter + 1) deep.
 */
export function filterCovered(requested: FilterLevels, allowed: readonly FilterLevels[]): boolean {
  return coveredFrom(
    requested,
    0,
    0,
    allowed.map((filter) => ({ filter, position: 0 })),
  );
}

function coveredFrom(
  requested: FilterLevels,
  index: number,
  depth: number,
  live: readonly Cursor[],
): boolean {
  if (live.length === 0) return false;
  // A topic may end here (a topic has at least one level): some allowed filter must match it.
  if (depth > 0 && canEndAt(requested, index) && !live.some((c) => canEndAt(c.filter, c.position))) {
    return false;
  }
  if (index === requested.length) return true;
  const level = requested[index]!;
  const nextIndex = level === '#' ? index : index + 1;
  const symbols: string[] = [];
  if (level !== '+' && level !== '#') {
    symbols.push(level);
  } else {
    // Wildcards at the first level produce no `$` topics [MQTT-4.7.2-1].
    const seen = new Set<string>();
    for (const cursor of live) {
      const literal = cursor.filter[cursor.position];
      if (literal === undefined || literal === '+' || literal === '#' || seen.has(literal)) continue;
      if (depth === 0 && literal.charCodeAt(0) === DOLLAR) continue;
      seen.add(literal);
      symbols.push(literal);
    }
    symbols.push(FRESH);
  }
  for (const symbol of symbols) {
    const next: Cursor[] = [];
    let all = false;
    for (const cursor of live) {
      const moved = advance(cursor, symbol, depth);
      if (moved === 'all') {
        all = true;
        break;
      }
      if (moved !== undefined) next.push(moved);
    }
    if (!all && !coveredFrom(requested, nextIndex, depth + 1, next)) return false;
  }
  return true;
}

/** True when some topic matches both filters. */
export function filtersIntersect(a: FilterLevels, b: FilterLevels): boolean {
  return intersectFrom(a, 0, b, 0, 0);
}

function intersectFrom(a: FilterLevels, i: number, b: FilterLevels, j: number, depth: number): boolean {
  if (depth > 0 && canEndAt(a, i) && canEndAt(b, j)) return true;
  const x = a[i];
  const y = b[j];
  if (x === undefined || y === undefined) return false;
  const xWild = x === '+' || x === '#';
  const yWild = y === '+' || y === '#';
  // Both '#': any (non-`$` at the first level) topic continues both forever.
  if (x === '#' && y === '#') return true;
  if (!xWild && !yWild) return x === y && intersectFrom(a, i + 1, b, j + 1, depth + 1);
  if (depth === 0 && ((!xWild && x.charCodeAt(0) === DOLLAR) || (!yWild && y.charCodeAt(0) === DOLLAR))) {
    return false;
  }
  return intersectFrom(a, x === '#' ? i : i + 1, b, y === '#' ? j : j + 1, depth + 1);
}

/** `$share/{group}/{filter}` → `{filter}`; any other filter unchanged. */
export function innerFilter(topicFilter: string): string {
  if (!topicFilter.startsWith('$share/')) return topicFilter;
  const slash = topicFilter.indexOf('/', 7);
  return slash === -1 ? topicFilter : topicFilter.slice(slash + 1);
}
