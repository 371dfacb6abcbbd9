/**
 * What a session store keeps, as dedicated records rather than wire packets (style guide R9): the codec
 * can change without a data migration, and a backend stores plain values.
 */
import type { MessageProperties, ProtocolVersion, QoS } from '@mqttkit/types';

/** Session Expiry Interval meaning "never expires" (MQTT 5.0 section 3.1.2.11.2). */
export const SESSION_NEVER_EXPIRES = 0xffff_ffff;

/**
 * An application message, stored once however many sessions it is queued for (Mosquitto's
 * store-once idea): queue entries reference it by `id`.
 */
export interface StoredMessage {
  /** Assigned by the broker; unique within one store. */
  id: number;
  topic: string;
  /** An owned copy: never a view into a socket buffer. */
  payload: Uint8Array;
  /** QoS as published. */
  qos: QoS;
  /** RETAIN as published. */
  retain: boolean;
  /** MQTT 5.0 message properties that travel to subscribers (the expiry is kept as `expiresAt`). */
  properties?: Omit<MessageProperties, 'messageExpiryInterval'> | undefined;
  /** Wall-clock ms when the message expires (from Message Expiry Interval); absent means never. */
  expiresAt?: number | undefined;
  /** Client id of the publisher, for no-local checks on delivery from a queue. */
  publisherId?: string | undefined;
}

/** One client's session, without its subscriptions and queues (those are separate records). */
export interface SessionRecord {
  clientId: string;
  protocolVersion: ProtocolVersion;
  /** Seconds the session outlives its connection; `SESSION_NEVER_EXPIRES` for never. */
  expiryInterval: number;
  /** Wall-clock ms the connection closed; absent while the client is connected. */
  disconnectedAt?: number;
}

/** One subscription of a session, with its MQTT 5.0 options. */
export interface SubscriptionRecord {
  /** The filter as the client sent it, `$share/{group}/…` included. */
  topicFilter: string;
  qos: QoS;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: 0 | 1 | 2;
  subscriptionIdentifier?: number;
}

/**
 * Where an outbound message is in its flow:
 * - `queued`: waiting for a slot in the in-flight window (or for the client to connect);
 * - `sent`: PUBLISH sent with `packetId`, waiting for PUBACK (QoS 1) or PUBREC (QoS 2);
 * - `released`: PUBREL sent, waiting for PUBCOMP (QoS 2 only).
 */
export type OutboundState = 'queued' | 'sent' | 'released';

/** A message queued or in flight to one session, in delivery order of `seq`. */
export interface OutboundRecord {
  /** Per-session sequence number: the delivery order and the record's key within the session. */
  seq: number;
  /** The `StoredMessage` this entry delivers. */
  messageId: number;
  /** QoS of the delivery: the lower of the message's QoS and the subscription's. */
  qos: QoS;
  /** RETAIN flag of the delivery (kept only with retain-as-published, or for retained-on-subscribe). */
  retain: boolean;
  /** Subscription Identifiers to send with the PUBLISH (MQTT 5.0). */
  subscriptionIdentifiers?: readonly number[];
  /** Present once the PUBLISH has been sent. */
  packetId?: number;
  state: OutboundState;
}

/** A will whose publication is delayed (MQTT 5.0 Will Delay Interval), kept until it is due. */
export interface WillRecord {
  clientId: string;
  message: StoredMessage;
  /** Wall-clock ms when the will is due. */
  publishAt: number;
}

/** Everything a store holds for one session, as `load` and `loadSession` return it. */
export interface StoredSession {
  session: SessionRecord;
  subscriptions: SubscriptionRecord[];
  /** In `seq` order, each with the message it delivers. */
  outbound: { entry: OutboundRecord; message: StoredMessage }[];
  /** Packet ids of inbound QoS 2 messages received and not yet released by PUBREL. */
  inboundPacketIds: number[];
}

/** The whole content of a store, read once at broker start. */
export interface StoreSnapshot {
  sessions: StoredSession[];
  retained: StoredMessage[];
  wills: WillRecord[];
}

/** Record counts, for metrics and for the conformance suite. */
export interface StoreStats {
  sessions: number;
  subscriptions: number;
  /** Stored message bodies referenced by outbound entries (retained and wills counted apart). */
  messages: number;
  outbound: number;
  inbound: number;
  retained: number;
  wills: number;
}
