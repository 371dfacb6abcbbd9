/**
 * The public shapes `SubscriptionIndex` takes and returns, besides `SubscriptionOptions`.
 */

import type { QoS } from '@mqttkit/types';
import type { ShareStrategy } from './share-strategy.js';
import type { SubscriptionOptions } from './subscription-options.js';

/**
 * One receiver of a message. For non-shared subscriptions there is one per subscriber, merging every
 * matching subscription; for each matching shared group there is one more, with `shareName` set.
 */
export interface SubscriberMatch<S> {
  readonly subscriber: S;
  /** The maximum QoS of the merged subscriptions ([MQTT-3.3.5-1], [MQTT-3.3.4-2]). */
  readonly qos: QoS;
  /** One identifier per matching subscription that has one, in no particular order ([MQTT-3.3.4-4]). */
  readonly subscriptionIdentifiers: readonly number[];
  /** True when any of the merged subscriptions asked for Retain As Published. */
  readonly retainAsPublished: boolean;
  /** The ShareName for a shared delivery, `undefined` for a non-shared one. */
  readonly shareName: string | undefined;
  /** The shared group's Topic Filter (without prefix) for a shared delivery, otherwise `undefined`. */
  readonly topicFilter: string | undefined;
}

/** What `add` did: `isNew` is false when an existing subscription on the same filter was replaced. */
export interface AddResult {
  readonly isNew: boolean;
  /** The options of the replaced subscription, when `isNew` is false. */
  readonly previous?: SubscriptionOptions;
}

/** One subscription of one subscriber, as stored: the filter as subscribed and its options. */
export interface IndexedSubscription {
  readonly topicFilter: string;
  readonly options: SubscriptionOptions;
}

/** Options of a `SubscriptionIndex`. */
export interface SubscriptionIndexOptions<S> {
  /** How a shared group picks the member for a message; `'round-robin'` by default. */
  readonly shareStrategy?: ShareStrategy<S>;
}
