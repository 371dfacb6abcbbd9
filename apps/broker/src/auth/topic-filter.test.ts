import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  filterCovered,
  filtersIntersect,
  innerFilter,
  invalidFilterReason,
  splitLevels,
  topicMatches,
} from './topic-filter.js';

/** An independent, obviously-correct matcher over split levels, for the brute-force checks. */
function naiveMatch(filter: readonly string[], topic: readonly string[]): boolean {
  if (topic[0]!.startsWith('$') && (filter[0] === '+' || filter[0] === '#')) return false;
  const walk = (f: number, t: number): boolean => {
    if (f === filter.length) return t === topic.length;
    if (filter[f] === '#') return true;
    if (t === topic.length) return false;
    return (filter[f] === '+' || filter[f] === topic[t]) && walk(f + 1, t + 1);
  };
  return walk(0, 0);
}

/** Every topic of 1 to 4 levels over the values filters use, plus `z`, which no filter names. */
const VALUES = ['a', 'b', '$s', '', 'z'];
const UNIVERSE: string[][] = [];
for (let depth = 1; depth <= 4; depth++) {
  const grow = (prefix: string[]): void => {
    if (prefix.length === depth) {
      UNIVERSE.push(prefix);
      return;
    }
    for (const value of VALUES) grow([...prefix, value]);
  };
  grow([]);
}

/** Random valid filters of 1 to 3 levels over a, b, $s, '' and wildcards. */
const filterArb = fc
  .array(fc.constantFrom('a', 'b', '$s', '', '+', '#'), { minLength: 1, maxLength: 3 })
  .filter((levels) => levels.indexOf('#') === -1 || levels.indexOf('#') === levels.length - 1);

describe('topicMatches', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/+', 'a/', true],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['#', 'a', true],
    ['#', '$SYS/x', false],
    ['+/x', '$SYS/x', false],
    ['$SYS/#', '$SYS/broker/uptime', true],
    ['a/b/#', 'a', false],
    ['+', '/a', false],
    ['+/+', '/a', true],
    ['a/b', 'a/bc', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(splitLevels(filter), topic)).toBe(expected);
  });

  it('agrees with a naive matcher on every topic of the universe', () => {
    fc.assert(
      fc.property(filterArb, (filter) => {
        for (const topic of UNIVERSE) {
          if (topicMatches(filter, topic.join('/')) !== naiveMatch(filter, topic)) return false;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});

describe('filterCovered', () => {
  const covered = (requested: string, ...allowed: string[]) =>
    filterCovered(splitLevels(requested), allowed.map(splitLevels));

  it('a readable a/+ covers a/b but not a/#', () => {
    expect(covered('a/b', 'a/+')).toBe(true);
    expect(covered('a/+', 'a/+')).toBe(true);
    expect(covered('a/#', 'a/+')).toBe(false);
    expect(covered('a/+/c', 'a/+')).toBe(false);
  });

  it('# covers everything except $ topics', () => {
    expect(covered('a/#', '#')).toBe(true);
    expect(covered('+/+', '#')).toBe(true);
    expect(covered('#', '#')).toBe(true);
    expect(covered('$SYS/#', '#')).toBe(false);
    expect(covered('$SYS/#', '$SYS/#')).toBe(true);
    expect(covered('$SYS/broker/uptime', '$SYS/+/uptime')).toBe(true);
  });

  it('a union covers what no single filter does', () => {
    expect(covered('a/#', 'a', 'a/+', 'a/+/#')).toBe(true);
    expect(covered('a/#', 'a/+', 'a/+/#')).toBe(false); // `a` itself is not readable
    expect(covered('+', 'a', 'b')).toBe(false);
    expect(covered('a/+', 'a/b', 'a/+')).toBe(true);
  });

  it('nothing allowed covers nothing', () => {
    expect(covered('a')).toBe(false);
  });

  it('agrees with a brute-force check over the topic universe', () => {
    fc.assert(
      fc.property(filterArb, fc.array(filterArb, { maxLength: 4 }), (requested, allowed) => {
        const expected = UNIVERSE.every(
          (topic) => !naiveMatch(requested, topic) || allowed.some((filter) => naiveMatch(filter, topic)),
        );
        return filterCovered(requested, allowed) === expected;
      }),
      { numRuns: 1000 },
    );
  });
});

describe('filtersIntersect', () => {
  it('finds a shared topic', () => {
    const meet = (a: string, b: string) => filtersIntersect(splitLevels(a), splitLevels(b));
    expect(meet('a/+', 'a/b')).toBe(true);
    expect(meet('a/#', 'a')).toBe(true);
    expect(meet('+/b', 'a/+')).toBe(true);
    expect(meet('a/b', 'a/c')).toBe(false);
    expect(meet('#', '$SYS/x')).toBe(false);
    expect(meet('+/#', 'a/b/c')).toBe(true);
  });

  it('agrees with a brute-force check over the topic universe', () => {
    fc.assert(
      fc.property(filterArb, filterArb, (a, b) => {
        const expected = UNIVERSE.some((topic) => naiveMatch(a, topic) && naiveMatch(b, topic));
        return filtersIntersect(a, b) === expected && filtersIntersect(b, a) === expected;
      }),
      { numRuns: 1000 },
    );
  });
});

describe('invalidFilterReason and innerFilter', () => {
  it('accepts valid filters and names the problem of invalid ones', () => {
    for (const ok of ['a', 'a/+/b', '#', '+', 'a//b', '$SYS/#', 'with space/x']) {
      expect(invalidFilterReason(ok), ok).toBeUndefined();
    }
    expect(invalidFilterReason('')).toMatch(/empty/);
    expect(invalidFilterReason('a/#/b')).toMatch(/last level/);
    expect(invalidFilterReason('a/b#')).toMatch(/whole level/);
    expect(invalidFilterReason('a+/b')).toMatch(/whole level/);
  });

  it('strips a $share/{group}/ prefix', () => {
    expect(innerFilter('$share/g/a/+')).toBe('a/+');
    expect(innerFilter('a/+')).toBe('a/+');
  });
});
