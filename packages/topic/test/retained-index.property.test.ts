import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RetainedIndex } from '../src/retained-index.js';
import { level, topicFilter, topicName } from './arbitraries.js';
import { referenceMatches } from './reference.js';

/** A filter that matches the topic when `+`/`#` replace levels, and sometimes one that does not. */
function filterFor(topic: string): fc.Arbitrary<string> {
  const levels = topic.split('/');
  return fc
    .tuple(
      fc.array(fc.constantFrom('keep', 'plus', 'other'), {
        minLength: levels.length,
        maxLength: levels.length,
      }),
      fc.integer({ min: 0, max: levels.length }),
      fc.boolean(),
      level,
    )
    .map(([choices, cut, hash, other]) => {
      const kept = levels.map((each, i) =>
        choices[i] === 'plus' ? '+' : choices[i] === 'other' && i % 3 === 0 ? other : each,
      );
      return (hash ? [...kept.slice(0, cut), '#'] : kept).join('/');
    })
    .filter((filter) => filter.length > 0);
}

type Command =
  | { readonly kind: 'set'; readonly topic: number; readonly value: number }
  | { readonly kind: 'delete'; readonly topic: number }
  | { readonly kind: 'match'; readonly filter: number };

describe('RetainedIndex (property)', () => {
  it('agrees with a naive scan of every stored topic through random set/delete/match sequences', () => {
    const scenario = fc.uniqueArray(topicName, { minLength: 1, maxLength: 20 }).chain((topics) =>
      fc
        .array(fc.oneof(topicFilter, fc.constantFrom(...topics).chain(filterFor)), {
          minLength: 1,
          maxLength: 10,
        })
        .chain((filters) => {
          const command: fc.Arbitrary<Command> = fc.oneof(
            {
              weight: 4,
              arbitrary: fc.record({
                kind: fc.constant('set' as const),
                topic: fc.integer({ min: 0, max: topics.length - 1 }),
                value: fc.integer(),
              }),
            },
            {
              weight: 2,
              arbitrary: fc.record({
                kind: fc.constant('delete' as const),
                topic: fc.integer({ min: 0, max: topics.length - 1 }),
              }),
            },
            {
              weight: 3,
              arbitrary: fc.record({
                kind: fc.constant('match' as const),
                filter: fc.integer({ min: 0, max: filters.length - 1 }),
              }),
            },
          );
          return fc.array(command, { maxLength: 60 }).map((script) => ({ topics, filters, script }));
        }),
    );
    fc.assert(
      fc.property(scenario, ({ topics, filters, script }) => {
        const index = new RetainedIndex<number>();
        const model = new Map<string, number>();
        const check = (filter: string): void => {
          const got: [string, number][] = [];
          index.forEachMatch(filter, (value, topic) => {
            got.push([topic, value]);
          });
          const expected = [...model].filter(([topic]) => referenceMatches(filter, topic));
          const byTopic = (a: [string, number], b: [string, number]) =>
            a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
          expect(got.sort(byTopic)).toEqual(expected.sort(byTopic));
          expect(index.match(filter).sort()).toEqual(expected.map(([, value]) => value).sort());
        };
        for (const command of script) {
          if (command.kind === 'set') {
            const topic = topics[command.topic]!;
            index.set(topic, command.value);
            model.set(topic, command.value);
          } else if (command.kind === 'delete') {
            const topic = topics[command.topic]!;
            expect(index.delete(topic)).toBe(model.delete(topic));
          } else {
            check(filters[command.filter]!);
          }
          expect(index.size).toBe(model.size);
        }
        for (const filter of filters) check(filter);
        for (const topic of topics) expect(index.get(topic)).toBe(model.get(topic));
        expect([...index.entries()].sort()).toEqual([...model].sort());
      }),
      { numRuns: 1000 },
    );
  });
});
