import { Decoder, encode } from '@mqttkit/codec';
import {
  type ConnackPacket,
  type ConnectPacket,
  type ConnectProperties,
  DISCONNECT_REASON_CODES,
  type DisconnectPacket,
  type DisconnectProperties,
  type DisconnectReasonCode,
  MqttError,
  type Packet,
  type ProtocolVersion,
  type PublishPacket,
  type QoS,
  ReasonCode,
  type SubscribeProperties,
  type Subscription,
  type UnsubscribeProperties,
  type Will,
} from '@mqttkit/types';
import type { ConnectionRefusedError } from '../errors/connection-refused-error.js';
import { connectionRefused } from '../errors/not-authorized-error.js';
import { AuthFlow, type AuthFlowOutput } from './auth-flow.js';
import { type FlowContext, type ServerLimits, serverLimits } from './flow-context.js';
import { InboundFlows } from './inbound-flows.js';
import type { InflightMessage, InflightStore } from './inflight-store.js';
import { OutboundFlows } from './outbound-flows.js';
import { type PacketIdAllocator, SequentialPacketIdAllocator } from './packet-id-allocator.js';
import type { PublishResult, Settle, SubscribeResult, UnsubscribeResult } from './results.js';
import { SubscriptionBook } from './subscription-book.js';

/** Everything a `ClientSession` is built from (the client's option resolver applies the defaults). */
export interface ClientSessionOptions {
  protocolVersion: ProtocolVersion;
  clientId: string;
  clean: boolean;
  /** Seconds; 0 disables keepalive. */
  keepAlive: number;
  username?: string;
  password?: Uint8Array;
  will?: Will;
  /** v5 CONNECT properties as sent; Receive Maximum and Topic Alias Maximum also bound what the server sends. */
  properties?: ConnectProperties;
  /** v5 enhanced authentication: the Authentication Method sent in CONNECT and in every AUTH. */
  authenticationMethod?: string;
  /** The largest packet accepted from the server (the decoder's limit). */
  maximumPacketSize: number;
  /** Use outbound topic aliases when the server allows them (v5). */
  topicAliases: boolean;
  /** Subscribe again to every filter after a reconnect that found no session. */
  resubscribe: boolean;
  /** Bound of the outgoing queue (messages waiting for the connection or for Receive Maximum). */
  queueLimit: number;
  /** Mirror of the in-flight messages. */
  store: InflightStore;
  /** Packet Identifier source; the sequential allocator by default. */
  allocator?: PacketIdAllocator;
}

/** What the session produces; the client facade implements it (tests record it). */
export interface SessionOutput extends AuthFlowOutput {
  /** An encoded packet to write, in order. */
  write(frame: Uint8Array): void;
  /** CONNACK accepted: the session is online (resends and queued packets are already written). */
  connected(connack: ConnackPacket): void;
  /** CONNACK refused; the server closes the connection. */
  refused(error: ConnectionRefusedError): void;
  /** An application message from the server (its topic alias already resolved). */
  message(message: PublishPacket): void;
  /** The server sent DISCONNECT (v5); the connection is over. */
  serverDisconnect(packet: DisconnectPacket): void;
  /** The server broke the protocol; a v5 DISCONNECT was written and the connection must be closed. */
  protocolError(error: MqttError): void;
  /** A problem not tied to a pending request: a refused resubscribe, a failing store. */
  error(error: Error): void;
}

/** The session's connection state. */
export type SessionState = 'offline' | 'connecting' | 'online';

const PINGREQ = new Uint8Array([0xc0, 0x00]);
const DISCONNECT_CODES: ReadonlySet<number> = new Set(DISCONNECT_REASON_CODES);

/**
 * The MQTT client protocol as a pure state machine (style guide R13, after rumqttc's `state.rs`):
 * bytes and requests in, encoded packets and events out through `SessionOutput`. No sockets, no
 * timers, no clock: the facade owns those and tells the session when a connection opens or is lost.
 *
 * States: `offline` (no connection; publishes queue) → `connect()` → `connecting` (CONNECT written,
 * waiting for CONNACK) → `online` → `connectionLost()`, a refusal, or a DISCONNECT either way → `offline`.
 * The session outlives connections: in-flight messages, inbound QoS 2 identifiers, subscriptions and
 * the queue wait for the next CONNACK, whose Session Present flag says what the server kept.
 *
 * The flows live in helpers: `OutboundFlows` (PUBLISH out, queue, Receive Maximum, aliases),
 * `InboundFlows` (PUBLISH in, QoS 2 identifiers, aliases) and `SubscriptionBook` (SUBSCRIBE/UNSUBSCRIBE).
 */
export class ClientSession {
  readonly #options: ClientSessionOptions;
  readonly #out: SessionOutput;
  readonly #version: ProtocolVersion;
  readonly #outbound: OutboundFlows;
  readonly #inbound: InboundFlows;
  readonly #book: SubscriptionBook;
  readonly #auth: AuthFlow;
  #state: SessionState = 'offline';
  #clientId: string;
  #keepAlive: number;
  #decoder: Decoder | undefined;
  #limits: ServerLimits | undefined;
  #connack: ConnackPacket | undefined;

  /** Creates an offline session; `connect()` starts a connection. */
  constructor(options: ClientSessionOptions, output: SessionOutput) {
    this.#options = options;
    this.#out = output;
    this.#version = options.protocolVersion;
    this.#clientId = options.clientId;
    this.#keepAlive = options.keepAlive;
    const ctx: FlowContext = {
      version: this.#version,
      write: (frame) => output.write(frame),
      error: (error) => output.error(error),
      protocolError: (error) => this.#protocolError(error),
    };
    const ids = options.allocator ?? new SequentialPacketIdAllocator();
    this.#outbound = new OutboundFlows(ctx, ids, options.store, options.queueLimit, options.topicAliases);
    this.#inbound = new InboundFlows(
      ctx,
      (message) => output.message(message),
      options.properties?.receiveMaximum ?? 65535,
      options.properties?.topicAliasMaximum ?? 0,
    );
    this.#book = new SubscriptionBook(
      ctx,
      ids,
      () => this.#limits?.maximumPacketSize ?? Number.POSITIVE_INFINITY,
    );
    this.#auth = new AuthFlow(ctx, options.authenticationMethod, output);
  }

  /** `offline`, `connecting` or `online`. */
  get state(): SessionState {
    return this.#state;
  }

  /** The client identifier; the server's Assigned Client Identifier once it sent one (v5). */
  get clientId(): string {
    return this.#clientId;
  }

  /** The keepalive in seconds: the server's Server Keep Alive when it sent one, else the requested one. */
  get keepAlive(): number {
    return this.#keepAlive;
  }

  /** The last accepted CONNACK. */
  get connack(): ConnackPacket | undefined {
    return this.#connack;
  }

  /** The server's limits from the last accepted CONNACK. */
  get serverLimits(): ServerLimits | undefined {
    return this.#limits;
  }

  /** QoS 1/2 messages sent and not yet fully acknowledged. */
  get inflightCount(): number {
    return this.#outbound.inflightCount;
  }

  /** Messages waiting in the outgoing queue. */
  get queueLength(): number {
    return this.#outbound.queueLength;
  }

  /** The subscriptions restored after a reconnect without a session: filter → QoS. */
  get subscriptions(): ReadonlyMap<string, QoS> {
    return this.#book.filters;
  }

  /** True when nothing waits for the server: nothing in flight or queued, no (un)subscribe pending. */
  get isIdle(): boolean {
    return this.#outbound.inflightCount === 0 && this.#outbound.queueLength === 0 && this.#book.isIdle;
  }

  /** Enhanced authentication (v5): answers to the server's challenges, re-authentication. */
  get auth(): AuthFlow {
    return this.#auth;
  }

  /** True when a QoS 0 publish would be written now rather than queued: the facade's cheap path. */
  get canSendNow(): boolean {
    return this.#outbound.canSendNow;
  }

  /** Takes over in-flight messages a previous client left in the store; call before the first `connect`. */
  restore(messages: readonly InflightMessage[]): void {
    this.#outbound.restore(messages);
  }

  /**
   * A new connection is open: writes CONNECT and waits for CONNACK. `authenticationData` goes into
   * CONNECT with the Authentication Method (enhanced authentication).
   */
  connect(authenticationData?: Uint8Array): void {
    const o = this.#options;
    this.#state = 'connecting';
    this.#decoder = new Decoder({
      side: 'client',
      protocolVersion: this.#version,
      maximumPacketSize: o.maximumPacketSize,
    });
    this.#inbound.newConnection();
    const packet: ConnectPacket = {
      type: 'connect',
      protocolVersion: this.#version,
      clean: o.clean,
      keepAlive: o.keepAlive,
      clientId: this.#clientId,
    };
    if (o.will !== undefined) packet.will = o.will;
    if (o.username !== undefined) packet.username = o.username;
    if (o.password !== undefined) packet.password = o.password;
    const properties = this.#auth.connecting(o.properties, authenticationData);
    if (this.#version === 5 && properties !== undefined) packet.properties = properties;
    this.#out.write(encode(packet, this.#version));
  }

  /** Bytes from the server: decodes and handles every complete packet. */
  receive(chunk: Uint8Array): void {
    const decoder = this.#decoder;
    if (decoder === undefined) return;
    decoder.push(chunk);
    // Stop at the packet that ends the connection (DISCONNECT, refusal, protocol error).
    while (this.#decoder === decoder) {
      const next = decoder.next();
      if (next === undefined) return;
      if (MqttError.isInstance(next)) this.#protocolError(next);
      else this.handlePacket(next);
    }
  }

  /** Handles one decoded packet from the server. */
  handlePacket(packet: Packet): void {
    if (this.#state === 'offline') return;
    if (this.#state === 'connecting' && packet.type !== 'connack' && packet.type !== 'auth') {
      // [MQTT-3.2.0-1] The first packet from the server is CONNACK, or AUTH (5.0).
      this.#protocolError(
        new MqttError('PROTOCOL_ERROR', `expected CONNACK, got ${packet.type.toUpperCase()}`),
      );
      return;
    }
    switch (packet.type) {
      case 'publish':
        this.#inbound.onPublish(packet);
        break;
      case 'puback':
        this.#outbound.onPuback(packet.packetId, packet.reasonCode ?? 0, packet.properties);
        break;
      case 'pubrec':
        this.#outbound.onPubrec(packet.packetId, packet.reasonCode ?? 0, packet.properties);
        break;
      case 'pubrel':
        this.#inbound.onPubrel(packet.packetId);
        break;
      case 'pubcomp':
        this.#outbound.onPubcomp(packet.packetId, packet.reasonCode ?? 0, packet.properties);
        break;
      case 'suback':
        this.#book.onSuback(packet);
        break;
      case 'unsuback':
        this.#book.onUnsuback(packet);
        break;
      case 'pingresp':
        break;
      case 'connack':
        this.#onConnack(packet);
        break;
      case 'disconnect':
        this.#goOffline();
        this.#out.serverDisconnect(packet);
        break;
      case 'auth':
        this.#auth.onAuth(packet);
        break;
      default:
        // The decoder already rejects the types only a client sends; this is a safety net.
        this.#protocolError(
          new MqttError('PROTOCOL_ERROR', `unexpected ${packet.type.toUpperCase()} from the server`),
        );
    }
  }

  /**
   * Publishes `packet` (its `packetId` is assigned here). Returns an error when it is refused at once
   * (the server's limits, a full queue, encoding); otherwise it is written, or queued until the
   * connection and the Receive Maximum allow, and `settle` completes when the flow does.
   */
  publish(packet: PublishPacket, settle: Settle<PublishResult> | undefined): MqttError | undefined {
    return this.#outbound.publish(packet, settle);
  }

  /** Subscribes; sent now when online, else once the next connection is up. */
  subscribe(
    subscriptions: readonly Subscription[],
    properties: SubscribeProperties | undefined,
    settle: Settle<SubscribeResult> | undefined,
  ): void {
    this.#book.subscribe(subscriptions, properties, settle);
    if (this.#state === 'online') this.#book.sendPending();
  }

  /** Unsubscribes; sent now when online, else once the next connection is up. */
  unsubscribe(
    filters: readonly string[],
    properties: UnsubscribeProperties | undefined,
    settle: Settle<UnsubscribeResult> | undefined,
  ): void {
    this.#book.unsubscribe(filters, properties, settle);
    if (this.#state === 'online') this.#book.sendPending();
  }

  /** Writes a PINGREQ (the facade's keepalive decides when). */
  ping(): void {
    if (this.#state === 'online') this.#out.write(PINGREQ);
  }

  /**
   * Writes DISCONNECT (with reason and properties in v5) and goes offline; the facade closes the
   * transport. Before CONNACK too: a client abandoning enhanced authentication may [MQTT-3.1.2-30].
   */
  disconnect(reasonCode = 0, properties?: DisconnectProperties): void {
    if (this.#state !== 'offline') {
      const packet: DisconnectPacket = { type: 'disconnect' };
      if (this.#version === 5) {
        if (reasonCode !== 0) packet.reasonCode = reasonCode as DisconnectReasonCode;
        if (properties !== undefined) packet.properties = properties;
      }
      this.#out.write(encode(packet, this.#version));
    }
    this.#goOffline();
  }

  /** The transport closed: go offline and keep everything for the next connection. */
  connectionLost(): void {
    this.#goOffline();
  }

  /** The client is closing for good: rejects every pending message and request with `error`. */
  failAll(error: Error): void {
    this.#goOffline();
    this.#outbound.failAll(error);
    this.#book.failAll(error);
  }

  #goOffline(): void {
    this.#state = 'offline';
    this.#auth.connectionLost();
    this.#decoder = undefined;
    this.#outbound.offline();
    this.#book.connectionLost();
  }

  #onConnack(packet: ConnackPacket): void {
    if (this.#state !== 'connecting') {
      this.#protocolError(new MqttError('PROTOCOL_ERROR', 'a second CONNACK on one connection'));
      return;
    }
    if (packet.reasonCode !== 0) {
      this.#goOffline();
      this.#out.refused(connectionRefused(packet, this.#version));
      return;
    }
    const authError = this.#auth.accepted(packet);
    if (authError !== undefined) {
      this.#protocolError(authError);
      return;
    }
    if (this.#options.clean && packet.sessionPresent) {
      // [MQTT-3.2.2-4] (5.0; 3.1.1: [MQTT-3.2.2-1]) A clean start cannot find a session.
      this.#protocolError(new MqttError('PROTOCOL_ERROR', 'CONNACK has Session Present after a clean start'));
      return;
    }
    const p = packet.properties;
    const limits = serverLimits(p);
    if (p?.assignedClientIdentifier !== undefined) this.#clientId = p.assignedClientIdentifier;
    if (p?.serverKeepAlive !== undefined) this.#keepAlive = p.serverKeepAlive;
    this.#limits = limits;
    this.#connack = packet;
    this.#state = 'online';
    // MQTT 3.1 has no Session Present flag: with a persistent session the server resumes it, so the
    // in-flight flows continue; subscribing again as well is harmless in case it did not.
    const sessionKept = this.#version === 3 ? !this.#options.clean : packet.sessionPresent;
    if (!sessionKept) this.#inbound.sessionLost();
    if (!packet.sessionPresent && this.#options.resubscribe) this.#book.resubscribe();
    this.#book.sendPending();
    this.#outbound.online(limits, sessionKept);
    // Last, so a 'connect' listener that publishes comes after the re-sent and queued messages.
    if (this.#state === 'online') this.#out.connected(packet);
  }

  /** The server broke the protocol: say why (v5 DISCONNECT), go offline, hand the close to the facade. */
  #protocolError(error: MqttError): void {
    if (this.#state === 'offline') return;
    if (this.#version === 5) {
      const reasonCode = DISCONNECT_CODES.has(error.reasonCode) ? error.reasonCode : ReasonCode.ProtocolError;
      this.#out.write(encode({ type: 'disconnect', reasonCode: reasonCode as DisconnectReasonCode }, 5));
    }
    this.#goOffline();
    this.#out.protocolError(error);
  }
}
