/**
 * The internal records of `SubscriptionIndex`: trie nodes, one object per subscription, one record per
 * subscriber and the reusable match objects (shared groups are in shared-group.ts). Nothing here is
 * exported from the package.
 *
 * Every class assigns all its fields in the constructor, so each has one hidden class and the match
 * loop stays monomorphic.
 */

import type { QoS } from '@mqttkit/types';
import type { SharedGroup } from './shared-group.js';

// What `subscriptionIdentifiers` holds when there are none: the match loop then never touches the
// result's own identifier array, one memory access less per receiver.
const NO_IDENTIFIERS: readonly number[] = Object.freeze([]);

/**
 * The result of one match for one subscriber (or one shared group), reused from match to match. It is
 * also the only object the match loop touches per receiver, so it carries the `epoch` stamp.
 */
export class MatchResult<S> {
  subscriber: S;
  qos: QoS;
  /** `NO_IDENTIFIERS`, or `ownIdentifiers` once this match found an identifier. */
  subscriptionIdentifiers: readonly number[];
  retainAsPublished: boolean;
  readonly shareName: string | undefined;
  readonly topicFilter: string | undefined;
  /** The match in which this subscriber last joined the result; see `SubscriptionIndex.match`. */
  epoch: number;
  /** The array identifiers are collected in, reused from match to match; created with the first. */
  ownIdentifiers: number[] | undefined;

  constructor(subscriber: S, shareName: string | undefined, topicFilter: string | undefined) {
    this.subscriber = subscriber;
    this.qos = 0;
    this.subscriptionIdentifiers = NO_IDENTIFIERS;
    this.retainAsPublished = false;
    this.shareName = shareName;
    this.topicFilter = topicFilter;
    this.epoch = 0;
    this.ownIdentifiers = undefined;
  }

  /** Starts a new match: no identifiers yet. */
  resetIdentifiers(): void {
    this.subscriptionIdentifiers = NO_IDENTIFIERS;
  }

  /** Adds one Subscription Identifier to this match. */
  addIdentifier(identifier: number): void {
    let own = this.ownIdentifiers;
    if (this.subscriptionIdentifiers !== own) {
      if (own === undefined) {
        own = [];
        this.ownIdentifiers = own;
      } else {
        own.length = 0;
      }
      this.subscriptionIdentifiers = own;
    }
    own.push(identifier);
  }
}

/** Slots per subscription in `SubscriptionNode.entries`. */
export const ENTRY_SIZE = 3;

/** One node per filter level; `+` and `#` levels hang off their parent as `plus` and `hash`. */
export class SubscriptionNode<S> {
  readonly parent: SubscriptionNode<S> | undefined;
  readonly level: string;
  /** Children for literal levels, created with the first one. */
  children: Map<string, SubscriptionNode<S>> | undefined;
  plus: SubscriptionNode<S> | undefined;
  hash: SubscriptionNode<S> | undefined;
  /**
   * Non-shared subscriptions whose filter ends here, three slots each: the Subscription, its
   * subscriber's MatchResult and its flags. The match loop reads the last two straight from this
   * array and never touches the Subscription object: one memory access less per receiver.
   */
  entries: (Subscription<S> | MatchResult<S> | number)[] | undefined;
  /** Shared groups whose filter ends here. */
  groups: SharedGroup<S>[] | undefined;

  constructor(parent: SubscriptionNode<S> | undefined, level: string) {
    this.parent = parent;
    this.level = level;
    this.children = undefined;
    this.plus = undefined;
    this.hash = undefined;
    this.entries = undefined;
    this.groups = undefined;
  }

  /** Adds a non-shared subscription ending here. */
  addEntry(subscription: Subscription<S>): void {
    if (this.entries === undefined) {
      subscription.index = 0;
      this.entries = [subscription, subscription.match, subscription.flags];
    } else {
      subscription.index = this.entries.length / ENTRY_SIZE;
      this.entries.push(subscription, subscription.match, subscription.flags);
    }
  }

  /** Removes a non-shared subscription, moving the last one into its slots. */
  removeEntry(subscription: Subscription<S>): void {
    const entries = this.entries!;
    const at = subscription.index * ENTRY_SIZE;
    const last = entries.length - ENTRY_SIZE;
    if (at !== last) {
      const moved = entries[last] as Subscription<S>;
      entries[at] = moved;
      entries[at + 1] = entries[last + 1]!;
      entries[at + 2] = entries[last + 2]!;
      moved.index = subscription.index;
    }
    entries.length = last;
    if (last === 0) this.entries = undefined;
  }

  /** Updates the flags the match loop reads for a replaced subscription. */
  setEntryFlags(subscription: Subscription<S>): void {
    this.entries![subscription.index * ENTRY_SIZE + 2] = subscription.flags;
  }

  /** True when nothing hangs off this node, so it can be unlinked from its parent. */
  isEmpty(): boolean {
    return (
      this.entries === undefined &&
      this.groups === undefined &&
      this.children === undefined &&
      this.plus === undefined &&
      this.hash === undefined
    );
  }

  /** The shared group with this ShareName at this node, if any. */
  group(shareName: string): SharedGroup<S> | undefined {
    const groups = this.groups;
    if (groups === undefined) return undefined;
    for (let i = 0; i < groups.length; i++) if (groups[i]!.shareName === shareName) return groups[i];
    return undefined;
  }

  /** The filter this node stands for, rebuilt from the path (filters are not stored per subscription). */
  filter(): string {
    const levels: string[] = [];
    for (let node: SubscriptionNode<S> = this; node.parent !== undefined; node = node.parent)
      levels.push(node.level);
    return levels.reverse().join('/');
  }
}

/** One subscription: a subscriber on a filter (node, and group when shared), with its options. */
export class Subscription<S> {
  /** The subscriber's result object: the match loop reaches it in one step. */
  readonly match: MatchResult<S>;
  readonly node: SubscriptionNode<S>;
  /** The shared group this subscription is a member of, or `undefined` for a non-shared one. */
  readonly group: SharedGroup<S> | undefined;
  /** Packed options; see subscription-options.ts. */
  flags: number;
  /** The Subscription Identifier, or 0 for none (0 is not a valid identifier, 3.8.2.1.2). */
  identifier: number;
  /** Position in `node.entries` (in units of ENTRY_SIZE) or `group.members`, for O(1) removal. */
  index: number;
  /** Position in the subscriber record's `subscriptions`. */
  recordIndex: number;

  constructor(
    match: MatchResult<S>,
    node: SubscriptionNode<S>,
    group: SharedGroup<S> | undefined,
    flags: number,
    identifier: number,
  ) {
    this.match = match;
    this.node = node;
    this.group = group;
    this.flags = flags;
    this.identifier = identifier;
    this.index = 0;
    this.recordIndex = 0;
  }

  /** The filter as subscribed, `$share/{ShareName}/` prefix included. */
  filter(): string {
    const group = this.group;
    return group === undefined ? this.node.filter() : `$share/${group.shareName}/${group.topicFilter}`;
  }
}

// A list at most this long is searched by scanning; see SubscriberRecord.find.
const SCAN_LIMIT = 16;

/** Everything the index knows about one subscriber. */
export class SubscriberRecord<S> {
  readonly match: MatchResult<S>;
  readonly subscriptions: Subscription<S>[];
  /** Subscriptions by node (or shared group), kept only for subscribers with many subscriptions. */
  byTarget: Map<SubscriptionNode<S> | SharedGroup<S>, Subscription<S>> | undefined;

  constructor(subscriber: S) {
    this.match = new MatchResult(subscriber, undefined, undefined);
    this.subscriptions = [];
    this.byTarget = undefined;
  }

  /**
   * This subscriber's subscription at `node` (in `group` when shared). Compares object identity, never
   * filter strings, and scans whichever list is short: the node's (usually one or two entries) or the
   * subscriber's; a Map covers the rare subscriber with many subscriptions on popular filters.
   */
  find(node: SubscriptionNode<S>, group: SharedGroup<S> | undefined): Subscription<S> | undefined {
    const match = this.match;
    if (group === undefined) {
      const entries = node.entries;
      if (entries === undefined) return undefined;
      if (entries.length <= SCAN_LIMIT * ENTRY_SIZE) {
        for (let i = 1; i < entries.length; i += ENTRY_SIZE) {
          if (entries[i] === match) return entries[i - 1] as Subscription<S>;
        }
        return undefined;
      }
    } else if (group.members.length <= SCAN_LIMIT) {
      const members = group.members;
      for (let i = 0; i < members.length; i++) if (members[i]!.match === match) return members[i];
      return undefined;
    }
    if (this.byTarget !== undefined) return this.byTarget.get(group ?? node);
    const own = this.subscriptions;
    for (let i = 0; i < own.length; i++) {
      const subscription = own[i]!;
      if (subscription.node === node && subscription.group === group) return subscription;
    }
    return undefined;
  }

  add(subscription: Subscription<S>): void {
    subscription.recordIndex = this.subscriptions.length;
    this.subscriptions.push(subscription);
    if (this.byTarget !== undefined) {
      this.byTarget.set(subscription.group ?? subscription.node, subscription);
    } else if (this.subscriptions.length > SCAN_LIMIT) {
      this.byTarget = new Map();
      for (const each of this.subscriptions) this.byTarget.set(each.group ?? each.node, each);
    }
  }

  delete(subscription: Subscription<S>): void {
    swapRemove(this.subscriptions, subscription.recordIndex, setRecordIndex);
    if (this.byTarget !== undefined) {
      this.byTarget.delete(subscription.group ?? subscription.node);
      if (this.subscriptions.length <= SCAN_LIMIT / 2) this.byTarget = undefined;
    }
  }
}

/** Keeps `index` right when swapRemove moves an element. */
export function setIndex(item: { index: number }, index: number): void {
  item.index = index;
}

function setRecordIndex<S>(subscription: Subscription<S>, index: number): void {
  subscription.recordIndex = index;
}

/** Removes `array[index]` in O(1) by moving the last element into its place. */
export function swapRemove<T>(array: T[], index: number, moved: (item: T, index: number) => void): void {
  const last = array.pop()!;
  if (index < array.length) {
    array[index] = last;
    moved(last, index);
  }
}
