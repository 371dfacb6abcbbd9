import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matches } from '../src/matches.js';
import type { SubscriberMatch } from '../src/subscriber-match.js';
import { SubscriptionIndex } from '../src/subscription-index.js';
import type { SubscriptionOptions } from '../src/subscription-options.js';
import { validateTopicFilter, validateTopicName } from '../src/validate.js';
import { anyFilter, subscriptionOptions, topicFilter, topicFor, topicName } from './arbitraries.js';
import {
  type ExpectedDelivery,
  ModelIndex,
  normalise,
  referenceMatches,
  referenceShare,
} from './reference.js';

interface Subscriber {
  readonly id: number;
}

type Command =
  | {
      readonly kind: 'add';
      readonly subscriber: number;
      readonly filter: number;
      readonly options: SubscriptionOptions;
    }
  | { readonly kind: 'remove'; readonly subscriber: number; readonly filter: number }
  | { readonly kind: 'removeAll'; readonly subscriber: number }
  | { readonly kind: 'match'; readonly topic: number; readonly publisher: number | undefined };

const SUBSCRIBERS = 5;

function commands(filterCount: number, topicCount: number): fc.Arbitrary<Command[]> {
  const subscriber = fc.integer({ min: 0, max: SUBSCRIBERS - 1 });
  const command: fc.Arbitrary<Command> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('add' as const),
        subscriber,
        filter: fc.integer({ min: 0, max: filterCount - 1 }),
        options: subscriptionOptions,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('remove' as const),
        subscriber,
        filter: fc.integer({ min: 0, max: filterCount - 1 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('removeAll' as const), subscriber }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('match' as const),
        topic: fc.integer({ min: 0, max: topicCount - 1 }),
        publisher: fc.option(subscriber, { nil: undefined }),
      }),
    },
  );
  return fc.array(command, { maxLength: 60 });
}

/** Checks one match result against the model; returns nothing, fails through expect. */
function checkMatch(
  results: readonly SubscriberMatch<Subscriber>[],
  model: ModelIndex,
  topic: string,
  publisher: number | undefined,
): void {
  const plain: ExpectedDelivery[] = results
    .filter((each) => each.shareName === undefined)
    .map((each) => ({
      subscriber: each.subscriber.id,
      qos: each.qos,
      identifiers: [...each.subscriptionIdentifiers].sort((a, b) => a - b),
      retainAsPublished: each.retainAsPublished,
    }))
    .sort((a, b) => a.subscriber - b.subscriber);
  // Once per subscriber, merged: max QoS, all identifiers, any Retain As Published.
  expect(plain).toEqual(model.plain(topic, publisher));
  for (const each of results) if (each.shareName === undefined) expect(each.topicFilter).toBeUndefined();

  // Exactly one delivery per matching shared group, to a member, with that member's options.
  const groups = model.groups(topic);
  const shared = results.filter((each) => each.shareName !== undefined);
  expect(shared.length).toBe(groups.size);
  const seen = new Set<string>();
  for (const each of shared) {
    const key = `${each.shareName}\u0000${each.topicFilter}`;
    expect(seen.has(key)).toBe(false);
    seen.add(key);
    const members = groups.get(key);
    expect(members).toBeDefined();
    const options = members?.get(each.subscriber.id);
    expect(options).toBeDefined();
    expect(each.qos).toBe(options?.qos);
    expect(each.retainAsPublished).toBe(options?.retainAsPublished === true);
    expect([...each.subscriptionIdentifiers]).toEqual(
      options?.subscriptionIdentifier === undefined ? [] : [options.subscriptionIdentifier],
    );
  }
}

describe('matches (property)', () => {
  it('agrees with a split-based reference on valid filters and topics', () => {
    fc.assert(
      fc.property(topicFilter, topicName, (filter, topic) => {
        expect(validateTopicFilter(filter)).toBeUndefined();
        expect(validateTopicName(topic)).toBeUndefined();
        expect(matches(filter, topic)).toBe(referenceMatches(filter, topic));
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with the reference on filters built from the topic itself (mostly matching)', () => {
    const derived = topicName.chain((topic) => {
      const levels = topic.split('/');
      return fc
        .tuple(
          fc.array(fc.boolean(), { minLength: levels.length, maxLength: levels.length }),
          fc.integer({ min: 0, max: levels.length }),
          fc.boolean(),
        )
        .map(([plus, cut, hash]) => {
          const kept = levels.map((each, i) => (plus[i] ? '+' : each)).slice(0, hash ? cut : levels.length);
          return [hash ? [...kept, '#'].join('/') : kept.join('/'), topic] as const;
        });
    });
    fc.assert(
      fc.property(derived, ([filter, topic]) => {
        if (filter === '') return;
        expect(matches(filter, topic)).toBe(referenceMatches(filter, topic));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('SubscriptionIndex (property)', () => {
  it('agrees with a naive scan through random add/remove/replace/match sequences', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(
            fc.uniqueArray(anyFilter, { minLength: 1, maxLength: 12 }),
            fc.constantFrom<'round-robin' | 'random'>('round-robin', 'random'),
          )
          .chain(([filters, strategy]) =>
            // Topics: some random, most derived from the filters so that subscriptions overlap.
            fc
              .array(fc.oneof(topicName, fc.constantFrom(...filters).chain(topicFor)), {
                minLength: 1,
                maxLength: 8,
              })
              .chain((topics) =>
                commands(filters.length, topics.length).map((script) => ({
                  filters,
                  topics,
                  strategy,
                  script,
                })),
              ),
          ),
        ({ filters, topics, strategy, script }) => {
          const index = new SubscriptionIndex<Subscriber>({ shareStrategy: strategy });
          const model = new ModelIndex();
          const subscribers = Array.from({ length: SUBSCRIBERS }, (_, id) => ({ id }));
          for (const command of script) {
            if (command.kind === 'add') {
              const filter = filters[command.filter]!;
              const options = { ...command.options };
              // [MQTT-3.8.3-4] No Local on a shared subscription is a Protocol Error: never sent.
              if (referenceShare(filter) !== undefined) delete options.noLocal;
              const subscriber = subscribers[command.subscriber]!;
              const previous = model.subscriptions.get(command.subscriber)?.get(filter);
              const result = index.add(subscriber, filter, options);
              expect(result.isNew).toBe(model.add(command.subscriber, filter, options));
              expect(result.previous).toEqual(previous === undefined ? undefined : normalise(previous));
            } else if (command.kind === 'remove') {
              const filter = filters[command.filter]!;
              expect(index.remove(subscribers[command.subscriber]!, filter)).toBe(
                model.remove(command.subscriber, filter),
              );
            } else if (command.kind === 'removeAll') {
              expect(index.removeAll(subscribers[command.subscriber]!)).toBe(
                model.removeAll(command.subscriber),
              );
            } else {
              const topic = topics[command.topic]!;
              const publisher = command.publisher === undefined ? undefined : subscribers[command.publisher];
              checkMatch(index.match(topic, publisher), model, topic, command.publisher);
            }
          }
          // Every topic once more, then the counts and the stored options.
          for (const topic of topics) checkMatch(index.match(topic), model, topic, undefined);
          expect(index.subscriptionCount).toBe(model.subscriptionCount);
          expect(index.filterCount).toBe(model.filterCount);
          expect(index.sharedGroupCount).toBe(model.groups().size);
          expect(index.subscriberCount).toBe(model.subscriptions.size);
          for (const subscriber of subscribers) {
            const stored = model.subscriptions.get(subscriber.id) ?? new Map<string, SubscriptionOptions>();
            const listed = index
              .subscriptionsOf(subscriber)
              .map((each) => [each.topicFilter, each.options] as const)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
            const expected = [...stored]
              .map(([filter, options]) => [filter, normalise(options)] as const)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
            expect(listed).toEqual(expected);
            for (const filter of filters) {
              const options = stored.get(filter);
              expect(index.get(subscriber, filter)).toEqual(
                options === undefined ? undefined : normalise(options),
              );
            }
          }
          // Emptying the index prunes every node.
          for (const subscriber of subscribers) index.removeAll(subscriber);
          expect(index.nodeCount).toBe(0);
          expect(index.filterCount).toBe(0);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('round-robin reaches every member once in n consecutive messages, after any churn', () => {
    fc.assert(
      fc.property(
        topicFilter,
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 7 })), { maxLength: 30 }),
        (filter, churn) => {
          const index = new SubscriptionIndex<Subscriber>();
          const subscribers = Array.from({ length: 8 }, (_, id) => ({ id }));
          const shared = `$share/team/${filter}`;
          const members = new Set<number>();
          const topic = filter
            .split('/')
            .map((each) => (each === '+' || each === '#' ? 'x' : each))
            .join('/');
          for (const [join, id] of churn) {
            if (join) {
              index.add(subscribers[id]!, shared, { qos: 0 });
              members.add(id);
            } else {
              index.remove(subscribers[id]!, shared);
              members.delete(id);
            }
            // Churn between deliveries too.
            index.match(topic);
          }
          expect(referenceMatches(filter, topic)).toBe(true);
          const got: number[] = [];
          for (let i = 0; i < members.size; i++) {
            const results = index.match(topic);
            expect(results.length).toBe(1);
            got.push(results[0]!.subscriber.id);
          }
          expect(got.sort((a, b) => a - b)).toEqual([...members].sort((a, b) => a - b));
        },
      ),
      { numRuns: 300 },
    );
  });
});
