import { encode } from '@mqttkit/codec';
import { type AckProperties, type MqttError, type PublishPacket, ReasonCode } from '@mqttkit/types';
import { PacketTooLargeError } from '../errors/packet-too-large-error.js';
import { PublishError } from '../errors/publish-error.js';
import { QueueFullError } from '../errors/queue-full-error.js';
import { asMqttError, type FlowContext, observe, type ServerLimits } from './flow-context.js';
import type { InflightMessage, InflightStore } from './inflight-store.js';
import { OfflineQueue } from './offline-queue.js';
import type { PacketIdAllocator } from './packet-id-allocator.js';
import { type PublishResult, type Settle, SUCCESS } from './results.js';
import { TopicAliasSend } from './topic-alias-send.js';

/** A QoS 1/2 message in flight: the stored record plus what only the live session needs. */
interface Inflight extends InflightMessage {
  stage: 'publish' | 'pubrel';
  settle: Settle<PublishResult> | undefined;
  /** Send order, for resending in the original order after a reconnect [MQTT-4.6.0-1]. */
  seq: number;
}

/** A message waiting in the outgoing queue. */
interface Queued {
  packet: PublishPacket;
  settle: Settle<PublishResult> | undefined;
}

/**
 * The client's outgoing PUBLISH flows (QoS 0, 1 and 2; sections 4.3.1 to 4.3.3) and the outgoing queue.
 * In-flight messages sit in an array indexed by Packet Identifier (rumqttc) and are mirrored to the
 * `InflightStore`. A publish is written at once when the connection is up, nothing is queued ahead of
 * it and (QoS > 0) the server's Receive Maximum leaves room; otherwise it waits in the bounded queue.
 */
export class OutboundFlows {
  readonly #ctx: FlowContext;
  readonly #ids: PacketIdAllocator;
  readonly #store: InflightStore;
  readonly #queue: OfflineQueue<Queued>;
  readonly #useAliases: boolean;
  readonly #inflight: (Inflight | undefined)[] = new Array(65536);
  #inflightCount = 0;
  #seq = 0;
  /** The server's limits while online; undefined while offline. */
  #online: ServerLimits | undefined;
  /** The limits of the last connection, kept while offline to refuse impossible messages early. */
  #lastLimits: ServerLimits | undefined;
  #aliases: TopicAliasSend | undefined;
  readonly #onStoreError: (error: Error) => void;

  /** `useAliases` turns on automatic outbound topic aliases (v5) when the server allows them. */
  constructor(
    ctx: FlowContext,
    ids: PacketIdAllocator,
    store: InflightStore,
    queueLimit: number,
    useAliases: boolean,
  ) {
    this.#ctx = ctx;
    this.#ids = ids;
    this.#store = store;
    this.#queue = new OfflineQueue(queueLimit);
    this.#useAliases = useAliases;
    this.#onStoreError = (error) => ctx.error(error);
  }

  /** QoS 1/2 messages sent and not yet fully acknowledged. */
  get inflightCount(): number {
    return this.#inflightCount;
  }

  /** Messages waiting in the outgoing queue. */
  get queueLength(): number {
    return this.#queue.length;
  }

  /** True when a publish would be written now rather than queued (QoS 0; QoS > 0 also needs quota). */
  get canSendNow(): boolean {
    return this.#online !== undefined && this.#queue.length === 0;
  }

  /** Takes over in-flight messages a previous client left in the store. */
  restore(messages: readonly InflightMessage[]): void {
    for (const message of messages) {
      const { packetId, packet } = message;
      if ((packet.qos !== 1 && packet.qos !== 2) || !this.#ids.reserve(packetId)) continue;
      this.#inflight[packetId] = {
        packetId,
        stage: message.stage,
        packet,
        settle: undefined,
        seq: this.#seq++,
      };
      this.#inflightCount++;
    }
  }

  /** A connection was accepted with `limits`: re-send what was in flight, then the queue. */
  online(limits: ServerLimits, sessionPresent: boolean): void {
    this.#online = limits;
    this.#lastLimits = limits;
    this.#aliases =
      this.#useAliases && limits.topicAliasMaximum > 0
        ? new TopicAliasSend(limits.topicAliasMaximum)
        : undefined;
    this.#resend(limits, sessionPresent);
    this.#drain();
  }

  /** The connection is gone: stop writing; in-flight messages and the queue wait for the next one. */
  offline(): void {
    this.#online = undefined;
    this.#aliases = undefined;
  }

  /**
   * Publishes `packet` (its `packetId` is assigned here). Returns an error when it is refused at once
   * (the server's limits, a full queue, encoding); otherwise it is written or queued and `settle`
   * completes when the flow does.
   */
  publish(packet: PublishPacket, settle: Settle<PublishResult> | undefined): MqttError | undefined {
    const limits = this.#online ?? this.#lastLimits;
    if (limits !== undefined) {
      const refusal = this.#checkLimits(packet, limits);
      if (refusal !== undefined) return refusal;
    }
    const online = this.#online;
    if (online === undefined || this.#queue.length > 0 || (packet.qos !== 0 && !this.#hasQuota(online))) {
      return this.#queue.push({ packet, settle })
        ? undefined
        : new QueueFullError('the outgoing queue', this.#queue.limit);
    }
    return this.#send(packet, settle, online);
  }

  /** PUBACK: the end of a QoS 1 flow. */
  onPuback(packetId: number, reasonCode: number, properties: AckProperties | undefined): void {
    const entry = this.#inflight[packetId];
    // An acknowledgement for a flow we do not have (or of the other kind) is late or duplicated: ignore it.
    if (entry === undefined || entry.packet.qos !== 1) return;
    this.#complete(entry, reasonCode, properties);
  }

  /** PUBREC: the middle of a QoS 2 flow; answers PUBREL unless the server refused the message. */
  onPubrec(packetId: number, reasonCode: number, properties: AckProperties | undefined): void {
    const { version } = this.#ctx;
    const entry = this.#inflight[packetId];
    if (entry === undefined || entry.packet.qos !== 2) {
      // Release the server's side of a flow we do not know, saying why in v5 (section 4.3.3).
      const pubrel = version === 5 ? { reasonCode: ReasonCode.PacketIdentifierNotFound } : {};
      this.#ctx.write(encode({ type: 'pubrel', packetId, ...pubrel }, version));
      return;
    }
    if (reasonCode >= 0x80) {
      // A PUBREC with an error code ends the flow: no PUBREL follows (section 4.3.3).
      this.#complete(entry, reasonCode, properties);
      return;
    }
    if (entry.stage === 'publish') {
      entry.stage = 'pubrel';
      observe(this.#store.put(entry), this.#onStoreError);
    }
    this.#ctx.write(encode({ type: 'pubrel', packetId }, version));
  }

  /** PUBCOMP: the end of a QoS 2 flow. */
  onPubcomp(packetId: number, reasonCode: number, properties: AckProperties | undefined): void {
    const entry = this.#inflight[packetId];
    if (entry === undefined || entry.packet.qos !== 2 || entry.stage !== 'pubrel') return;
    this.#complete(entry, reasonCode, properties);
  }

  /** Rejects every in-flight and queued message with `error` and empties the store. */
  failAll(error: Error): void {
    this.offline();
    for (const entry of this.#inflight) {
      if (entry === undefined) continue;
      this.#inflight[entry.packetId] = undefined;
      this.#ids.release(entry.packetId);
      entry.settle?.reject(error);
    }
    this.#inflightCount = 0;
    observe(this.#store.clear(), this.#onStoreError);
    for (const queued of this.#queue.takeAll()) queued.settle?.reject(error);
  }

  /**
   * Re-sends what was in flight, in the original order [MQTT-4.4.0-1]. With the session present,
   * PUBLISH goes again with DUP set, PUBREL as PUBREL. Without it the server forgot the flows: a
   * PUBLISH it never acknowledged is sent again as a new message (so it is not lost), and a QoS 2
   * message it acknowledged with PUBREC is complete, since the server took ownership of it then.
   */
  #resend(limits: ServerLimits, sessionPresent: boolean): void {
    if (this.#inflightCount === 0) return;
    const { version } = this.#ctx;
    const entries = this.#inflight
      .filter((e): e is Inflight => e !== undefined)
      .sort((a, b) => a.seq - b.seq);
    for (const entry of entries) {
      if (entry.stage === 'pubrel') {
        if (sessionPresent) this.#ctx.write(encode({ type: 'pubrel', packetId: entry.packetId }, version));
        else this.#complete(entry, 0, undefined, false);
        continue;
      }
      const packet = withoutAlias(entry.packet, sessionPresent);
      let frame: Uint8Array;
      try {
        frame = encode(packet, version);
      } catch (error) {
        this.#fail(entry, asMqttError(error));
        continue;
      }
      if (frame.length > limits.maximumPacketSize) {
        this.#fail(entry, tooLarge(packet.topic, frame.length, limits));
        continue;
      }
      this.#ctx.write(frame);
    }
  }

  #checkLimits(packet: PublishPacket, limits: ServerLimits): MqttError | undefined {
    if (packet.qos > limits.maximumQoS) {
      // [MQTT-3.2.2-11] A client must not send a PUBLISH above the server's Maximum QoS.
      return new PublishError(packet.topic, ReasonCode.QoSNotSupported, {
        detail: `QoS ${packet.qos} is above the server's Maximum QoS ${limits.maximumQoS}`,
      });
    }
    if (packet.retain && !limits.retainAvailable) {
      // [MQTT-3.2.2-14] No retained PUBLISH when the server has no Retain Available.
      return new PublishError(packet.topic, ReasonCode.RetainNotSupported, {
        detail: 'the server does not support retained messages',
      });
    }
    const alias = packet.properties?.topicAlias;
    if (alias !== undefined && !this.#useAliases && (alias < 1 || alias > limits.topicAliasMaximum)) {
      // [MQTT-3.3.2-8] A Topic Alias is between 1 and the server's Topic Alias Maximum.
      return new PublishError(packet.topic, ReasonCode.TopicAliasInvalid, {
        detail: `Topic Alias ${alias} is outside 1..${limits.topicAliasMaximum}`,
      });
    }
    return undefined;
  }

  #hasQuota(limits: ServerLimits): boolean {
    // [MQTT-4.9.0-2] No more unacknowledged QoS 1/2 PUBLISHes than the server's Receive Maximum.
    return this.#inflightCount < limits.receiveMaximum && this.#ids.inUse < 65535;
  }

  /** Encodes and writes `packet` on the live connection; the caller checked the queue and quota. */
  #send(
    packet: PublishPacket,
    settle: Settle<PublishResult> | undefined,
    limits: ServerLimits,
  ): MqttError | undefined {
    const qos = packet.qos;
    if (qos !== 0) packet.packetId = this.#ids.allocate()!;
    const aliases = this.#aliases;
    // Alias: positive when the topic has one (send an empty topic), negative for a new binding.
    let alias = 0;
    let frame: Uint8Array;
    try {
      if (aliases !== undefined) {
        const known = aliases.get(packet.topic);
        alias = known === undefined ? -aliases.candidate() : known;
      }
      frame = encode(alias === 0 ? packet : aliased(packet, alias), this.#ctx.version);
    } catch (error) {
      if (qos !== 0) this.#ids.release(packet.packetId!);
      return asMqttError(error);
    }
    if (frame.length > limits.maximumPacketSize) {
      if (qos !== 0) this.#ids.release(packet.packetId!);
      return tooLarge(packet.topic, frame.length, limits);
    }
    if (alias < 0) aliases!.bind(packet.topic, -alias);
    if (qos !== 0) {
      const entry: Inflight = {
        packetId: packet.packetId!,
        stage: 'publish',
        packet,
        settle,
        seq: this.#seq++,
      };
      this.#inflight[entry.packetId] = entry;
      this.#inflightCount++;
      observe(this.#store.put(entry), this.#onStoreError);
    }
    this.#ctx.write(frame);
    if (qos === 0) settle?.resolve(SUCCESS);
    return undefined;
  }

  /** Sends queued messages while the connection and the Receive Maximum allow. */
  #drain(): void {
    const queue = this.#queue;
    for (let limits = this.#online; limits !== undefined && queue.length > 0; limits = this.#online) {
      const head = queue.peek()!;
      if (head.packet.qos !== 0 && !this.#hasQuota(limits)) return;
      queue.shift();
      const error = this.#checkLimits(head.packet, limits) ?? this.#send(head.packet, head.settle, limits);
      if (error === undefined) continue;
      if (head.settle !== undefined) head.settle.reject(error);
      else this.#ctx.error(error);
    }
  }

  /** Ends a flow: frees its identifier and slot, settles its promise, lets queued messages through. */
  #complete(entry: Inflight, reasonCode: number, properties: AckProperties | undefined, drain = true): void {
    if (reasonCode >= 0x80) {
      this.#fail(
        entry,
        new PublishError(entry.packet.topic, reasonCode, properties === undefined ? {} : { properties }),
      );
    } else {
      this.#release(entry);
      entry.settle?.resolve(
        reasonCode === 0 && properties === undefined
          ? SUCCESS
          : { reasonCode, ...(properties === undefined ? {} : { properties }) },
      );
    }
    if (drain) this.#drain();
  }

  #fail(entry: Inflight, error: MqttError): void {
    this.#release(entry);
    if (entry.settle !== undefined) entry.settle.reject(error);
    else this.#ctx.error(error);
  }

  #release(entry: Inflight): void {
    this.#inflight[entry.packetId] = undefined;
    this.#inflightCount--;
    this.#ids.release(entry.packetId);
    observe(this.#store.delete(entry.packetId), this.#onStoreError);
  }
}

function tooLarge(topic: string, size: number, limits: ServerLimits): PacketTooLargeError {
  return new PacketTooLargeError(`PUBLISH to '${topic}'`, size, limits.maximumPacketSize);
}

/**
 * The packet to encode when `alias` (positive: bound, negative: new binding) stands for its topic.
 * Built field by field: an object spread here cost more than the whole encode (measured in V8).
 */
function aliased(packet: PublishPacket, alias: number): PublishPacket {
  const properties = packet.properties;
  const topicAlias = alias > 0 ? alias : -alias;
  const out: PublishPacket = {
    type: 'publish',
    topic: alias > 0 ? '' : packet.topic,
    payload: packet.payload,
    qos: packet.qos,
    retain: packet.retain,
    dup: packet.dup,
    properties: properties === undefined ? { topicAlias } : { ...properties, topicAlias },
  };
  if (packet.packetId !== undefined) out.packetId = packet.packetId;
  return out;
}

/** A stored message as sent again: full topic, no alias (aliases end with their connection), DUP as asked. */
function withoutAlias(packet: PublishPacket, dup: boolean): PublishPacket {
  const properties = packet.properties;
  if (properties?.topicAlias === undefined) return packet.dup === dup ? packet : { ...packet, dup };
  const { topicAlias: _dropped, ...rest } = properties;
  return { ...packet, dup, properties: rest };
}
