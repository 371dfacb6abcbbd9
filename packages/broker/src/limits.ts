import type { QoS } from '@mqttkit/types';

/**
 * Every limit and capability of the broker in one typed object (style guide R11). The same object
 * drives enforcement and builds the MQTT 5.0 CONNACK properties, so the two cannot disagree.
 */
export interface BrokerLimits {
  /** Open connections across all listeners; further CONNECTs get Server busy / Server unavailable. */
  maximumConnections: number;
  /** Largest packet accepted, fixed header included; advertised as Maximum Packet Size (v5). */
  maximumPacketSize: number;
  /** Milliseconds a new socket may take to send a complete CONNECT before it is closed; 0 = no timeout. */
  connectTimeoutMs: number;
  /**
   * Longest Keep Alive (seconds) for v5 clients: one asking for more, or for none, gets this as Server
   * Keep Alive [MQTT-3.2.2-21]. 3.x clients cannot be told, so their own value stands. 0 = no cap.
   */
  maximumKeepAlive: number;
  /** Inbound QoS 1 and 2 PUBLISHes a v5 client may have unacknowledged: Receive Maximum. */
  receiveMaximum: number;
  /** Outbound QoS 1 and 2 messages in flight per client; a v5 client's Receive Maximum may lower it. */
  maximumInflight: number;
  /** Messages queued per session beyond the in-flight window, online or offline. */
  maximumQueuedMessages: number;
  /** What happens to a message that finds its session's queue full. Every drop is counted and reported. */
  queueFullPolicy: 'drop-new' | 'drop-oldest';
  /** Whether QoS 0 messages are queued for offline persistent sessions (Mosquitto's queue_qos0_messages). */
  queueQoS0Offline: boolean;
  /**
   * Bytes that may wait in one connection's socket before the broker stops writing to it: QoS 0
   * messages to it are dropped (counted), QoS 1/2 stay queued until the socket drains. At least
   * 64 KiB: a queue held back by a full buffer resumes on the socket's 'drain' event, which Node emits
   * only once a write reached the socket's high-water mark (16 KiB in Node 20, 64 KiB from Node 22).
   */
  maximumOutgoingBufferBytes: number;
  /** Topic aliases a v5 client may use towards the broker: Topic Alias Maximum. */
  topicAliasMaximum: number;
  /** Highest QoS granted and accepted; advertised as Maximum QoS (v5). */
  maximumQoS: QoS;
  retainAvailable: boolean;
  wildcardSubscriptionAvailable: boolean;
  subscriptionIdentifiersAvailable: boolean;
  sharedSubscriptionAvailable: boolean;
  /** Subscriptions one session may hold; more get Quota exceeded (v5) or Failure (3.1.1). */
  maximumSubscriptionsPerClient: number;
  /** Longest client identifier accepted, in UTF-8 bytes. */
  maximumClientIdLength: number;
  /** Longest topic name or filter, in UTF-8 bytes. */
  maximumTopicLength: number;
  /** Most topic levels in a name or filter. */
  maximumTopicLevels: number;
  /** Cap on a v5 client's Session Expiry Interval (seconds). */
  maximumSessionExpiryInterval: number;
  /** Expiry (seconds) of 3.x persistent sessions, which the protocol cannot express; 0xFFFFFFFF = never. */
  persistentSessionExpiryInterval: number;
  /** Largest retained store (messages); a new retained topic beyond it is not retained (counted). */
  maximumRetainedMessages: number;
  /** Validate the payload of messages flagged as UTF-8 (Payload Format Indicator 1) and refuse bad ones. */
  validatePayloadFormat: boolean;
  /**
   * PUBLISH packets per second one client may send; 0 = no limit. A client over it is slowed down
   * (its socket is not read until the rate allows), never cut off and never loses a message.
   */
  maximumPublishRate: number;
  /** Bytes per second one client may send; 0 = no limit. Enforced like `maximumPublishRate`. */
  maximumInboundBytesRate: number;
  /**
   * New connections per second across all listeners; 0 = no limit. A CONNECT over it is refused with
   * Connection rate exceeded (v5 0x9F, 3.x 0x03 Server unavailable).
   */
  maximumConnectionRate: number;
}

/** Safe defaults: bounded everywhere, generous enough for real deployments. */
export const DEFAULT_LIMITS: Readonly<BrokerLimits> = Object.freeze({
  maximumConnections: 100_000,
  maximumPacketSize: 1024 * 1024,
  connectTimeoutMs: 10_000,
  maximumKeepAlive: 0,
  receiveMaximum: 1024,
  maximumInflight: 32,
  maximumQueuedMessages: 1000,
  queueFullPolicy: 'drop-new',
  queueQoS0Offline: false,
  maximumOutgoingBufferBytes: 4 * 1024 * 1024,
  topicAliasMaximum: 64,
  maximumQoS: 2,
  retainAvailable: true,
  wildcardSubscriptionAvailable: true,
  subscriptionIdentifiersAvailable: true,
  sharedSubscriptionAvailable: true,
  maximumSubscriptionsPerClient: 10_000,
  maximumClientIdLength: 256,
  maximumTopicLength: 65_535,
  maximumTopicLevels: 128,
  maximumSessionExpiryInterval: 0xffff_ffff,
  persistentSessionExpiryInterval: 0xffff_ffff,
  maximumRetainedMessages: 1_000_000,
  validatePayloadFormat: true,
  maximumPublishRate: 0,
  maximumInboundBytesRate: 0,
  maximumConnectionRate: 0,
});

/** The smallest `maximumOutgoingBufferBytes`; see its doc comment. */
const MINIMUM_OUTGOING_BUFFER_BYTES = 64 * 1024;

/** Merge overrides onto the defaults and reject values the protocol cannot carry. */
export function resolveLimits(overrides: Partial<BrokerLimits> = {}): BrokerLimits {
  const limits: BrokerLimits = { ...DEFAULT_LIMITS, ...overrides };
  requireRange(limits, 'maximumPacketSize', 16, 268_435_460);
  requireRange(limits, 'receiveMaximum', 1, 65_535);
  requireRange(limits, 'maximumInflight', 1, 65_535);
  requireRange(limits, 'topicAliasMaximum', 0, 65_535);
  requireRange(limits, 'maximumKeepAlive', 0, 65_535);
  requireRange(limits, 'maximumTopicLength', 1, 65_535);
  requireRange(limits, 'maximumClientIdLength', 1, 65_535);
  requireRange(limits, 'maximumSessionExpiryInterval', 0, 0xffff_ffff);
  requireRange(limits, 'persistentSessionExpiryInterval', 0, 0xffff_ffff);
  requireRange(limits, 'maximumOutgoingBufferBytes', MINIMUM_OUTGOING_BUFFER_BYTES, Number.MAX_SAFE_INTEGER);
  for (const key of [
    'maximumConnections',
    'connectTimeoutMs',
    'maximumQueuedMessages',
    'maximumSubscriptionsPerClient',
    'maximumTopicLevels',
    'maximumRetainedMessages',
    'maximumPublishRate',
    'maximumInboundBytesRate',
    'maximumConnectionRate',
  ] as const) {
    requireRange(limits, key, 0, Number.MAX_SAFE_INTEGER);
  }
  if (limits.maximumQoS !== 0 && limits.maximumQoS !== 1 && limits.maximumQoS !== 2) {
    throw new RangeError(`limits.maximumQoS must be 0, 1 or 2, got ${String(limits.maximumQoS)}`);
  }
  if (limits.queueFullPolicy !== 'drop-new' && limits.queueFullPolicy !== 'drop-oldest') {
    throw new RangeError(
      `limits.queueFullPolicy must be "drop-new" or "drop-oldest", got ${String(limits.queueFullPolicy)}`,
    );
  }
  for (const key of [
    'queueQoS0Offline',
    'retainAvailable',
    'wildcardSubscriptionAvailable',
    'subscriptionIdentifiersAvailable',
    'sharedSubscriptionAvailable',
    'validatePayloadFormat',
  ] as const) {
    if (typeof limits[key] !== 'boolean') {
      throw new RangeError(`limits.${key} must be true or false, got ${String(limits[key])}`);
    }
  }
  return limits;
}

type NumericLimit = {
  [K in keyof BrokerLimits]: BrokerLimits[K] extends number ? K : never;
}[keyof BrokerLimits];

function requireRange(limits: BrokerLimits, key: NumericLimit, min: number, max: number): void {
  const value = limits[key];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`limits.${key} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

/**
 * The limits a listener may set for its own connections (`ListenerLimits`): what is checked on a
 * connection's packets, or capped when a client connects through it (its Session Expiry, its number of
 * subscriptions). The others are broker-wide: they size state shared by every listener (queues of
 * offline sessions, the connection count, the retained store) or the store itself.
 */
export const LISTENER_LIMIT_KEYS = [
  'maximumPacketSize',
  'connectTimeoutMs',
  'maximumKeepAlive',
  'receiveMaximum',
  'maximumInflight',
  'maximumOutgoingBufferBytes',
  'topicAliasMaximum',
  'maximumQoS',
  'retainAvailable',
  'wildcardSubscriptionAvailable',
  'subscriptionIdentifiersAvailable',
  'sharedSubscriptionAvailable',
  'maximumSubscriptionsPerClient',
  'maximumClientIdLength',
  'maximumTopicLength',
  'maximumTopicLevels',
  'maximumSessionExpiryInterval',
  'validatePayloadFormat',
  'maximumPublishRate',
  'maximumInboundBytesRate',
] as const satisfies readonly (keyof BrokerLimits)[];

/** Overrides of the broker's limits for the connections of one listener. */
export type ListenerLimits = Partial<Pick<BrokerLimits, (typeof LISTENER_LIMIT_KEYS)[number]>>;

const listenerLimitKeys: ReadonlySet<string> = new Set(LISTENER_LIMIT_KEYS);

/**
 * The limits for one listener's connections: the broker's, with the listener's overrides checked as
 * `resolveLimits` checks them. Broker-wide keys are refused, so a typo cannot silently do nothing.
 */
export function resolveListenerLimits(
  broker: BrokerLimits,
  overrides: ListenerLimits | undefined,
): BrokerLimits {
  if (overrides === undefined) return broker;
  for (const key of Object.keys(overrides)) {
    if (!listenerLimitKeys.has(key)) {
      throw new TypeError(`limits.${key} is broker-wide and cannot be set per listener`);
    }
  }
  return Object.freeze(resolveLimits({ ...broker, ...overrides }));
}
