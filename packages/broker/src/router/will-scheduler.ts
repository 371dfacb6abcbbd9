import type { WillRecord } from '@mqttkit/session-store';
import type { Will } from '@mqttkit/types';
import { type Clock, scheduleAt, type Timer } from '../clock.js';
import type { ClientInfo, Decision } from '../hooks/hook.js';
import type { HookRegistry } from '../hooks/hook-registry.js';
import { isPromise } from '../hooks/hook-registry.js';
import type { Logger } from '../logger.js';
import type { StoreWriter } from '../persistence/store-writer.js';
import type { Session } from '../session/session.js';
import { createMessage, type ForwardedProperties, type Message, messageFromStored } from './message.js';

/** What the will scheduler needs from the broker. */
export interface WillSchedulerDeps {
  readonly clock: Clock;
  readonly store: StoreWriter;
  readonly hooks: HookRegistry;
  readonly logger: Logger;
  nextMessageId(): number;
  /** Route a will like any accepted PUBLISH. */
  publish(message: Message, publisher: Session | undefined, client: ClientInfo | undefined): void;
}

/**
 * Last wills (sections 3.1.2.5 and 3.1.3.2). A will is published when its connection closes without a
 * normal DISCONNECT; with an MQTT 5.0 Will Delay Interval it waits until the delay or the end of the
 * session, whichever comes first, and is dropped if the client reconnects meanwhile [MQTT-3.1.3-9].
 * Waiting wills are stored, so they survive a broker restart with a durable store.
 */
export class WillScheduler {
  private readonly waiting = new Map<string, { record: WillRecord; timer: Timer }>();

  private readonly deps: WillSchedulerDeps;

  constructor(deps: WillSchedulerDeps) {
    this.deps = deps;
  }

  /** Wills waiting for their delay. */
  get pendingCount(): number {
    return this.waiting.size;
  }

  /**
   * The connection of `client` closed without a normal DISCONNECT. The will is authorised now, with
   * the client's identity, then published at once or scheduled.
   */
  connectionLost(client: ClientInfo, session: Session, will: Will): void {
    const decision = this.deps.hooks.has('authorizePublish')
      ? this.deps.hooks.authorizePublish({
          client,
          topic: will.topic,
          qos: will.qos,
          retain: will.retain,
          payload: will.payload,
          properties: will.properties,
          isWill: true,
        })
      : 'allow';
    if (isPromise(decision))
      void decision.then((answer) => this.afterDecision(answer, client, session, will));
    else this.afterDecision(decision, client, session, will);
  }

  /** The client reconnected to its session: a waiting will is not sent. */
  cancel(clientId: string): void {
    const waiting = this.waiting.get(clientId);
    if (waiting === undefined) return;
    waiting.timer.cancel();
    this.waiting.delete(clientId);
    this.deps.store.push({ type: 'will.delete', clientId });
  }

  /** The session ended: a waiting will goes out now. */
  sessionEnded(clientId: string): void {
    const waiting = this.waiting.get(clientId);
    if (waiting !== undefined) this.fire(waiting.record);
  }

  /** Cancel every timer (the broker stops); the store keeps the waiting wills for the next start. */
  stop(): void {
    for (const waiting of this.waiting.values()) waiting.timer.cancel();
    this.waiting.clear();
  }

  /** Reschedule wills loaded from the store at start. */
  restore(records: readonly WillRecord[]): void {
    for (const record of records) this.schedule(record, false);
  }

  private afterDecision(decision: Decision, client: ClientInfo, session: Session, will: Will): void {
    if (decision !== 'allow') {
      this.deps.logger.info({ clientId: client.id, topic: will.topic }, 'will not authorised; dropped');
      return;
    }
    const now = this.deps.clock.now();
    const delay = will.properties?.willDelayInterval ?? 0;
    if (delay === 0) {
      this.deps.publish(willMessage(this.deps.nextMessageId(), client.id, will, now), session, client);
      return;
    }
    // Published at the delay or when the session ends, whichever is first [MQTT-3.1.3-9].
    const publishAt = now + Math.min(delay, session.expiryInterval) * 1000;
    const record: WillRecord = {
      clientId: client.id,
      message: willMessage(this.deps.nextMessageId(), client.id, will, publishAt),
      publishAt,
    };
    this.schedule(record, true);
  }

  private schedule(record: WillRecord, store: boolean): void {
    this.cancel(record.clientId);
    const timer = scheduleAt(this.deps.clock, record.publishAt, () => this.fire(record));
    this.waiting.set(record.clientId, { record, timer });
    if (store) this.deps.store.push({ type: 'will.put', will: record });
  }

  private fire(record: WillRecord): void {
    const waiting = this.waiting.get(record.clientId);
    if (waiting?.record !== record) return;
    waiting.timer.cancel();
    this.waiting.delete(record.clientId);
    this.deps.store.push({ type: 'will.delete', clientId: record.clientId });
    this.deps.publish(messageFromStored(record.message), undefined, undefined);
  }
}

/**
 * The message a will becomes: its properties minus Will Delay Interval; its Message Expiry Interval
 * counts from publication (section 3.1.3.2.4).
 */
function willMessage(id: number, clientId: string, will: Will, publishedAt: number): Message {
  let properties: ForwardedProperties | undefined;
  let expiresAt: number | undefined;
  if (will.properties !== undefined) {
    const { willDelayInterval: _delay, messageExpiryInterval, ...rest } = will.properties;
    if (messageExpiryInterval !== undefined) expiresAt = publishedAt + messageExpiryInterval * 1000;
    for (const _key in rest) {
      properties = rest;
      break;
    }
  }
  const message = createMessage(
    id,
    will.topic,
    will.payload,
    will.qos,
    will.retain,
    properties,
    expiresAt,
    clientId,
  );
  message.payloadOwned = true;
  return message;
}
