/**
 * One shared subscription group (section 4.8.2) and how it picks the member for a message.
 */

import type { ShareContext, ShareSelector } from './share-strategy.js';
import {
  MatchResult,
  type Subscription,
  type SubscriptionNode,
  setIndex,
  swapRemove,
} from './subscription-node.js';

/** The members of one shared subscription, identified by ShareName and Topic Filter (4.8.2). */
export class SharedGroup<S> implements ShareContext {
  readonly shareName: string;
  readonly topicFilter: string;
  readonly node: SubscriptionNode<S>;
  readonly members: Subscription<S>[];
  /** The members' subscribers in the same order, for selector callbacks. */
  readonly subscribers: S[];
  /** Position in `node.groups`. */
  index: number;
  /** The member the next round-robin pick takes. */
  cursor: number;
  readonly match: MatchResult<S>;
  /** The topic of the message being delivered, set only while a selector callback runs. */
  topic: string;

  constructor(shareName: string, topicFilter: string, node: SubscriptionNode<S>, first: S) {
    this.shareName = shareName;
    this.topicFilter = topicFilter;
    this.node = node;
    this.members = [];
    this.subscribers = [];
    this.index = 0;
    this.cursor = 0;
    this.match = new MatchResult(first, shareName, topicFilter);
    this.topic = '';
  }

  addMember(subscription: Subscription<S>): void {
    subscription.index = this.members.length;
    this.members.push(subscription);
    this.subscribers.push(subscription.match.subscriber);
  }

  removeMember(subscription: Subscription<S>): void {
    const index = subscription.index;
    swapRemove(this.members, index, setIndex);
    const last = this.subscribers.pop()!;
    if (index < this.subscribers.length) this.subscribers[index] = last;
  }

  /** Round-robin: each member in turn, so n consecutive messages reach n members once each. */
  pickNext(): Subscription<S> {
    let cursor = this.cursor;
    if (cursor >= this.members.length) cursor = 0;
    this.cursor = cursor + 1;
    return this.members[cursor]!;
  }

  pickRandom(): Subscription<S> {
    return this.members[Math.floor(Math.random() * this.members.length)]!;
  }

  pickWith(selector: ShareSelector<S>, topic: string): Subscription<S> | undefined {
    // The group itself is the context object: no allocation per pick.
    this.topic = topic;
    const chosen = selector(this.subscribers, this);
    this.topic = '';
    if (chosen === undefined) return undefined;
    const index = this.subscribers.indexOf(chosen);
    return index === -1 ? undefined : this.members[index];
  }
}
