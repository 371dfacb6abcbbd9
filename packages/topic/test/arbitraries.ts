/**
 * fast-check generators for topic names and filters: a small alphabet so that filters and topics
 * collide often, plus '$' levels, empty levels and arbitrary unicode levels.
 */

import fc from 'fast-check';
import type { SubscriptionOptions } from '../src/subscription-options.js';

// Characters a level cannot hold: the separator, the wildcards and U+0000 [MQTT-4.7.3-2].
function cleanLevel(text: string): string {
  return [...text].map((each) => ('/+#\u0000'.includes(each) ? '_' : each)).join('');
}

/** One topic level: usually from a small shared alphabet, sometimes any unicode text. */
export const level: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('a', 'b', 'c', '', '$SYS', '$', 'é', '😀', 'a b', 'A') },
  {
    weight: 1,
    arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }).map(cleanLevel),
  },
);

/** A valid Topic Name of 1 to 5 levels. */
export const topicName: fc.Arbitrary<string> = fc
  .array(level, { minLength: 1, maxLength: 5 })
  .map((levels) => levels.join('/'))
  .filter((topic) => topic.length > 0);

/** A valid non-shared Topic Filter: '+' may stand at any level, '#' may end it. */
export const topicFilter: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.oneof({ weight: 3, arbitrary: level }, { weight: 1, arbitrary: fc.constant('+') }), {
      minLength: 0,
      maxLength: 5,
    }),
    fc.boolean(),
  )
  .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'))
  .filter((filter) => filter.length > 0);

/** A valid filter, shared (`$share/g1/...` or `$share/g2/...`) one time in four. */
export const anyFilter: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: topicFilter },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('g1', 'g2'), topicFilter).map(([g, f]) => `$share/${g}/${f}`),
  },
);

/** Subscription options with every 5.0 option sometimes set; identifiers collide on purpose. */
export const subscriptionOptions: fc.Arbitrary<SubscriptionOptions> = fc
  .record(
    {
      qos: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
      noLocal: fc.boolean(),
      retainAsPublished: fc.boolean(),
      retainHandling: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
      subscriptionIdentifier: fc.integer({ min: 1, max: 6 }),
    },
    { requiredKeys: ['qos'] },
  )
  .map((each): SubscriptionOptions => ({ ...each }));

/**
 * A topic that the given filter (shared or not) matches when possible: '+' and '#' become levels
 * from the alphabet, so overlapping subscriptions are exercised often.
 */
export function topicFor(filter: string): fc.Arbitrary<string> {
  const inner = /^\$share\/[^/]+\/(.+)$/s.exec(filter)?.[1] ?? filter;
  return fc
    .tuple(
      ...inner
        .split('/')
        .map((each) =>
          each === '+'
            ? level.map((one) => [one])
            : each === '#'
              ? fc.array(level, { minLength: 0, maxLength: 2 })
              : fc.constant([each]),
        ),
    )
    .map((parts) => parts.flat().join('/'))
    .filter((topic) => topic.length > 0);
}
