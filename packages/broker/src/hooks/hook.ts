/**
 * The hook interface: how auth, ACL, persistence events and observability plug into the broker
 * (style guide R8). A hook is an object with an `id` and any of the optional methods below; the broker
 * keeps a list of hooks (`broker.use(hook)`) and dispatches to those that implement each method.
 *
 * Two kinds of method:
 * - decisions (`authenticate`, `authorizePublish`, `authorizeSubscribe`, `authenticateEnhanced`)
 *   answer allow, deny or defer; the first non-defer answer wins, and when every hook defers the
 *   answer is deny. With no hook implementing a decision, the broker allows (its allow-all default).
 * - notifications (`onConnected`, `onDisconnected`, `onSubscribed`, `onUnsubscribed`, `onPublished`,
 *   `onMessageDropped`, `onSessionExpired`) are called in turn and not awaited; what they throw (or
 *   an async one rejects with) is logged and ignored.
 * A decision hook that throws, rejects, or answers something that is not a decision denies.
 *
 * A decision may return a value or a promise. When it returns a value the broker goes straight on, so
 * an in-memory ACL costs no microtask per PUBLISH (design decision 7).
 */
import type { ConnectPacket, MessageProperties, ProtocolVersion, QoS } from '@mqttkit/types';

/** A value or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** A read-only view of a connected client, handed to hooks (never the live connection). */
export interface ClientInfo {
  /** The client identifier (assigned by the broker when the client sent an empty one). */
  readonly id: string;
  /** User name from CONNECT, or as set by an authenticate hook. */
  readonly username: string | undefined;
  readonly protocolVersion: ProtocolVersion;
  /**
   * Remote address as the transport reports it, e.g. `127.0.0.1:53211`. Read from the socket on first
   * use (an accessor, so `{ ...client }` leaves it out; `JSON.stringify(client)` includes it).
   */
  readonly remoteAddress: string;
  /** Id of the listener the client connected through. */
  readonly listenerId: string;
  /** Transport details a listener attached, such as a TLS peer certificate's subject. */
  readonly transport: Readonly<Record<string, unknown>>;
}

/** Deny with a specific MQTT 5.0 reason code (mapped to the 3.x equivalent for older clients). */
export interface DenyWith {
  deny: number;
  /** Sent to v5 clients that asked for problem information. */
  reasonString?: string;
}

/** The answer of a decision hook. */
export type Decision = 'allow' | 'deny' | 'defer' | DenyWith;

/** What `authenticate` receives: the CONNECT as decoded. */
export interface AuthenticateEvent {
  readonly client: ClientInfo;
  readonly packet: ConnectPacket;
  readonly username: string | undefined;
  readonly password: Uint8Array | undefined;
}

/** The answer of `authenticate`: a decision, or allow with a user name to use from now on. */
export type AuthenticateResult = Decision | { allow: true; username?: string };

/** What `authorizePublish` receives, for client PUBLISHes and for wills about to be published. */
export interface AuthorizePublishEvent {
  readonly client: ClientInfo;
  readonly topic: string;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly payload: Uint8Array;
  readonly properties: Readonly<MessageProperties> | undefined;
  /** True when the broker is about to publish this client's will. */
  readonly isWill: boolean;
}

/** What `authorizeSubscribe` receives, once per topic filter of a SUBSCRIBE. */
export interface AuthorizeSubscribeEvent {
  readonly client: ClientInfo;
  /** The filter as sent, `$share/{group}/` prefix included. */
  readonly topicFilter: string;
  readonly qos: QoS;
}

/** What `authenticateEnhanced` receives at each step of an MQTT 5.0 AUTH exchange. */
export interface EnhancedAuthEvent {
  readonly client: ClientInfo;
  readonly method: string;
  readonly data: Uint8Array | undefined;
  /**
   * 0 for the packet that starts the exchange (the CONNECT, or the AUTH 0x19 of a re-authentication),
   * then 1, 2, ... for each AUTH 0x18 the client answers with in this exchange.
   */
  readonly step: number;
  /** True when the client started re-authentication on an open connection (AUTH 0x19). */
  readonly reauthenticate: boolean;
}

/** One step of an enhanced authentication exchange. */
export type EnhancedAuthResult =
  /** This hook does not handle the method. */
  | 'defer'
  /** Send AUTH 0x18 Continue authentication with this data and wait for the client's answer. */
  | { continue: true; data?: Uint8Array }
  /** Authentication succeeded; `data` goes into the CONNACK (or AUTH 0x00). */
  | { allow: true; data?: Uint8Array; username?: string }
  /** Authentication failed with this reason code (default 0x87 Not authorized). */
  | { deny: number; reasonString?: string };

/** Why a connection ended, as `onDisconnected` reports it. */
export type DisconnectCause =
  | 'client-disconnect'
  | 'socket-closed'
  | 'keepalive-timeout'
  | 'connect-timeout'
  | 'protocol-error'
  | 'session-taken-over'
  | 'not-authorized'
  | 'server-shutdown'
  | 'administrative';

/** What `onConnected` receives after CONNACK success was sent. */
export interface ConnectedEvent {
  readonly client: ClientInfo;
  readonly sessionPresent: boolean;
}

/** What `onDisconnected` receives once a connection that completed CONNECT is closed. */
export interface DisconnectedEvent {
  readonly client: ClientInfo;
  readonly cause: DisconnectCause;
  /** The reason code of the DISCONNECT sent or received, when there was one. */
  readonly reasonCode: number | undefined;
  /** Whether the will was published (or scheduled) because of this close. */
  readonly willPublished: boolean;
}

/** What `onSubscribed` receives after a SUBACK: each filter with what was granted. */
export interface SubscribedEvent {
  readonly client: ClientInfo;
  readonly subscriptions: readonly { readonly topicFilter: string; readonly reasonCode: number }[];
}

/** What `onUnsubscribed` receives after an UNSUBACK. */
export interface UnsubscribedEvent {
  readonly client: ClientInfo;
  readonly topicFilters: readonly string[];
}

/** An application message as hooks see it. */
export interface MessageView {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly properties: Readonly<MessageProperties> | undefined;
}

/** What `onPublished` receives for every message accepted for routing. */
export interface PublishedEvent {
  /** The publisher; undefined for messages the broker itself publishes. */
  readonly client: ClientInfo | undefined;
  readonly message: MessageView;
  /** True for a will being published. */
  readonly isWill: boolean;
}

/**
 * Why a message was not delivered to a session. `subscription-revoked`: it was queued for a
 * subscription that `broker.revokeSubscription` removed before the message was sent.
 */
export type DropReason =
  | 'queue-full'
  | 'congested'
  | 'expired'
  | 'packet-too-large'
  | 'retained-store-full'
  | 'offline-qos0'
  | 'subscription-revoked';

/** What `onMessageDropped` receives whenever a message is not delivered to one session. */
export interface MessageDroppedEvent {
  readonly clientId: string;
  readonly topic: string;
  readonly qos: QoS;
  readonly reason: DropReason;
}

/** What `onSessionExpired` receives when a disconnected session reaches its expiry. */
export interface SessionExpiredEvent {
  readonly clientId: string;
}

/** A broker hook: an id and any of the optional methods. */
export interface Hook {
  readonly id: string;
  authenticate?(event: AuthenticateEvent): MaybePromise<AuthenticateResult>;
  authenticateEnhanced?(event: EnhancedAuthEvent): MaybePromise<EnhancedAuthResult>;
  authorizePublish?(event: AuthorizePublishEvent): MaybePromise<Decision>;
  authorizeSubscribe?(event: AuthorizeSubscribeEvent): MaybePromise<Decision>;
  onConnected?(event: ConnectedEvent): void;
  onDisconnected?(event: DisconnectedEvent): void;
  onSubscribed?(event: SubscribedEvent): void;
  onUnsubscribed?(event: UnsubscribedEvent): void;
  onPublished?(event: PublishedEvent): void;
  onMessageDropped?(event: MessageDroppedEvent): void;
  onSessionExpired?(event: SessionExpiredEvent): void;
}
