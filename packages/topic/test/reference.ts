/**
 * Independent reference implementations for the property suites: written the obvious way (with
 * `split`), sharing no code with `src/`, so a bug in the fast paths cannot cancel out.
 */

import type { QoS } from '@mqttkit/types';
import type { SubscriptionOptions } from '../src/subscription-options.js';

/** Section 4.7 matching, level by level over `split('/')`. */
export function referenceMatches(filter: string, topic: string): boolean {
  if (filter === '' || topic === '') return false;
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  // [MQTT-4.7.2-1]
  if ((filterLevels[0] === '#' || filterLevels[0] === '+') && topic.startsWith('$')) return false;
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i];
    // '#' matches the rest, including no level at all ("sport/#" matches "sport").
    if (level === '#') return true;
    if (i >= topicLevels.length) return false;
    if (level !== '+' && level !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}

/** `$share/{name}/{filter}` split with a regular expression, for valid filters only. */
export function referenceShare(filter: string): { shareName: string; topicFilter: string } | undefined {
  const found = /^\$share\/([^/]+)\/(.+)$/s.exec(filter);
  return found === null ? undefined : { shareName: found[1]!, topicFilter: found[2]! };
}

/** What one receiver should get, in a comparable form. */
export interface ExpectedDelivery {
  readonly subscriber: number;
  readonly qos: QoS;
  readonly identifiers: readonly number[];
  readonly retainAsPublished: boolean;
}

/** A plain model of a subscription index: subscriber → filter → options. */
export class ModelIndex {
  readonly subscriptions = new Map<number, Map<string, SubscriptionOptions>>();

  add(subscriber: number, filter: string, options: SubscriptionOptions): boolean {
    let filters = this.subscriptions.get(subscriber);
    if (filters === undefined) {
      filters = new Map();
      this.subscriptions.set(subscriber, filters);
    }
    const isNew = !filters.has(filter);
    filters.set(filter, options);
    return isNew;
  }

  remove(subscriber: number, filter: string): boolean {
    const filters = this.subscriptions.get(subscriber);
    if (filters === undefined || !filters.delete(filter)) return false;
    if (filters.size === 0) this.subscriptions.delete(subscriber);
    return true;
  }

  removeAll(subscriber: number): number {
    const count = this.subscriptions.get(subscriber)?.size ?? 0;
    this.subscriptions.delete(subscriber);
    return count;
  }

  /** Non-shared deliveries for a topic, merged per subscriber, sorted by subscriber. */
  plain(topic: string, publisher: number | undefined): ExpectedDelivery[] {
    const out: ExpectedDelivery[] = [];
    for (const [subscriber, filters] of this.subscriptions) {
      let qos = -1;
      const identifiers: number[] = [];
      let retainAsPublished = false;
      for (const [filter, options] of filters) {
        if (referenceShare(filter) !== undefined) continue;
        if (!referenceMatches(filter, topic)) continue;
        if (options.noLocal === true && subscriber === publisher) continue;
        qos = Math.max(qos, options.qos);
        if (options.subscriptionIdentifier !== undefined) identifiers.push(options.subscriptionIdentifier);
        retainAsPublished ||= options.retainAsPublished === true;
      }
      if (qos >= 0) {
        out.push({
          subscriber,
          qos: qos as QoS,
          identifiers: identifiers.sort((a, b) => a - b),
          retainAsPublished,
        });
      }
    }
    return out.sort((a, b) => a.subscriber - b.subscriber);
  }

  /** Shared groups ("name\u0000filter" → members and their options) whose filter matches the topic. */
  groups(topic?: string): Map<string, Map<number, SubscriptionOptions>> {
    const groups = new Map<string, Map<number, SubscriptionOptions>>();
    for (const [subscriber, filters] of this.subscriptions) {
      for (const [filter, options] of filters) {
        const share = referenceShare(filter);
        if (share === undefined) continue;
        if (topic !== undefined && !referenceMatches(share.topicFilter, topic)) continue;
        const key = `${share.shareName}\u0000${share.topicFilter}`;
        let members = groups.get(key);
        if (members === undefined) {
          members = new Map();
          groups.set(key, members);
        }
        members.set(subscriber, options);
      }
    }
    return groups;
  }

  get subscriptionCount(): number {
    let count = 0;
    for (const filters of this.subscriptions.values()) count += filters.size;
    return count;
  }

  get filterCount(): number {
    const filters = new Set<string>();
    for (const each of this.subscriptions.values()) for (const filter of each.keys()) filters.add(filter);
    return filters.size;
  }
}

/** Options as the index reports them: every flag present, identifier only when set. */
export function normalise(options: SubscriptionOptions): SubscriptionOptions {
  const out: SubscriptionOptions = {
    qos: options.qos,
    noLocal: options.noLocal === true,
    retainAsPublished: options.retainAsPublished === true,
    retainHandling: options.retainHandling ?? 0,
  };
  if (options.subscriptionIdentifier !== undefined)
    out.subscriptionIdentifier = options.subscriptionIdentifier;
  return out;
}
