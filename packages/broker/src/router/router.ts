import type { SubscriptionRecord } from '@mqttkit/session-store';
import { RetainedIndex, SubscriptionIndex } from '@mqttkit/topic';
import type { QoS } from '@mqttkit/types';
import type { Session } from '../session/session.js';
import { isExpired, type Message } from './message.js';

/** What happened to the retained store for one PUBLISH with RETAIN set. */
export type RetainOutcome = 'set' | 'cleared' | 'rejected-full' | 'none';

/**
 * Owns the subscription index and the retained messages, and routes each accepted message to every
 * matching session (design: "Router" in the flow of one message). Sessions are the index's subscriber
 * keys, so a match needs no client-id lookup.
 */
export class Router {
  private readonly index: SubscriptionIndex<Session>;
  private readonly retained = new RetainedIndex<Message>();

  private readonly maximumRetainedMessages: number;

  constructor(maximumRetainedMessages: number) {
    this.maximumRetainedMessages = maximumRetainedMessages;
    this.index = new SubscriptionIndex<Session>({ shareStrategy: pickSharedMember });
  }

  /** Add or replace a subscription; `isNew` is false when it replaced one on the same filter. */
  subscribe(session: Session, record: SubscriptionRecord): boolean {
    const options: {
      qos: QoS;
      noLocal: boolean;
      retainAsPublished: boolean;
      retainHandling: 0 | 1 | 2;
      subscriptionIdentifier?: number;
    } = {
      qos: record.qos,
      noLocal: record.noLocal,
      retainAsPublished: record.retainAsPublished,
      retainHandling: record.retainHandling,
    };
    if (record.subscriptionIdentifier !== undefined)
      options.subscriptionIdentifier = record.subscriptionIdentifier;
    return this.index.add(session, record.topicFilter, options).isNew;
  }

  /** Remove one subscription; false when the session had none on that filter. */
  unsubscribe(session: Session, topicFilter: string): boolean {
    return this.index.remove(session, topicFilter);
  }

  /** Remove every subscription of a session that ends. */
  unsubscribeAll(session: Session): void {
    this.index.removeAll(session);
  }

  /**
   * Deliver `message` to every matching session, once per session with the highest matching QoS and
   * all subscription identifiers, and to one member of each matching shared group. The RETAIN flag
   * goes out only with Retain As Published [MQTT-3.3.1-12]; otherwise it is cleared [MQTT-3.3.1-9].
   * Returns how many deliveries were made (0 lets a v5 PUBACK say No matching subscribers).
   */
  route(message: Message, publisher: Session | undefined): number {
    const matches = this.index.match(message.topic, publisher);
    const count = matches.length;
    for (let i = 0; i < count; i++) {
      const match = matches[i]!;
      const qos = match.qos < message.qos ? match.qos : message.qos;
      const ids = match.subscriptionIdentifiers;
      match.subscriber.deliver(
        message,
        qos,
        message.retain && match.retainAsPublished,
        ids === undefined || ids.length === 0 ? undefined : ids.slice(),
      );
    }
    return count;
  }

  /**
   * Update the retained store for a message published with RETAIN: an empty payload clears the topic
   * [MQTT-3.3.1-10], anything else replaces it [MQTT-3.3.1-5]. `retainedCopy` is what is kept.
   */
  retain(retainedCopy: Message): RetainOutcome {
    if (retainedCopy.payload.length === 0) {
      return this.retained.delete(retainedCopy.topic) ? 'cleared' : 'none';
    }
    if (
      this.retained.get(retainedCopy.topic) === undefined &&
      this.retained.size >= this.maximumRetainedMessages
    ) {
      return 'rejected-full';
    }
    this.retained.set(retainedCopy.topic, retainedCopy);
    return 'set';
  }

  /** Put back a retained message loaded from the store at start. */
  restoreRetained(message: Message): void {
    this.retained.set(message.topic, message);
  }

  /** Retained messages whose topics match `topicFilter`, expired ones removed on the way. */
  retainedMatching(topicFilter: string, now: number): Message[] {
    const found: Message[] = [];
    const expired: string[] = [];
    this.retained.forEachMatch(topicFilter, (message) => {
      if (isExpired(message, now)) expired.push(message.topic);
      else found.push(message);
    });
    for (const topic of expired) this.retained.delete(topic);
    return found;
  }

  /** Counts for `$SYS` and metrics. */
  counts(): { subscriptions: number; retained: number; sharedGroups: number } {
    return {
      subscriptions: this.index.subscriptionCount,
      retained: this.retained.size,
      sharedGroups: this.index.sharedGroupCount,
    };
  }
}

/**
 * Shared-subscription member choice: the connected member with the fewest messages in flight,
 * starting the scan at a rotating offset so ties go round-robin. Offline members get messages only
 * when no member is connected (they queue them for later).
 */
let rotation = 0;
function pickSharedMember(members: readonly Session[]): Session | undefined {
  const count = members.length;
  if (count === 0) return undefined;
  rotation = (rotation + 1) % 1_000_000_007;
  let best: Session | undefined;
  for (let i = 0; i < count; i++) {
    const member = members[(rotation + i) % count]!;
    if (member.link === undefined || !member.link.canSend()) continue;
    if (best === undefined || member.inflightCount < best.inflightCount) best = member;
  }
  return best ?? members[rotation % count];
}
