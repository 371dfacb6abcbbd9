/**
 * @mqttkit/topic: MQTT topic name and filter validation, matching, the broker's subscription index
 * (with shared subscriptions) and the retained-message index. Pure logic: no I/O, no Node APIs.
 */

export { isWildcardFilter, matches } from './matches.js';
export { RetainedIndex } from './retained-index.js';
export type { ShareContext, ShareSelector, ShareStrategy } from './share-strategy.js';
export { parseSharedSubscription, SHARE_PREFIX, type SharedSubscription } from './shared-subscription.js';
export type {
  AddResult,
  IndexedSubscription,
  SubscriberMatch,
  SubscriptionIndexOptions,
} from './subscriber-match.js';
export { SubscriptionIndex } from './subscription-index.js';
export type { SubscriptionOptions } from './subscription-options.js';
export {
  DEFAULT_TOPIC_LIMITS,
  MAXIMUM_TOPIC_LENGTH,
  type TopicLimits,
  utf8ByteLength,
  validateTopicFilter,
  validateTopicName,
} from './validate.js';
