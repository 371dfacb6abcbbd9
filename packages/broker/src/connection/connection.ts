import type { Duplex } from 'node:stream';
import { Decoder, encode } from '@mqttkit/codec';
import {
  type ConnectPacket,
  MqttError,
  type Packet,
  type ProtocolVersion,
  type QoS,
  ReasonCode,
  type Will,
} from '@mqttkit/types';
import type { BrokerCore } from '../broker-core.js';
import type { WheelEntry } from '../deadline-wheel.js';
import type { ClientInfo, DisconnectCause } from '../hooks/hook.js';
import type { BrokerLimits } from '../limits.js';
import type { Message } from '../router/message.js';
import type { OutboundEntry, Session, SessionLink } from '../session/session.js';
import { handleAuth } from './auth-flow.js';
import { ClientView, type PeerAddress } from './client-view.js';
import { handleConnect } from './connect-flow.js';
import { errorAnswer } from './error-answer.js';
import { handlePublish, handlePubrel } from './inbound-publish.js';
import { publishFrame } from './publish-frame.js';
import { handleSubscribe, handleUnsubscribe } from './subscribe-flow.js';
import { ClientRateLimits } from './token-bucket.js';
import type { InboundTopicAliases, OutboundTopicAliases } from './topic-aliases.js';

/** MQTT 5.0 per-connection state, set from CONNECT. */
export interface V5ConnectionState {
  /** Request Problem Information: when false, no reason strings on acks [MQTT-3.1.2-29]. */
  problemInformation: boolean;
  /** Session Expiry Interval given in CONNECT, for the DISCONNECT rule of section 3.14.2.2.2. */
  connectSessionExpiry: number;
  inboundAliases: InboundTopicAliases | undefined;
  outboundAliases: OutboundTopicAliases | undefined;
}

/** An enhanced authentication exchange (v5 AUTH), in progress or done. */
export interface EnhancedAuthState {
  method: string;
  /** 0 for the CONNECT (or the AUTH 0x19 that starts a re-authentication), then one per AUTH. */
  step: number;
  /** True between a client's AUTH 0x19 and the end of that re-authentication. */
  reauthenticating: boolean;
  /** The CONNECT of an exchange in progress, accepted once it succeeds. */
  pendingConnect: ConnectPacket | undefined;
}

/**
 * Connection states:
 *   awaiting-connect ─CONNECT─► authenticating ─(hooks allow)─► connected ─► closed
 *          │                          │ (AUTH exchange, v5)        │
 *          └──────── timeout / error ─┴────────────────────────────┘
 */
export type ConnectionState = 'awaiting-connect' | 'authenticating' | 'connected' | 'closed';

/** Where a connection came from, as the listener saw it. */
export interface ConnectionOrigin {
  listenerId: string;
  /** `host:port` of the peer; when absent it is read from the stream (a socket) on first use. */
  remoteAddress?: string;
  /** Extra transport facts for hooks, e.g. a TLS peer certificate's subject. */
  transport?: Record<string, unknown>;
  /** A user name the transport established (mTLS certificate CN/SAN); it replaces CONNECT's. */
  username?: string;
  /** The limits of the listener, resolved once per listener (`resolveListenerLimits`); the broker's by default. */
  limits?: BrokerLimits;
}

const PINGRESP = encode({ type: 'pingresp' }, 4);

/**
 * One client connection: turns bytes into packets, runs them through the protocol flows, and writes
 * the answers, batched per event-loop turn. It owns what lives exactly as long as the socket: the
 * decoder, keepalive, topic aliases, the will, the client's flow-control limits. What must outlive it
 * lives in the `Session` it is attached to.
 */
export class Connection implements SessionLink, WheelEntry {
  state: ConnectionState = 'awaiting-connect';
  protocolVersion: ProtocolVersion = 4;
  session: Session | undefined;
  /** The will from CONNECT; cleared by a normal DISCONNECT [MQTT-3.1.2-10]. */
  will: Will | undefined;
  /** True once CONNACK with a success code went out: DISCONNECT may be sent from then on. */
  connackSent = false;
  /** Keep Alive in seconds as in force (the client's, or the broker's Server Keep Alive). */
  keepAlive = 0;
  /** Outbound QoS 1/2 messages the client accepts in flight (its Receive Maximum). */
  sendQuota: number;
  /** Largest packet the client accepts (v5 Maximum Packet Size). */
  clientMaximumPacketSize = 268_435_460;
  /** What only an MQTT 5.0 connection has; undefined for 3.x (an idle fleet pays nothing for it). */
  v5: V5ConnectionState | undefined;
  /** The MQTT 5.0 enhanced authentication of this connection, once CONNECT named a method. */
  auth: EnhancedAuthState | undefined;
  /** The decoder of this connection's incoming bytes. */
  readonly decoder: Decoder;
  readonly client: ClientView;

  /** When the last complete packet arrived, in deadline-wheel time (`core.deadlines.now()`). */
  private lastPacketAt: number;
  // WheelEntry: this connection's place on the broker's deadline wheel (connect timeout, keepalive).
  wheelNext: WheelEntry | undefined = undefined;
  wheelPrev: WheelEntry | undefined = undefined;
  wheelSlot = -1;
  deadline = 0;
  private suspended = 0;
  /** Frames written this turn, flushed together; undefined between turns (no array per idle client). */
  private pending: Uint8Array[] | undefined;
  private pendingBytes = 0;
  private flushQueued = false;
  /** Acknowledgements held back until the store commits (durable stores), in send order. */
  private heldAcks: { frame: Uint8Array; committed: Promise<boolean> }[] | undefined;
  /** Per-client rate limits (`maximumPublishRate`, `maximumInboundBytesRate`), when configured. */
  private readonly rates: ClientRateLimits | undefined;
  /** Set by the broker when this socket arrived above `maximumConnectionRate`: its CONNECT is refused. */
  overConnectionRate = false;

  readonly core: BrokerCore;
  /** The limits in force on this connection: the listener's, or the broker's. */
  readonly limits: BrokerLimits;
  private readonly stream: Duplex;
  /** The user name the transport vouched for, if any (see `ConnectionOrigin.username`). */
  readonly originUsername: string | undefined;

  constructor(core: BrokerCore, stream: Duplex, origin: ConnectionOrigin) {
    this.core = core;
    this.limits = origin.limits ?? core.limits;
    this.stream = stream;
    this.originUsername = origin.username;
    const limits = this.limits;
    this.sendQuota = limits.maximumInflight;
    this.decoder = new Decoder({ side: 'server', maximumPacketSize: limits.maximumPacketSize });
    this.client = new ClientView(
      origin.listenerId,
      origin.remoteAddress,
      stream as PeerAddress,
      origin.transport,
    );
    this.lastPacketAt = core.deadlines.now();
    this.rates = ClientRateLimits.from(limits, core.clock.now());
    core.stats.connections++;
    core.stats.connectionsTotal++;
    (stream as LinkedStream)[CONNECTION] = this;
    stream.on('data', onStreamData);
    stream.on('drain', onStreamDrain);
    stream.on('error', onStreamError);
    stream.on('close', onStreamClose);
    // A socket that never completes CONNECT is closed after the connect timeout (0: no timeout).
    if (limits.connectTimeoutMs > 0) {
      core.deadlines.schedule(this, this.lastPacketAt + limits.connectTimeoutMs);
    }
  }

  /** The read-only view of this client handed to hooks. */
  get info(): ClientInfo {
    return this.client;
  }

  // ─── Input ───────────────────────────────────────────────────────────────

  /** Bytes from the transport. */
  receive(chunk: Uint8Array): void {
    this.core.stats.bytesReceived += chunk.length;
    this.decoder.push(chunk);
    // Over the byte rate, what arrived waits in the decoder until the rate allows it.
    const bytesRate = this.rates?.bytes;
    if (bytesRate !== undefined) this.throttle(bytesRate.take(chunk.length, this.core.clock.now()));
    this.processInput();
  }

  /** Decode and handle packets until more bytes are needed, a hook suspends input, or the end. */
  processInput(): void {
    while (this.suspended === 0 && this.state !== 'closed') {
      const result = this.decoder.next();
      if (result === undefined) return;
      if (MqttError.isInstance(result)) {
        this.failWith(result);
        return;
      }
      this.core.stats.packetsReceived++;
      // Keepalive counts complete packets only: a dripped partial packet does not keep a socket open.
      this.lastPacketAt = this.core.deadlines.now();
      try {
        this.dispatch(result);
      } catch (error) {
        // A bug must cost one connection, never the broker process: log it and close with 0x83.
        this.core.logger.error(
          { clientId: this.client.id, packet: result.type, err: error },
          'internal error handling packet',
        );
        this.failWith(
          new MqttError('IMPLEMENTATION_SPECIFIC_ERROR', 'internal error', { cause: error }),
          'protocol-error',
        );
        return;
      }
    }
  }

  private dispatch(packet: Packet): void {
    if (this.state === 'awaiting-connect') {
      // The decoder lets only CONNECT through first [MQTT-3.1.0-1].
      if (packet.type === 'connect') handleConnect(this, packet);
      return;
    }
    if (this.state === 'authenticating') {
      // Before CONNACK a client doing enhanced authentication sends only AUTH or DISCONNECT
      // [MQTT-3.1.2-30]. A DISCONNECT gives up quietly: no session exists yet, and no will.
      if (packet.type === 'auth') handleAuth(this, packet);
      else if (packet.type === 'disconnect') this.close('client-disconnect', packet.reasonCode ?? 0, false);
      else {
        this.failWith(
          new MqttError('PROTOCOL_ERROR', `${packet.type} received during authentication`, {
            specRef: 'MQTT-3.1.2-30',
          }),
        );
      }
      return;
    }
    switch (packet.type) {
      case 'publish': {
        handlePublish(this, packet);
        const publishRate = this.rates?.publish;
        if (publishRate !== undefined) this.throttle(publishRate.take(1, this.core.clock.now()));
        return;
      }
      case 'puback':
        this.session!.complete(packet.packetId, 'sent');
        return;
      case 'pubrec':
        this.onPubrec(packet.packetId, packet.reasonCode ?? 0);
        return;
      case 'pubrel':
        handlePubrel(this, packet);
        return;
      case 'pubcomp':
        this.session!.complete(packet.packetId, 'released');
        return;
      case 'subscribe':
        handleSubscribe(this, packet);
        return;
      case 'unsubscribe':
        handleUnsubscribe(this, packet);
        return;
      case 'pingreq':
        this.write(PINGRESP);
        return;
      case 'disconnect':
        this.onDisconnect(packet.reasonCode ?? 0, packet.properties?.sessionExpiryInterval);
        return;
      case 'auth':
        handleAuth(this, packet);
        return;
      case 'connect':
        // A second CONNECT is a protocol violation [MQTT-3.1.0-2].
        this.failWith(
          new MqttError('PROTOCOL_ERROR', 'second CONNECT on one connection', { specRef: 'MQTT-3.1.0-2' }),
        );
        return;
      default:
        // The server-side decoder rejects packets a server never receives.
        this.failWith(new MqttError('PROTOCOL_ERROR', `unexpected ${packet.type} from a client`));
    }
  }

  private onPubrec(packetId: number, reasonCode: number): void {
    const failed = reasonCode >= 0x80;
    if (this.session!.received(packetId, failed)) {
      if (!failed) this.sendPubrel(packetId);
      return;
    }
    // Unknown id: answer PUBREL so the client's flow ends; v5 says why (0x92, section 3.6.2.1).
    if (!failed)
      this.writePacket(
        this.protocolVersion === 5
          ? { type: 'pubrel', packetId, reasonCode: ReasonCode.PacketIdentifierNotFound }
          : { type: 'pubrel', packetId },
      );
  }

  private onDisconnect(reasonCode: number, sessionExpiry: number | undefined): void {
    if (sessionExpiry !== undefined) {
      // A client that connected with expiry 0 cannot set one now: a Protocol Error, and not a valid
      // DISCONNECT, so the will is still published (5.0 section 3.14.2.2.2; the statement has no id).
      if ((this.v5?.connectSessionExpiry ?? 0) === 0 && sessionExpiry !== 0) {
        this.failWith(
          new MqttError('PROTOCOL_ERROR', 'Session Expiry Interval set on DISCONNECT after 0 on CONNECT'),
        );
        return;
      }
      this.core.sessions.setExpiry(
        this.session!,
        Math.min(sessionExpiry, this.limits.maximumSessionExpiryInterval),
      );
    }
    // Only Normal disconnection (0x00, the only DISCONNECT before 5.0) discards the will
    // [MQTT-3.14.4-3]; 0x04 asks for it, and a client reporting an error (0x80 and up) ended abnormally.
    if (reasonCode === ReasonCode.NormalDisconnection) this.will = undefined;
    this.close('client-disconnect', reasonCode, false);
  }

  /**
   * Stop handling input until `resume` (an async hook or store answer is pending). The socket is
   * paused too, so a client cannot make the broker buffer without bound meanwhile.
   */
  suspend(): void {
    if (this.suspended++ === 0) this.stream.pause();
  }

  /**
   * Rate limits: stop reading for `ms` so the client's sending rate falls back within its limit. The
   * socket's own backpressure slows the client; nothing it sent is dropped.
   */
  private throttle(ms: number): void {
    const rates = this.rates!;
    if (ms <= 0 || rates.throttleTimer !== undefined || this.state === 'closed') return;
    this.core.stats.throttled++;
    this.suspend();
    rates.throttleTimer = setTimeout(endThrottle, ms, this);
    rates.throttleTimer.unref?.();
  }

  /** The throttle wait is over. */
  endThrottle(): void {
    this.rates!.throttleTimer = undefined;
    this.resume();
  }

  /** Undo one `suspend`, and go on with buffered input once nothing is pending. */
  resume(): void {
    if (--this.suspended > 0 || this.state === 'closed') return;
    this.stream.resume();
    this.processInput();
  }

  // ─── Output ──────────────────────────────────────────────────────────────

  /** Queue bytes for this turn's flush. */
  write(frame: Uint8Array): void {
    if (this.state === 'closed') return;
    if (this.pending === undefined) this.pending = [frame];
    else this.pending.push(frame);
    this.pendingBytes += frame.length;
    this.core.stats.packetsSent++;
    if (!this.flushQueued) {
      this.flushQueued = true;
      this.core.scheduleFlush(this);
    }
  }

  /** Encode and queue a packet in this connection's protocol version. */
  writePacket(packet: Packet): void {
    this.write(encode(packet, this.protocolVersion));
  }

  /**
   * Queue an acknowledgement of an inbound PUBLISH. With a durable store it waits until the message is
   * committed (design decision 6), and acknowledgements stay in PUBLISH order [MQTT-4.6.0-2].
   */
  writeAck(packet: Packet): void {
    const frame = encode(packet, this.protocolVersion);
    const committed = this.core.store.afterCommit();
    if (committed === undefined && this.heldAcks === undefined) {
      this.write(frame);
      return;
    }
    this.heldAcks ??= [];
    const held = this.heldAcks;
    held.push({ frame, committed: committed ?? Promise.resolve(true) });
    if (held.length === 1) void this.releaseHeldAcks();
  }

  private async releaseHeldAcks(): Promise<void> {
    const held = this.heldAcks!;
    while (held.length > 0) {
      const ok = await held[0]!.committed;
      if (this.state === 'closed') return;
      if (!ok) {
        this.failWith(
          new MqttError('IMPLEMENTATION_SPECIFIC_ERROR', 'the session store failed to commit a message'),
        );
        return;
      }
      this.write(held.shift()!.frame);
    }
    this.heldAcks = undefined;
  }

  /** Write everything queued this turn in one go (called by the broker's per-turn flush). */
  flush(): void {
    this.flushQueued = false;
    const pending = this.pending;
    if (pending === undefined || this.stream.destroyed) return;
    this.pending = undefined;
    this.core.stats.bytesSent += this.pendingBytes;
    this.pendingBytes = 0;
    // One write per turn: Nagle stays off without a system call per delivered message.
    const accepted =
      pending.length === 1 ? this.stream.write(pending[0]!) : this.stream.write(concat(pending));
    // 'drain' fires only after a write returned false: when the socket took everything, a queue held
    // back by the outgoing-buffer limit must be pumped here or it would wait for the next message.
    if (accepted && (this.session?.queuedCount ?? 0) > 0) this.session!.pump();
  }

  /** SessionLink: false while the socket is congested or the connection is not open. */
  canSend(): boolean {
    return (
      this.state === 'connected' &&
      this.stream.writableLength + this.pendingBytes < this.limits.maximumOutgoingBufferBytes
    );
  }

  /** SessionLink: write a PUBLISH, unless it exceeds the client's Maximum Packet Size. */
  sendPublish(
    entryOrMessage: OutboundEntry | Message,
    qos: QoS,
    retain: boolean,
    subscriptionIdentifiers: readonly number[] | undefined,
    packetId: number,
    dup: boolean,
  ): boolean {
    const message = 'seq' in entryOrMessage ? entryOrMessage.message : entryOrMessage;
    const isV5 = this.protocolVersion === 5;
    const aliases = this.v5?.outboundAliases;
    const alias = aliases?.lookup(message.topic);
    const extras =
      isV5 && (subscriptionIdentifiers !== undefined || alias !== undefined)
        ? { subscriptionIdentifiers, topicAlias: alias?.alias, sendTopic: alias === undefined || alias.fresh }
        : undefined;
    const frame = publishFrame(
      message,
      this.protocolVersion,
      qos,
      retain,
      packetId,
      dup,
      extras,
      this.core.clock.now(),
    );
    if (frame.length > this.clientMaximumPacketSize) {
      // Too large for this client: discard as if delivered [MQTT-3.1.2-25]; an alias never sent is freed.
      if (alias?.fresh) aliases!.forget(message.topic);
      return false;
    }
    this.write(frame);
    return true;
  }

  /** SessionLink: write PUBREL for an outbound QoS 2 message. */
  sendPubrel(packetId: number): void {
    this.writePacket({ type: 'pubrel', packetId, reasonCode: 0 });
  }

  /** SessionLink: another connection took this client id; v5 is told why [MQTT-3.1.4-3]. */
  takeOver(): void {
    this.close('session-taken-over', ReasonCode.SessionTakenOver, true);
  }

  /** The socket drained: queued messages may go out again. */
  drained(): void {
    this.session?.pump();
  }

  // ─── Keepalive and timeouts ─────────────────────────────────────────────

  /** Start enforcing Keep Alive: close after 1.5 × the interval without a complete packet [MQTT-3.1.2-24]. */
  startKeepAlive(seconds: number): void {
    this.keepAlive = seconds;
    const deadlines = this.core.deadlines;
    if (seconds > 0) deadlines.schedule(this, deadlines.now() + seconds * 1500);
    else deadlines.cancel(this);
  }

  /**
   * WheelEntry: the connect timeout or keepalive deadline came. Packets only record their time; the
   * check happens here, and reschedules when the deadline moved, so keepalive costs nothing per packet.
   */
  onDeadline(now: number): void {
    if (this.state === 'closed') return;
    if (this.state !== 'connected') {
      this.close('connect-timeout', undefined, false);
      return;
    }
    const limit = this.keepAlive * 1500;
    // While input is held back (rate limit, pending hook) the client is not the one that is idle.
    if (this.suspended > 0) this.lastPacketAt = now;
    if (now - this.lastPacketAt >= limit) this.close('keepalive-timeout', ReasonCode.KeepAliveTimeout, true);
    else this.core.deadlines.schedule(this, this.lastPacketAt + limit);
  }

  // ─── Closing ─────────────────────────────────────────────────────────────

  /**
   * The one place protocol errors become answers (style guide R4): a CONNACK or DISCONNECT with the
   * version-appropriate code where the spec allows one, then close. The will is published.
   */
  failWith(error: MqttError, cause: DisconnectCause = 'protocol-error'): void {
    if (this.state === 'closed') return;
    if (cause === 'protocol-error') this.core.stats.protocolErrors++;
    this.core.logger.debug(
      { clientId: this.client.id, code: error.code, specRef: error.specRef, reason: error.message },
      'closing connection after protocol error',
    );
    const version =
      this.state === 'awaiting-connect'
        ? this.decoder.requestedProtocolLevel === 5
          ? 5
          : 4
        : this.protocolVersion;
    const answer = errorAnswer(error, version, this.connackSent, this.clientMaximumPacketSize);
    if (answer !== undefined) this.write(encode(answer, version));
    this.close(cause, error.reasonCode, false);
  }

  /**
   * Close the connection. `sendDisconnect` adds a v5 DISCONNECT with `reasonCode` (only after a
   * successful CONNACK [MQTT-3.14.0-1]). A will still held is published (or scheduled).
   */
  close(cause: DisconnectCause, reasonCode: number | undefined, sendDisconnect: boolean): void {
    if (this.state === 'closed') return;
    if (sendDisconnect && this.protocolVersion === 5 && this.connackSent && reasonCode !== undefined) {
      this.writePacket({ type: 'disconnect', reasonCode: reasonCode as 0 });
    }
    const wasConnected = this.state === 'connected';
    this.state = 'closed';
    this.core.deadlines.cancel(this);
    this.flush();
    this.stream.end();
    // A peer that never reads must not hold the socket open after we are done with it.
    const reaper = setTimeout(() => this.stream.destroy(), 1000);
    reaper.unref?.();
    this.stream.once('close', () => clearTimeout(reaper));
    this.finish(wasConnected, cause, reasonCode);
  }

  /** A transport error; 'close' follows and ends the connection. */
  transportError(error: Error): void {
    this.core.logger.debug({ clientId: this.client.id, err: error }, 'socket error');
  }

  /** The transport closed: end the connection if it is not closed already. */
  transportClosed(): void {
    if (this.state !== 'closed') {
      const wasConnected = this.state === 'connected';
      this.state = 'closed';
      this.core.deadlines.cancel(this);
      this.finish(wasConnected, 'socket-closed', undefined);
    }
  }

  private finish(wasConnected: boolean, cause: DisconnectCause, reasonCode: number | undefined): void {
    const core = this.core;
    core.stats.connections--;
    const session = this.session;
    let willPublished = false;
    if (session !== undefined && session.link === this) {
      const will = this.will;
      this.will = undefined;
      // Every close without a normal DISCONNECT publishes the will, a server shutdown included [MQTT-3.1.2-8].
      if (will !== undefined) {
        core.wills.connectionLost(this.client, session, will);
        willPublished = true;
      }
      core.sessions.detach(session);
    }
    if (wasConnected) {
      core.stats.clientsConnected--;
      core.hooks.notify('onDisconnected', { client: this.client, cause, reasonCode, willPublished });
    }
    core.connectionClosed(this);
  }
}

const CONNECTION = Symbol('mqttkit.connection');

/** A transport stream with its connection attached, so one set of listener functions serves all. */
type LinkedStream = Duplex & { [CONNECTION]: Connection };

// Shared listeners instead of closures per connection: idle connections are the broker's memory bill.
function onStreamData(this: LinkedStream, chunk: Uint8Array): void {
  this[CONNECTION].receive(chunk);
}

function onStreamDrain(this: LinkedStream): void {
  this[CONNECTION].drained();
}

function onStreamError(this: LinkedStream, error: Error): void {
  this[CONNECTION].transportError(error);
}

function onStreamClose(this: LinkedStream): void {
  this[CONNECTION].transportClosed();
}

function endThrottle(connection: Connection): void {
  connection.endThrottle();
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (let i = 0; i < chunks.length; i++) total += chunks[i]!.length;
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) {
    out.set(chunks[i]!, offset);
    offset += chunks[i]!.length;
  }
  return out;
}
