import { validateTopicFilter } from '@mqttkit/topic';
import type { QoS, SubscribeProperties, Subscription } from '@mqttkit/types';

/** Per-filter subscription options (No Local, Retain As Published and Retain Handling are v5 only). */
export interface SubscriptionOptions {
  /** The maximum QoS to receive at; default 0. */
  qos?: QoS;
  /** v5: do not receive the messages this client publishes itself. */
  noLocal?: boolean;
  /** v5: keep the RETAIN flag as published. */
  retainAsPublished?: boolean;
  /** v5: 0 send retained messages on subscribe (default), 1 only for a new subscription, 2 never. */
  retainHandling?: 0 | 1 | 2;
}

/** Options of `subscribe()`: defaults for every filter, plus the v5 SUBSCRIBE properties. */
export interface SubscribeOptions extends SubscriptionOptions {
  /** v5 SUBSCRIBE properties: a Subscription Identifier and user properties. */
  properties?: SubscribeProperties;
}

/** Turns the accepted argument shapes into a checked list of subscriptions, or the first problem found. */
export function normalizeSubscriptions(
  filters: string | readonly string[] | Readonly<Record<string, QoS | SubscriptionOptions>>,
  options: SubscribeOptions | undefined,
): Subscription[] | Error {
  const entries: [string, SubscriptionOptions | undefined][] =
    typeof filters === 'string'
      ? [[filters, undefined]]
      : Array.isArray(filters)
        ? (filters as readonly string[]).map((filter): [string, undefined] => [filter, undefined])
        : Object.entries(filters as Readonly<Record<string, QoS | SubscriptionOptions>>).map(
            ([filter, value]): [string, SubscriptionOptions] => [
              filter,
              typeof value === 'number' ? { qos: value } : value,
            ],
          );
  if (entries.length === 0) return new TypeError('subscribe() needs at least one topic filter');
  const subscriptions: Subscription[] = [];
  for (const [topicFilter, own] of entries) {
    if (typeof topicFilter !== 'string') return new TypeError('a topic filter must be a string');
    const error = validateTopicFilter(topicFilter);
    if (error !== undefined) return error;
    const qos = own?.qos ?? options?.qos ?? 0;
    if (qos !== 0 && qos !== 1 && qos !== 2)
      return new RangeError(`qos must be 0, 1 or 2, got ${String(qos)}`);
    const subscription: Subscription = { topicFilter, qos };
    const noLocal = own?.noLocal ?? options?.noLocal;
    const retainAsPublished = own?.retainAsPublished ?? options?.retainAsPublished;
    const retainHandling = own?.retainHandling ?? options?.retainHandling;
    if (noLocal !== undefined) subscription.noLocal = noLocal;
    if (retainAsPublished !== undefined) subscription.retainAsPublished = retainAsPublished;
    if (retainHandling !== undefined) subscription.retainHandling = retainHandling;
    subscriptions.push(subscription);
  }
  return subscriptions;
}
