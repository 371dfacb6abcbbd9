import { encode } from '@mqttkit/codec';
import { MqttError, type PublishPacket, ReasonCode } from '@mqttkit/types';
import type { FlowContext } from './flow-context.js';
import { TopicAliasRecv } from './topic-alias-recv.js';

/**
 * The client's incoming PUBLISH flows. QoS 1 is acknowledged at once; QoS 2 uses method B of section
 * 4.3.3: the message is delivered on PUBLISH and its identifier remembered (one byte per identifier)
 * until PUBREL, so a re-sent PUBLISH with DUP is answered but not delivered twice.
 */
export class InboundFlows {
  readonly #ctx: FlowContext;
  readonly #deliver: (message: PublishPacket) => void;
  readonly #receiveMaximum: number;
  readonly #topicAliasMaximum: number;
  readonly #qos2 = new Uint8Array(65536);
  #qos2Count = 0;
  #aliases: TopicAliasRecv;

  /** `receiveMaximum` and `topicAliasMaximum` are what the client announced in CONNECT. */
  constructor(
    ctx: FlowContext,
    deliver: (message: PublishPacket) => void,
    receiveMaximum: number,
    topicAliasMaximum: number,
  ) {
    this.#ctx = ctx;
    this.#deliver = deliver;
    this.#receiveMaximum = receiveMaximum;
    this.#topicAliasMaximum = topicAliasMaximum;
    this.#aliases = new TopicAliasRecv(topicAliasMaximum);
  }

  /** A new connection: topic aliases start over. */
  newConnection(): void {
    this.#aliases = new TopicAliasRecv(this.#topicAliasMaximum);
  }

  /** The server has no session for us: forget the QoS 2 identifiers it will never release. */
  sessionLost(): void {
    if (this.#qos2Count === 0) return;
    this.#qos2.fill(0);
    this.#qos2Count = 0;
  }

  /** An incoming PUBLISH: resolve its alias, deliver it once, acknowledge it for its QoS. */
  onPublish(packet: PublishPacket): void {
    const alias = packet.properties?.topicAlias;
    if (alias !== undefined) {
      const topic = this.#aliases.resolve(packet.topic, alias);
      if (typeof topic !== 'string') {
        this.#ctx.protocolError(topic);
        return;
      }
      packet.topic = topic;
    }
    const { version } = this.#ctx;
    const id = packet.packetId!;
    if (packet.qos === 0) {
      this.#deliver(packet);
    } else if (packet.qos === 1) {
      this.#deliver(packet);
      this.#ctx.write(encode({ type: 'puback', packetId: id }, version));
    } else {
      if (this.#qos2[id] === 0) {
        if (this.#qos2Count >= this.#receiveMaximum) {
          // [MQTT-3.3.4-9] The server must not exceed the client's Receive Maximum.
          this.#ctx.protocolError(
            new MqttError(
              'RECEIVE_MAXIMUM_EXCEEDED',
              `more than ${this.#receiveMaximum} QoS 2 messages in flight`,
              {
                specRef: 'MQTT-3.3.4-9',
              },
            ),
          );
          return;
        }
        this.#qos2[id] = 1;
        this.#qos2Count++;
        this.#deliver(packet);
      }
      this.#ctx.write(encode({ type: 'pubrec', packetId: id }, version));
    }
  }

  /** PUBREL: forget the identifier and complete with PUBCOMP. */
  onPubrel(packetId: number): void {
    const { version } = this.#ctx;
    if (this.#qos2[packetId] === 1) {
      this.#qos2[packetId] = 0;
      this.#qos2Count--;
      this.#ctx.write(encode({ type: 'pubcomp', packetId }, version));
      return;
    }
    // Unknown identifier: complete anyway so the server frees it; v5 says why (section 4.3.3).
    const pubcomp = version === 5 ? { reasonCode: ReasonCode.PacketIdentifierNotFound } : {};
    this.#ctx.write(encode({ type: 'pubcomp', packetId, ...pubcomp }, version));
  }
}
