/**
 * The options of one subscription, and their packed form inside the index.
 */

import type { QoS } from '@mqttkit/types';

/** The options of one subscription (3.8.3.1); 3.x subscriptions carry only `qos`. */
export interface SubscriptionOptions {
  /** Maximum QoS granted. */
  qos: QoS;
  /** 5.0: do not deliver the subscriber's own messages [MQTT-3.8.3-3]. */
  noLocal?: boolean;
  /** 5.0: keep the RETAIN flag of forwarded messages as published. */
  retainAsPublished?: boolean;
  /** 5.0: 0 send retained messages on subscribe, 1 only if the subscription is new, 2 never. */
  retainHandling?: 0 | 1 | 2;
  /** 5.0: the Subscription Identifier (1 to 268,435,455) sent with matching messages. */
  subscriptionIdentifier?: number;
}

// Options packed in one small integer: the options of a million subscriptions then cost one field
// each instead of an object each.
export const QOS_MASK = 0b11;
export const NO_LOCAL = 0b100;
export const RETAIN_AS_PUBLISHED = 0b1000;
const RETAIN_HANDLING_SHIFT = 4;
/** Set when the subscription has a Subscription Identifier, so the match loop looks it up only then. */
export const HAS_IDENTIFIER = 0b100_0000;

/** The flags of `options` packed into one small integer. */
export function packFlags(options: SubscriptionOptions): number {
  let flags = options.qos & QOS_MASK;
  if (options.noLocal === true) flags |= NO_LOCAL;
  if (options.retainAsPublished === true) flags |= RETAIN_AS_PUBLISHED;
  flags |= (options.retainHandling ?? 0) << RETAIN_HANDLING_SHIFT;
  if (options.subscriptionIdentifier !== undefined && options.subscriptionIdentifier !== 0)
    flags |= HAS_IDENTIFIER;
  return flags;
}

/** Normalised options from packed flags and an identifier (0 for none). */
export function unpackOptions(flags: number, identifier: number): SubscriptionOptions {
  const options: SubscriptionOptions = {
    qos: (flags & QOS_MASK) as QoS,
    noLocal: (flags & NO_LOCAL) !== 0,
    retainAsPublished: (flags & RETAIN_AS_PUBLISHED) !== 0,
    retainHandling: ((flags >> RETAIN_HANDLING_SHIFT) & 0b11) as 0 | 1 | 2,
  };
  if (identifier !== 0) options.subscriptionIdentifier = identifier;
  return options;
}
