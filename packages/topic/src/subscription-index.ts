/**
 * The broker's subscription index: a trie with one node per filter level plus `+` and `#` children
 * (style guide R10), answering "who receives a message on this topic" with overlapping subscriptions
 * merged and one member per shared group.
 */

import { MqttError, type QoS } from '@mqttkit/types';
import type { ShareSelector } from './share-strategy.js';
import { SharedGroup } from './shared-group.js';
import { parseSharedSubscription, SHARE_PREFIX } from './shared-subscription.js';
import type {
  AddResult,
  IndexedSubscription,
  SubscriberMatch,
  SubscriptionIndexOptions,
} from './subscriber-match.js';
import {
  ENTRY_SIZE,
  type MatchResult,
  SubscriberRecord,
  Subscription,
  type SubscriptionNode,
  setIndex,
  swapRemove,
} from './subscription-node.js';
import {
  HAS_IDENTIFIER,
  NO_LOCAL,
  packFlags,
  QOS_MASK,
  RETAIN_AS_PUBLISHED,
  type SubscriptionOptions,
  unpackOptions,
} from './subscription-options.js';
import { SubscriptionTrie } from './subscription-trie.js';

const DOLLAR = 0x24;
// Epochs stay small integers (V8 Smis): past this the index renumbers every record (see #nextEpoch).
const EPOCH_LIMIT = 0x3fffffff;
// `add` returns this for every new subscription instead of allocating an object each time.
const ADDED: AddResult = Object.freeze({ isNew: true });

/**
 * Subscriptions of subscribers of type `S` (compared by identity, e.g. a session object) indexed for
 * matching. Filters are assumed valid (`validateTopicFilter`); the index never throws on them.
 */
export class SubscriptionIndex<S> {
  readonly #trie = new SubscriptionTrie<S>();
  readonly #records = new Map<S, SubscriberRecord<S>>();
  readonly #selector: ShareSelector<S> | undefined;
  readonly #random: boolean;
  // Two frontiers of trie nodes for the level-by-level walk in match, and the result array: all
  // reused, so a match allocates nothing once they have grown.
  #current: SubscriptionNode<S>[] = [];
  #next: SubscriptionNode<S>[] = [];
  readonly #results: MatchResult<S>[] = [];
  #resultCount = 0;
  #epoch = 0;
  #subscriptionCount = 0;
  #filterCount = 0;
  #sharedGroupCount = 0;

  constructor(options: SubscriptionIndexOptions<S> = {}) {
    const strategy = options.shareStrategy ?? 'round-robin';
    this.#selector = typeof strategy === 'function' ? strategy : undefined;
    this.#random = strategy === 'random';
  }

  /** All subscriptions, shared memberships included. */
  get subscriptionCount(): number {
    return this.#subscriptionCount;
  }

  /** Distinct filters as subscribed (`a/b` and `$share/g/a/b` are two) with at least one subscription. */
  get filterCount(): number {
    return this.#filterCount;
  }

  /** Shared groups with at least one member. */
  get sharedGroupCount(): number {
    return this.#sharedGroupCount;
  }

  /** Subscribers with at least one subscription. */
  get subscriberCount(): number {
    return this.#records.size;
  }

  /** Trie nodes below the root, for memory metrics; 0 when empty, since emptied nodes are pruned. */
  get nodeCount(): number {
    return this.#trie.nodeCount;
  }

  /**
   * Subscribes `subscriber` to `filter`, replacing its existing subscription on the identical filter
   * [MQTT-3.8.4-3] (for a shared filter, its membership, 4.8.2). `$share/{ShareName}/{filter}` joins
   * the shared group named by ShareName and filter.
   */
  add(subscriber: S, filter: string, options: SubscriptionOptions): AddResult {
    const flags = packFlags(options);
    const identifier = options.subscriptionIdentifier ?? 0;
    let record = this.#records.get(subscriber);
    if (record === undefined) {
      record = new SubscriberRecord(subscriber);
      this.#records.set(subscriber, record);
    }
    // A malformed $share filter is indexed as an ordinary filter: validation should have refused it,
    // and the index never throws (R10).
    const shared = filter.startsWith(SHARE_PREFIX) ? parseSharedSubscription(filter) : undefined;
    if (shared === undefined || shared instanceof MqttError) {
      const node = this.#trie.nodeFor(filter, true)!;
      const existing = record.find(node, undefined);
      if (existing !== undefined) return replace(existing, flags, identifier);
      const subscription = new Subscription(record.match, node, undefined, flags, identifier);
      if (node.entries === undefined) this.#filterCount++;
      node.addEntry(subscription);
      record.add(subscription);
    } else {
      const node = this.#trie.nodeFor(shared.topicFilter, true)!;
      let group = node.group(shared.shareName);
      if (group === undefined) {
        group = new SharedGroup(shared.shareName, shared.topicFilter, node, subscriber);
        if (node.groups === undefined) {
          node.groups = [group];
        } else {
          group.index = node.groups.length;
          node.groups.push(group);
        }
        this.#sharedGroupCount++;
        this.#filterCount++;
      } else {
        const existing = record.find(node, group);
        if (existing !== undefined) return replace(existing, flags, identifier);
      }
      const subscription = new Subscription(record.match, node, group, flags, identifier);
      group.addMember(subscription);
      record.add(subscription);
    }
    this.#subscriptionCount++;
    return ADDED;
  }

  /** Removes the subscriber's subscription on exactly this filter; false when there was none. */
  remove(subscriber: S, filter: string): boolean {
    const record = this.#records.get(subscriber);
    if (record === undefined) return false;
    const subscription = this.#find(record, filter);
    if (subscription === undefined) return false;
    this.#detach(subscription);
    record.delete(subscription);
    if (record.subscriptions.length === 0) this.#records.delete(subscriber);
    return true;
  }

  /** Removes every subscription of the subscriber (session end); returns how many there were. */
  removeAll(subscriber: S): number {
    const record = this.#records.get(subscriber);
    if (record === undefined) return 0;
    const subscriptions = record.subscriptions;
    for (let i = 0; i < subscriptions.length; i++) this.#detach(subscriptions[i]!);
    this.#records.delete(subscriber);
    return subscriptions.length;
  }

  /** The options of the subscriber's subscription on exactly this filter, normalised, or undefined. */
  get(subscriber: S, filter: string): SubscriptionOptions | undefined {
    const record = this.#records.get(subscriber);
    const subscription = record === undefined ? undefined : this.#find(record, filter);
    return subscription === undefined
      ? undefined
      : unpackOptions(subscription.flags, subscription.identifier);
  }

  /** Every subscription of the subscriber (a fresh array, for persistence and metrics). */
  subscriptionsOf(subscriber: S): IndexedSubscription[] {
    const record = this.#records.get(subscriber);
    if (record === undefined) return [];
    return record.subscriptions.map((each) => ({
      topicFilter: each.filter(),
      options: unpackOptions(each.flags, each.identifier),
    }));
  }

  /** Every subscriber with at least one subscription. */
  subscribers(): IterableIterator<S> {
    return this.#records.keys();
  }

  /**
   * Everyone who receives a message published on `topic` (assumed a valid Topic Name) by `publisher`:
   * one entry per subscriber for its non-shared subscriptions, merged, plus one entry per matching
   * shared group with the member its strategy chose. The array and its objects are reused: they are
   * valid until the next call of `match`, so copy whatever must outlive it.
   */
  match(topic: string, publisher?: S): readonly SubscriberMatch<S>[] {
    const epoch = this.#nextEpoch();
    this.#resultCount = 0;
    const length = topic.length;
    // [MQTT-4.7.2-1] Filters starting with '+' or '#' do not match topics starting with '$'.
    const skipRootWildcards = length > 0 && topic.charCodeAt(0) === DOLLAR;
    let current = this.#current;
    let next = this.#next;
    current[0] = this.#trie.root;
    let currentCount = 1;
    let start = 0;
    // Breadth-first, one topic level per pass: the level string is cut once however many nodes are
    // live, and the walk needs no recursion, so no topic depth can overflow the stack.
    for (;;) {
      let end = topic.indexOf('/', start);
      if (end === -1) end = length;
      let level: string | undefined;
      let nextCount = 0;
      const wildcardsAllowed = start !== 0 || !skipRootWildcards;
      for (let i = 0; i < currentCount; i++) {
        const node = current[i]!;
        if (wildcardsAllowed) {
          // '#' here covers this level and all that follow.
          if (node.hash !== undefined) this.#collect(node.hash, epoch, publisher, topic);
          if (node.plus !== undefined) next[nextCount++] = node.plus;
        }
        const children = node.children;
        if (children !== undefined) {
          if (level === undefined) level = topic.substring(start, end);
          const child = children.get(level);
          if (child !== undefined) next[nextCount++] = child;
        }
      }
      if (nextCount === 0) break;
      const swap = current;
      current = next;
      next = swap;
      currentCount = nextCount;
      if (end === length) {
        for (let i = 0; i < currentCount; i++) {
          const node = current[i]!;
          this.#collect(node, epoch, publisher, topic);
          // 4.7.1.2: "sport/#" also matches "sport": '#' includes the parent level.
          if (node.hash !== undefined) this.#collect(node.hash, epoch, publisher, topic);
        }
        break;
      }
      start = end + 1;
    }
    this.#current = current;
    this.#next = next;
    const results = this.#results;
    if (results.length !== this.#resultCount) results.length = this.#resultCount;
    return results;
  }

  /** Adds the subscriptions that end at `node` to the result. */
  #collect(node: SubscriptionNode<S>, epoch: number, publisher: S | undefined, topic: string): void {
    const entries = node.entries;
    if (entries !== undefined) {
      const results = this.#results;
      for (let i = 0; i < entries.length; i += ENTRY_SIZE) {
        const match = entries[i + 1] as MatchResult<S>;
        const flags = entries[i + 2] as number;
        // [MQTT-3.8.3-3] No Local: not back to the publisher through this subscription.
        if ((flags & NO_LOCAL) !== 0 && publisher !== undefined && match.subscriber === publisher) continue;
        const qos = (flags & QOS_MASK) as QoS;
        if (match.epoch !== epoch) {
          // First matching subscription of this subscriber in this match.
          match.epoch = epoch;
          match.qos = qos;
          match.retainAsPublished = (flags & RETAIN_AS_PUBLISHED) !== 0;
          match.resetIdentifiers();
          results[this.#resultCount++] = match;
        } else {
          // Overlapping subscriptions: the maximum QoS ([MQTT-3.3.5-1], 5.0 [MQTT-3.3.4-2]).
          if (qos > match.qos) match.qos = qos;
          if ((flags & RETAIN_AS_PUBLISHED) !== 0) match.retainAsPublished = true;
        }
        // 5.0 [MQTT-3.3.4-3], [MQTT-3.3.4-4]: every matching subscription's identifier.
        if ((flags & HAS_IDENTIFIER) !== 0) match.addIdentifier((entries[i] as Subscription<S>).identifier);
      }
    }
    const groups = node.groups;
    if (groups !== undefined) {
      for (let i = 0; i < groups.length; i++) this.#collectGroup(groups[i]!, topic);
    }
  }

  /** Adds one member of a shared group: each message goes to one session of the group (4.8.2). */
  #collectGroup(group: SharedGroup<S>, topic: string): void {
    let member: Subscription<S> | undefined;
    if (this.#selector !== undefined) member = group.pickWith(this.#selector, topic);
    else if (this.#random) member = group.pickRandom();
    else member = group.pickNext();
    if (member === undefined) return;
    const match = group.match;
    match.subscriber = member.match.subscriber;
    match.qos = (member.flags & QOS_MASK) as QoS;
    match.retainAsPublished = (member.flags & RETAIN_AS_PUBLISHED) !== 0;
    match.resetIdentifiers();
    // [MQTT-3.3.4-5] A separate copy carries the identifier of its own subscription.
    if (member.identifier !== 0) match.addIdentifier(member.identifier);
    this.#results[this.#resultCount++] = match;
  }

  /**
   * A fresh stamp for this match. A result object whose `epoch` equals it has already joined the
   * result, so overlapping subscriptions merge without a per-match Map or Set (R10). Before the counter
   * leaves the small-integer range every record is reset, so an old stamp never passes for a new one.
   */
  #nextEpoch(): number {
    if (this.#epoch >= EPOCH_LIMIT) {
      for (const record of this.#records.values()) record.match.epoch = 0;
      this.#epoch = 0;
    }
    return ++this.#epoch;
  }

  /** The record's subscription on `filter` (shared or not), found without comparing filter strings. */
  #find(record: SubscriberRecord<S>, filter: string): Subscription<S> | undefined {
    const shared = filter.startsWith(SHARE_PREFIX) ? parseSharedSubscription(filter) : undefined;
    if (shared === undefined || shared instanceof MqttError) {
      const node = this.#trie.nodeFor(filter, false);
      return node === undefined ? undefined : record.find(node, undefined);
    }
    const group = this.#trie.nodeFor(shared.topicFilter, false)?.group(shared.shareName);
    return group === undefined ? undefined : record.find(group.node, group);
  }

  /** Takes a subscription out of the trie (not out of its record) and prunes emptied nodes. */
  #detach(subscription: Subscription<S>): void {
    const node = subscription.node;
    const group = subscription.group;
    this.#subscriptionCount--;
    if (group !== undefined) {
      group.removeMember(subscription);
      if (group.members.length === 0) {
        const groups = node.groups!;
        swapRemove(groups, group.index, setIndex);
        if (groups.length === 0) node.groups = undefined;
        this.#sharedGroupCount--;
        this.#filterCount--;
      }
    } else {
      node.removeEntry(subscription);
      if (node.entries === undefined) this.#filterCount--;
    }
    this.#trie.prune(node);
  }
}

/** Replaces an existing subscription's options [MQTT-3.8.4-3] and reports the old ones. */
function replace<S>(existing: Subscription<S>, flags: number, identifier: number): AddResult {
  const previous = unpackOptions(existing.flags, existing.identifier);
  existing.flags = flags;
  existing.identifier = identifier;
  if (existing.group === undefined) existing.node.setEntryFlags(existing);
  return { isNew: false, previous };
}
