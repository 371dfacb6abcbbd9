import type { SessionRecord, StoredMessage, StoredSession, SubscriptionRecord } from '@mqttkit/session-store';
import { matches, parseSharedSubscription } from '@mqttkit/topic';
import { MqttError, type ProtocolVersion, type QoS } from '@mqttkit/types';
import { type Clock, scheduleAt } from '../clock.js';
import type { DropReason } from '../hooks/hook.js';
import type { HookRegistry } from '../hooks/hook-registry.js';
import type { BrokerLimits } from '../limits.js';
import type { StoreWriter } from '../persistence/store-writer.js';
import { type Message, messageFromStored, ownPayload } from '../router/message.js';
import type { Router } from '../router/router.js';
import type { WillScheduler } from '../router/will-scheduler.js';
import type { BrokerStats } from '../stats.js';
import {
  type OutboundEntry,
  Session,
  type SessionHost,
  type SessionLink,
  toOutboundRecord,
} from './session.js';

/** Session Expiry Interval meaning "never" (MQTT 5.0 section 3.1.2.11.2). */
const NEVER = 0xffff_ffff;

/** What the session manager needs from the rest of the broker. */
export interface SessionManagerDeps {
  readonly limits: BrokerLimits;
  readonly clock: Clock;
  readonly store: StoreWriter;
  readonly router: Router;
  readonly stats: BrokerStats;
  readonly hooks: HookRegistry;
  readonly wills: WillScheduler;
}

/**
 * All sessions by client id: opening (with takeover and Clean Start), detaching when a connection
 * closes, expiry of offline sessions, and the session side of persistence. It is the `SessionHost`
 * of every session, so limits and accounting live in one place.
 */
export class SessionManager implements SessionHost {
  private readonly sessions = new Map<string, Session>();
  /** Drops per reason since start, for metrics and the periodic drop log. */
  readonly dropsByReason: Record<DropReason, number> = {
    'queue-full': 0,
    congested: 0,
    expired: 0,
    'packet-too-large': 0,
    'retained-store-full': 0,
    'offline-qos0': 0,
    'subscription-revoked': 0,
  };

  private readonly deps: SessionManagerDeps;

  constructor(deps: SessionManagerDeps) {
    this.deps = deps;
  }

  get maximumQueuedMessages(): number {
    return this.deps.limits.maximumQueuedMessages;
  }

  get queueFullPolicy(): 'drop-new' | 'drop-oldest' {
    return this.deps.limits.queueFullPolicy;
  }

  get queueQoS0Offline(): boolean {
    return this.deps.limits.queueQoS0Offline;
  }

  /** Sessions known, online and offline. */
  get size(): number {
    return this.sessions.size;
  }

  get(clientId: string): Session | undefined {
    return this.sessions.get(clientId);
  }

  values(): IterableIterator<Session> {
    return this.sessions.values();
  }

  now(): number {
    return this.deps.clock.now();
  }

  /**
   * Attach `link` to the session of `clientId`: an existing connection is taken over first
   * [MQTT-3.1.4-3]; Clean Start (or Clean Session) discards an old session [MQTT-3.1.2-4]; otherwise
   * the old session resumes. `present` tells whether a session was resumed. `username` is the client's
   * user name after authentication; the session remembers it.
   */
  open(
    link: SessionLink,
    clientId: string,
    username: string | undefined,
    protocolVersion: ProtocolVersion,
    clean: boolean,
    expiryInterval: number,
  ): { session: Session; present: boolean } {
    const current = this.sessions.get(clientId);
    current?.link?.takeOver();
    let session = this.sessions.get(clientId);
    if (session !== undefined && clean) {
      this.end(session);
      session = undefined;
    }
    const present = session !== undefined;
    if (session === undefined) {
      session = new Session(clientId, protocolVersion, expiryInterval, this);
      this.sessions.set(clientId, session);
    }
    session.username = username;
    session.isUsernameKnown = true;
    session.protocolVersion = protocolVersion;
    session.expiryInterval = expiryInterval;
    session.expiryTimer?.cancel();
    session.expiryTimer = undefined;
    session.link = link;
    // A client back before its will delay ran out: the will is not sent [MQTT-3.1.3-9].
    this.deps.wills.cancel(clientId);
    this.persistSession(session, undefined);
    return { session, present };
  }

  /** The connection of `session` closed: end a non-persistent session, schedule expiry otherwise. */
  detach(session: Session): void {
    session.link = undefined;
    if (!session.isPersistent) {
      this.end(session);
      return;
    }
    const now = this.deps.clock.now();
    this.persistSession(session, now);
    this.scheduleExpiry(session, now);
  }

  /**
   * Cancel every expiry timer (the broker stops). Stored sessions keep their disconnect time, so
   * their expiry is scheduled again from it at the next start.
   */
  stop(): void {
    for (const session of this.sessions.values()) {
      session.expiryTimer?.cancel();
      session.expiryTimer = undefined;
    }
  }

  /** Change the Session Expiry Interval (v5 DISCONNECT may). */
  setExpiry(session: Session, seconds: number): void {
    session.expiryInterval = seconds;
  }

  /**
   * End a session: remove its subscriptions, drop its messages, forget it in the store, and publish a
   * will still waiting for its delay [MQTT-3.1.3-9].
   */
  end(session: Session): void {
    if (this.sessions.get(session.clientId) === session) this.sessions.delete(session.clientId);
    session.expiryTimer?.cancel();
    session.expiryTimer = undefined;
    this.deps.router.unsubscribeAll(session);
    for (const entry of session.clear()) entry.message.storedRefs--;
    if (session.persisted) {
      this.deps.store.push({ type: 'session.delete', clientId: session.clientId });
      session.persisted = false;
    }
    this.deps.wills.sessionEnded(session.clientId);
  }

  /**
   * Remove the subscription of `clientId` on exactly `topicFilter` (as subscribed, `$share/` prefix
   * included), from the index and the session, and from the store for a persistent session. Queued
   * messages that no remaining subscription of the session matches are dropped too
   * (`subscription-revoked`), so an offline session gets nothing the revoked subscription queued.
   * Nothing is sent to the client. Returns false when there is no such session or subscription.
   */
  revokeSubscription(clientId: string, topicFilter: string): boolean {
    const session = this.sessions.get(clientId);
    if (session === undefined) return false;
    const indexed = this.deps.router.unsubscribe(session, topicFilter);
    const held = session.subscriptionCount > 0 && session.subscriptions.delete(topicFilter);
    if (!indexed && !held) return false;
    if (held) this.persistUnsubscribe(session, topicFilter);
    if (session.queuedCount > 0) {
      const remaining = [...session.subscriptions.keys()].map(matchingFilter);
      session.dropQueued(
        (entry) => remaining.some((filter) => matches(filter, entry.message.topic)),
        'subscription-revoked',
      );
    }
    return true;
  }

  // ─── Persistence of session state ─────────────────────────────────────────

  /** Store a subscription of a persistent session. */
  persistSubscription(session: Session, subscription: SubscriptionRecord): void {
    if (session.persisted)
      this.deps.store.push({ type: 'subscription.put', clientId: session.clientId, subscription });
  }

  /** Forget a stored subscription of a persistent session. */
  persistUnsubscribe(session: Session, topicFilter: string): void {
    if (session.persisted)
      this.deps.store.push({ type: 'subscription.delete', clientId: session.clientId, topicFilter });
  }

  /** Store or release an inbound QoS 2 packet id of a persistent session. */
  persistInbound(session: Session, packetId: number, received: boolean): void {
    if (!session.persisted) return;
    this.deps.store.push({
      type: received ? 'inbound.put' : 'inbound.delete',
      clientId: session.clientId,
      packetId,
    });
  }

  /** SessionHost: store the entry's state, and the message body first if the store lacks it. */
  persistOutbound(clientId: string, entry: OutboundEntry): void {
    const message = entry.message;
    if (!entry.stored) {
      if (message.storedRefs === 0) {
        ownPayload(message);
        this.deps.store.push({ type: 'message.put', message });
      }
      message.storedRefs++;
      entry.stored = true;
    }
    this.deps.store.push({ type: 'outbound.put', clientId, entry: toOutboundRecord(entry) });
  }

  /** SessionHost: the stored entry is done; the store drops the body with its last reference. */
  persistOutboundDelete(clientId: string, entry: OutboundEntry): void {
    entry.stored = false;
    entry.message.storedRefs--;
    this.deps.store.push({ type: 'outbound.delete', clientId, seq: entry.seq });
  }

  /** SessionHost: count, and report, a message not delivered. */
  dropped(clientId: string, message: Message, qos: QoS, reason: DropReason): void {
    this.deps.stats.messagesDropped++;
    this.dropsByReason[reason]++;
    if (this.deps.hooks.has('onMessageDropped')) {
      this.deps.hooks.notify('onMessageDropped', { clientId, topic: message.topic, qos, reason });
    }
  }

  /** SessionHost: a PUBLISH went out. */
  sent(): void {
    this.deps.stats.messagesSent++;
  }

  // ─── Start-up ─────────────────────────────────────────────────────────────

  /** Rebuild a session loaded from the store; `messages` shares bodies between sessions. */
  restore(stored: StoredSession, messages: Map<number, Message>): void {
    const record = stored.session;
    const session = new Session(record.clientId, record.protocolVersion, record.expiryInterval, this);
    session.persisted = true;
    this.sessions.set(record.clientId, session);
    for (const subscription of stored.subscriptions) {
      session.subscriptions.set(subscription.topicFilter, subscription);
      this.deps.router.subscribe(session, subscription);
    }
    for (const { entry, message } of stored.outbound) {
      const body = restoredMessage(message, messages);
      body.storedRefs++;
      session.restore({
        seq: entry.seq,
        message: body,
        qos: entry.qos,
        retain: entry.retain,
        subscriptionIdentifiers: entry.subscriptionIdentifiers,
        packetId: entry.packetId,
        state: entry.state,
        stored: true,
        awaitingResend: false,
      });
    }
    for (const packetId of stored.inboundPacketIds) session.inboundQos2.add(packetId);
    // A session stored while connected belonged to a broker that stopped: it went offline then.
    const now = this.deps.clock.now();
    this.scheduleExpiry(session, record.disconnectedAt ?? now);
  }

  private scheduleExpiry(session: Session, disconnectedAt: number): void {
    if (session.expiryInterval >= NEVER) return;
    session.expiryTimer = scheduleAt(this.deps.clock, disconnectedAt + session.expiryInterval * 1000, () => {
      session.expiryTimer = undefined;
      if (session.link !== undefined) return;
      this.end(session);
      this.deps.hooks.notify('onSessionExpired', { clientId: session.clientId });
    });
  }

  private persistSession(session: Session, disconnectedAt: number | undefined): void {
    if (!session.isPersistent) return;
    const record: SessionRecord = {
      clientId: session.clientId,
      protocolVersion: session.protocolVersion,
      expiryInterval: session.expiryInterval,
    };
    if (disconnectedAt !== undefined) record.disconnectedAt = disconnectedAt;
    this.deps.store.push({ type: 'session.put', session: record });
    if (!session.persisted) {
      // First time stored: its subscriptions so far go with it.
      session.persisted = true;
      for (const subscription of session.subscriptions.values())
        this.persistSubscription(session, subscription);
    }
  }
}

/** The filter that topics are matched against: a shared subscription's without `$share/{group}/`. */
function matchingFilter(topicFilter: string): string {
  const shared = parseSharedSubscription(topicFilter);
  return shared === undefined || MqttError.isInstance(shared) ? topicFilter : shared.topicFilter;
}

/** The broker's message for a stored body, created once per id however many sessions reference it. */
export function restoredMessage(stored: StoredMessage, messages: Map<number, Message>): Message {
  let message = messages.get(stored.id);
  if (message === undefined) {
    message = messageFromStored(stored);
    messages.set(stored.id, message);
  }
  return message;
}
