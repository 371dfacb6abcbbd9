import type { StoredMessage } from '@mqttkit/session-store';
import type { PublishProperties, QoS } from '@mqttkit/types';

/**
 * Message properties that travel from publisher to subscriber unchanged: not the topic alias or
 * subscription identifiers (per connection), not the expiry interval (kept as `expiresAt`).
 */
export type ForwardedProperties = Omit<
  PublishProperties,
  'topicAlias' | 'subscriptionIdentifiers' | 'messageExpiryInterval'
>;

/**
 * One application message inside the broker, referenced by every queue entry that delivers it
 * (store once, reference many: Mosquitto's refcounted store). Created once per accepted PUBLISH or will.
 * It is also the `StoredMessage` record handed to the session store, so a message kept for a
 * persistent session exists once in memory, not once in the broker and again in the store.
 */
export interface Message extends StoredMessage {
  /** Unique within the broker's store; assigned at creation. */
  readonly id: number;
  readonly topic: string;
  /** A view into the received bytes until `ownPayload` copies it (see the codec README). */
  payload: Uint8Array;
  /** QoS as published. */
  readonly qos: QoS;
  /** RETAIN as published. */
  readonly retain: boolean;
  /** Forwarded properties without Message Expiry Interval (derived from `expiresAt` when sent). */
  readonly properties: ForwardedProperties | undefined;
  /** Wall-clock ms at which the message expires; undefined means never. */
  readonly expiresAt: number | undefined;
  /** Client id of the publisher, for No Local; undefined for broker-originated messages. */
  readonly publisherId: string | undefined;
  /** True once the payload is an owned copy, safe to keep past the current socket chunk. */
  payloadOwned: boolean;
  /**
   * Outbound store records referencing this message, mirroring the store's own count: the body is put
   * when it goes from 0 to 1, and the store deletes it when it drops back to 0.
   */
  storedRefs: number;
  /**
   * Encoded PUBLISH frames shared by every subscriber with the same wire shape (design decision 4),
   * indexed by `wireShapeSlot`. Filled lazily; only shapes without per-subscriber parts are cached.
   */
  frames: (Uint8Array | undefined)[] | undefined;
  /**
   * False for long-lived copies (retained messages), which would otherwise keep a frame per wire
   * shape alive for as long as they are retained.
   */
  cacheFrames: boolean;
}

/** Build a message; the payload stays a view until `ownPayload`. */
export function createMessage(
  id: number,
  topic: string,
  payload: Uint8Array,
  qos: QoS,
  retain: boolean,
  properties: ForwardedProperties | undefined,
  expiresAt: number | undefined,
  publisherId: string | undefined,
): Message {
  return {
    id,
    topic,
    payload,
    qos,
    retain,
    properties,
    expiresAt,
    publisherId,
    payloadOwned: false,
    storedRefs: 0,
    frames: undefined,
    cacheFrames: true,
  };
}

/** The broker's message for a record read back from the store (its payload is already owned). */
export function messageFromStored(stored: StoredMessage): Message {
  const message = createMessage(
    stored.id,
    stored.topic,
    stored.payload,
    stored.qos,
    stored.retain,
    stored.properties,
    stored.expiresAt,
    stored.publisherId,
  );
  message.payloadOwned = true;
  return message;
}

/**
 * Copy the payload out of the socket chunk it was decoded from, once. Called before a message is
 * kept (queued, retained, stored), so a small retained payload does not pin a 64 KiB read buffer.
 */
export function ownPayload(message: Message): void {
  if (message.payloadOwned) return;
  message.payload = message.payload.slice();
  message.payloadOwned = true;
}

/** Seconds left before `message` expires at `now`, rounded up; undefined when it never expires. */
export function remainingExpiry(message: Message, now: number): number | undefined {
  if (message.expiresAt === undefined) return undefined;
  return Math.max(0, Math.ceil((message.expiresAt - now) / 1000));
}

/** True when the message has expired at `now` [MQTT-3.3.2-5]. */
export function isExpired(message: Message, now: number): boolean {
  return message.expiresAt !== undefined && message.expiresAt <= now;
}

/** A long-lived copy for the retained store: owned payload, RETAIN set, no frame cache. */
export function retainedCopy(message: Message): Message {
  ownPayload(message);
  return { ...message, retain: true, frames: undefined, cacheFrames: false, storedRefs: 0 };
}
