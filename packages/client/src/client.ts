import { validateTopicFilter, validateTopicName } from '@mqttkit/topic';
import {
  type ConnackPacket,
  type DisconnectPacket,
  type DisconnectProperties,
  MqttError,
  type ProtocolVersion,
  type PublishPacket,
  type PublishProperties,
  type QoS,
  type UnsubscribeProperties,
} from '@mqttkit/types';
import { Connection } from './connection.js';
import type { ReauthenticateOptions, ReauthenticateResult } from './enhanced-auth.js';
import { ConnectionClosedError } from './errors/connection-closed-error.js';
import type { MqttMessage } from './message.js';
import { MessageIterator, type MessagesOptions } from './message-iterator.js';
import type { ResolvedOptions } from './options.js';
import { Requester, type RequestOptions } from './request-response.js';
import type { ClientSession } from './session/client-session.js';
import type { ServerLimits } from './session/flow-context.js';
import {
  type PublishResult,
  type Settle,
  SUCCESS,
  type SubscribeResult,
  type UnsubscribeResult,
} from './session/results.js';
import { normalizeSubscriptions, type SubscribeOptions, type SubscriptionOptions } from './subscribe-args.js';
import type { TransportOpener } from './transports/transport.js';
import { TypedEmitter } from './typed-emitter.js';

/** The events of `MqttClient`, with their listener arguments. */
export interface ClientEvents {
  /** An application message arrived. */
  message: [message: MqttMessage];
  /** A connection was accepted (first connect and every reconnect). */
  connect: [connack: ConnackPacket];
  /** A reconnect attempt is scheduled after `delayMs`; `error` is why the last connection or attempt ended. */
  reconnect: [info: { attempt: number; delayMs: number; error: Error }];
  /** The connection was lost; messages published now are queued until the client reconnects. */
  offline: [error: Error];
  /** The server sent DISCONNECT (v5), with its reason code and properties. */
  disconnect: [packet: DisconnectPacket];
  /** A problem not tied to a pending promise: a refused reconnect or resubscribe, a store failure. */
  error: [error: Error];
  /** The client is closed for good (after `end()`, or after giving up); nothing more will happen. */
  close: [];
}

/** Options of `publish()`. */
export interface PublishOptions {
  /** Default 0. */
  qos?: QoS;
  /** Default false. */
  retain?: boolean;
  /** v5 PUBLISH properties (user properties in order, message expiry, content type, ...). */
  properties?: PublishProperties;
}

/** Options of `end()`. */
export interface EndOptions {
  /** Close now, without waiting for in-flight messages and queued requests (they are rejected). */
  force?: boolean;
  /** v5 DISCONNECT reason code; 0x04 asks the server to publish the will. Default 0. */
  reasonCode?: number;
  /** v5 DISCONNECT properties (reason string, user properties, session expiry interval). */
  properties?: DisconnectProperties;
  /** How long a graceful end waits for in-flight messages before closing anyway; default 10000 ms. */
  timeoutMs?: number;
}

/** Internal entry point: `connect()` creates the client and calls this to make the first connection. */
export const START: unique symbol = Symbol('start');

const utf8 = new TextEncoder();
// QoS 0 publishes written at once all return this one settled promise: no allocation per message.
const RESOLVED: Promise<PublishResult> = Promise.resolve(SUCCESS);

/**
 * An MQTT client: the promise API and events over a `ClientSession` (protocol) and a `Connection`
 * (transport, reconnects, keepalive). Create it with `connect(url, options)`.
 */
export class MqttClient extends TypedEmitter<ClientEvents> {
  readonly #options: ResolvedOptions;
  readonly #connection: Connection;
  readonly #session: ClientSession;
  readonly #iterators = new Set<MessageIterator>();
  readonly #requester: Requester;
  #lastTopic = '';
  #ending: Promise<void> | undefined;

  /** Use `connect()`; the constructor does not connect. */
  constructor(options: ResolvedOptions, opener: TransportOpener) {
    super();
    this.#options = options;
    this.#connection = new Connection(options, opener, {
      emit: (event, ...args) => this.emit(event, ...args),
      message: (message) => this.#onMessage(message),
      closed: (error) => this.#onClosed(error),
    });
    this.#session = this.#connection.session;
    this.#requester = new Requester({
      responseTopic: () => this.#responseTopic(),
      subscribe: (topic, qos) => this.subscribe(topic, { qos }),
      publish: (topic, payload, qos, properties) => this.publish(topic, payload, { qos, properties }),
    });
  }

  /** Makes the first connection; rejects (and closes the client) when it fails. */
  [START](): Promise<void> {
    return this.#connection.start();
  }

  /** True while a connection is up and accepted. */
  get connected(): boolean {
    return this.#session.state === 'online';
  }

  /** True once the client is closed for good. */
  get closed(): boolean {
    return this.#connection.isClosed;
  }

  /** The client identifier in use (the server's Assigned Client Identifier when it sent one). */
  get clientId(): string {
    return this.#session.clientId;
  }

  /** The protocol level: 3, 4 or 5. */
  get protocolVersion(): ProtocolVersion {
    return this.#options.protocolVersion;
  }

  /** The CONNACK of the current (or last) connection. */
  get connack(): ConnackPacket | undefined {
    return this.#session.connack;
  }

  /** The server's limits from the last CONNACK (Receive Maximum, Maximum Packet Size, Maximum QoS, ...). */
  get serverLimits(): ServerLimits | undefined {
    return this.#session.serverLimits;
  }

  /** QoS 1/2 messages sent and not yet fully acknowledged. */
  get inflightCount(): number {
    return this.#session.inflightCount;
  }

  /** Messages waiting for the connection or for the server's Receive Maximum. */
  get queueLength(): number {
    return this.#session.queueLength;
  }

  /** The subscriptions the client holds (and restores after a reconnect): filter → QoS. */
  get subscriptions(): ReadonlyMap<string, QoS> {
    return this.#session.subscriptions;
  }

  /**
   * Publishes a message. Resolves when it is done for its QoS: QoS 0 once handed to the connection
   * (at once, unless the socket is congested: then once it drains), QoS 1 on PUBACK, QoS 2 on PUBCOMP,
   * with the v5 reason code and properties. Rejects with `PublishError` when the server refuses it
   * (v5 code 0x80 or more) or cannot take it (Maximum QoS, Retain Available), `PacketTooLargeError`,
   * `QueueFullError`, or an `MqttError` for an invalid topic. While offline the message is queued.
   * Do not modify `payload` until the promise settles.
   */
  publish(topic: string, payload: string | Uint8Array, options?: PublishOptions): Promise<PublishResult> {
    if (this.#ending !== undefined || this.#connection.isClosed) return Promise.reject(this.#closedError());
    // Topics repeat: validating only a topic that differs from the last one keeps the check off the hot path.
    if (topic !== this.#lastTopic) {
      const error =
        typeof topic === 'string' ? validateTopicName(topic) : new TypeError('topic must be a string');
      if (error !== undefined) return Promise.reject(error);
      this.#lastTopic = topic;
    }
    const qos = options?.qos ?? 0;
    if (qos !== 0 && qos !== 1 && qos !== 2)
      return Promise.reject(new RangeError(`qos must be 0, 1 or 2, got ${String(qos)}`));
    let bytes: Uint8Array;
    if (typeof payload === 'string') bytes = utf8.encode(payload);
    else if (payload instanceof Uint8Array) bytes = payload;
    else return Promise.reject(new TypeError('payload must be a string or a Uint8Array'));
    const packet: PublishPacket = {
      type: 'publish',
      topic,
      payload: bytes,
      qos,
      retain: options?.retain === true,
      dup: false,
    };
    if (options?.properties !== undefined) packet.properties = options.properties;
    if (qos === 0 && this.#session.canSendNow) {
      const error = this.#session.publish(packet, undefined);
      if (error !== undefined) return Promise.reject(error);
      return this.#connection.writable ? RESOLVED : this.#connection.drained();
    }
    let settle: Settle<PublishResult> | undefined;
    const promise = new Promise<PublishResult>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const error = this.#session.publish(packet, settle);
    return error === undefined ? promise : Promise.reject(error);
  }

  /**
   * Subscribes to one filter, a list of filters (all with `options`), or a record of filter → QoS or
   * per-filter options. Resolves with the code granted to each filter; rejects with `SubscribeError`
   * (listing every filter's code) when the server refuses any of them. While offline the request waits
   * for the connection.
   */
  subscribe(
    filters: string | readonly string[] | Readonly<Record<string, QoS | SubscriptionOptions>>,
    options?: SubscribeOptions,
  ): Promise<SubscribeResult> {
    if (this.#ending !== undefined || this.#connection.isClosed) return Promise.reject(this.#closedError());
    const subscriptions = normalizeSubscriptions(filters, options);
    if (subscriptions instanceof Error) return Promise.reject(subscriptions);
    return new Promise((resolve, reject) => {
      this.#session.subscribe(subscriptions, options?.properties, { resolve, reject });
    });
  }

  /** Unsubscribes from one or more filters; resolves with the code for each (v5), rejects with `UnsubscribeError`. */
  unsubscribe(
    filters: string | readonly string[],
    options?: { properties?: UnsubscribeProperties },
  ): Promise<UnsubscribeResult> {
    if (this.#ending !== undefined || this.#connection.isClosed) return Promise.reject(this.#closedError());
    const list = typeof filters === 'string' ? [filters] : [...filters];
    if (list.length === 0)
      return Promise.reject(new TypeError('unsubscribe() needs at least one topic filter'));
    for (const filter of list) {
      const error = validateTopicFilter(filter);
      if (error !== undefined) return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.#session.unsubscribe(list, options?.properties, { resolve, reject });
    });
  }

  /**
   * Sends a request and waits for its response (v5 request/response): the message goes to `topic`
   * with a Response Topic (under the server's Response Information when it gave one, else
   * `mqttkit/response/<clientId>`) and fresh Correlation Data; resolves with the response message,
   * rejects with `TimeoutError` after `timeoutMs`. Responses are consumed: they do not reach 'message'.
   */
  request(topic: string, payload: string | Uint8Array, options?: RequestOptions): Promise<MqttMessage> {
    if (this.#options.protocolVersion !== 5) {
      return Promise.reject(
        new MqttError('PROTOCOL_ERROR', 'request() needs MQTT 5.0 (Response Topic and Correlation Data)'),
      );
    }
    return this.#requester.request(topic, payload, options);
  }

  /**
   * Re-authenticates on the open connection (v5 enhanced authentication, section 4.12.1): sends AUTH
   * 0x19 with the `auth` option's method and `data` (default: what `auth.initialData` gives), answers
   * the server's challenges with `auth.onChallenge`, and resolves with the server's AUTH 0x00. Other
   * traffic goes on meanwhile. Rejects with `AuthenticationError` when the server refuses (its
   * DISCONNECT ends the connection; the client reconnects, authenticating anew), `TimeoutError` after
   * `timeoutMs` (the connection is given up), or an `MqttError` without the `auth` option, while not
   * connected, or during another re-authentication.
   */
  reauthenticate(data?: Uint8Array, options?: ReauthenticateOptions): Promise<ReauthenticateResult> {
    if (this.#ending !== undefined || this.#connection.isClosed) return Promise.reject(this.#closedError());
    const timeoutMs = options?.timeoutMs ?? 30_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 2 ** 31 - 1) {
      return Promise.reject(new RangeError(`timeoutMs must be an integer from 1 to 2147483647`));
    }
    if (data !== undefined && !(data instanceof Uint8Array)) {
      return Promise.reject(new TypeError('re-authentication data must be a Uint8Array'));
    }
    return this.#connection.reauthenticate(data, timeoutMs);
  }

  /**
   * Received messages as an async iterator, optionally only those matching `filter` (matched locally:
   * subscribe separately). `for await (const msg of client.messages('sensors/+')) { ... }`.
   */
  messages(filter?: string, options: MessagesOptions = {}): MessageIterator {
    if (filter !== undefined) {
      const error = validateTopicFilter(filter);
      if (error !== undefined) throw error;
    }
    const iterator = new MessageIterator(filter, options, (it) => this.#iterators.delete(it));
    if (this.#connection.isClosed) iterator.end();
    else this.#iterators.add(iterator);
    return iterator;
  }

  /**
   * Closes the client. A graceful end waits (up to `timeoutMs`) for in-flight messages and pending
   * requests while connected, sends DISCONNECT and closes the connection; what is still pending then
   * (or at once with `force`, or while offline) is rejected with `ConnectionClosedError`. Emits 'close'.
   */
  end(options: EndOptions = {}): Promise<void> {
    this.#ending ??= this.#connection.end(options, new ConnectionClosedError('the client was ended'));
    return this.#ending;
  }

  /** `await using client = await connect(...)` ends it gracefully at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.end();
  }

  #onMessage(message: PublishPacket): void {
    if (this.#requester.handle(message)) return;
    this.emit('message', message);
    for (const iterator of this.#iterators) iterator.push(message);
  }

  #onClosed(error: Error): void {
    this.#requester.failAll(error);
    for (const iterator of [...this.#iterators]) iterator.end();
  }

  #responseTopic(): string {
    const information = this.#session.connack?.properties?.responseInformation?.replace(/\/+$/, '');
    // Response Information is only a basis (section 4.10.1); a per-client level keeps responses apart.
    const fromServer = information === undefined ? undefined : `${information}/${this.#session.clientId}`;
    if (fromServer !== undefined && validateTopicName(fromServer) === undefined) return fromServer;
    return `mqttkit/response/${this.#session.clientId}`;
  }

  #closedError(): ConnectionClosedError {
    return new ConnectionClosedError(
      this.#ending === undefined ? 'the client is closed' : 'the client is ending',
    );
  }
}
