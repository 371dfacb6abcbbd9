import { isUtf8 } from 'node:buffer';
import {
  MqttError,
  PUBACK_REASON_CODES,
  type PubackPacket,
  type PubackReasonCode,
  type PublishPacket,
  type PublishProperties,
  type PubrecPacket,
  type PubrelPacket,
  ReasonCode,
} from '@mqttkit/types';
import type { Decision } from '../hooks/hook.js';
import { isPromise } from '../hooks/hook-registry.js';
import { createMessage, type ForwardedProperties } from '../router/message.js';
import type { Connection } from './connection.js';

/**
 * PUBLISH from a client: resolve the topic alias, enforce the advertised capabilities, ask the ACL
 * hooks, route, and acknowledge. QoS 2 uses the spec's "method B" (section 4.3.3): the message is
 * routed on PUBLISH and its packet id remembered until PUBREL, so a resent PUBLISH is not routed twice.
 */
export function handlePublish(conn: Connection, packet: PublishPacket): void {
  const core = conn.core;
  const limits = conn.limits;
  const session = conn.session!;
  core.stats.messagesReceived++;

  let topic = packet.topic;
  const alias = packet.properties?.topicAlias;
  if (alias !== undefined) {
    const aliases = conn.v5?.inboundAliases;
    if (aliases === undefined || !aliases.isValid(alias)) {
      // An alias above the Topic Alias Maximum the broker advertised [MQTT-3.3.2-9].
      conn.failWith(
        new MqttError('TOPIC_ALIAS_INVALID', `topic alias ${alias} out of range`, {
          specRef: 'MQTT-3.3.2-9',
        }),
      );
      return;
    }
    if (topic.length === 0) {
      const known = aliases.get(alias);
      if (known === undefined) {
        conn.failWith(
          new MqttError('PROTOCOL_ERROR', `topic alias ${alias} was never set`, { specRef: 'MQTT-3.3.2-12' }),
        );
        return;
      }
      topic = known;
    } else {
      aliases.set(alias, topic);
    }
  }
  if (
    // UTF-8 takes at most 3 bytes per UTF-16 unit, so most topics skip measuring.
    (topic.length * 3 > limits.maximumTopicLength && Buffer.byteLength(topic) > limits.maximumTopicLength) ||
    // A topic has at most length + 1 levels, so short topics skip the count.
    (topic.length >= limits.maximumTopicLevels && countLevels(topic) > limits.maximumTopicLevels)
  ) {
    conn.failWith(
      new MqttError('TOPIC_NAME_INVALID', 'topic name beyond the configured length or level limit'),
    );
    return;
  }
  const qos = packet.qos;
  if (qos > limits.maximumQoS) {
    conn.failWith(
      new MqttError('QOS_NOT_SUPPORTED', `QoS ${qos} above maximum ${limits.maximumQoS}`, {
        specRef: 'MQTT-3.2.2-11',
      }),
    );
    return;
  }
  if (packet.retain && !limits.retainAvailable) {
    conn.failWith(
      new MqttError('RETAIN_NOT_SUPPORTED', 'retained messages are not available', {
        specRef: 'MQTT-3.2.2-14',
      }),
    );
    return;
  }
  if (qos === 2 && session.inboundQos2Count > 0 && session.inboundQos2.has(packet.packetId!)) {
    // A resent PUBLISH of a message already received: acknowledge again, never route twice [MQTT-4.3.3-9].
    conn.writeAck({ type: 'pubrec', packetId: packet.packetId!, reasonCode: 0 });
    return;
  }
  if (qos > 0 && session.inboundQos2Count >= limits.receiveMaximum) {
    // More unacknowledged QoS 1/2 PUBLISHes than the Receive Maximum the broker advertised [MQTT-3.3.4-9].
    conn.failWith(
      new MqttError('RECEIVE_MAXIMUM_EXCEEDED', 'Receive Maximum exceeded', { specRef: 'MQTT-3.3.4-9' }),
    );
    return;
  }
  if (
    limits.validatePayloadFormat &&
    packet.properties?.payloadFormatIndicator === true &&
    !isUtf8(packet.payload)
  ) {
    refuse(
      conn,
      packet,
      ReasonCode.PayloadFormatInvalid,
      'payload is not valid UTF-8 as its format indicator says',
    );
    return;
  }
  if (isSysTopic(topic)) {
    // Clients may not publish into the broker's own $SYS tree.
    refuse(conn, packet, ReasonCode.NotAuthorized, 'clients may not publish to $SYS topics');
    return;
  }
  const hooks = core.hooks;
  if (!hooks.has('authorizePublish')) {
    accept(conn, packet, topic);
    return;
  }
  const decision = hooks.authorizePublish({
    client: conn.info,
    topic,
    qos,
    retain: packet.retain,
    payload: packet.payload,
    properties: packet.properties,
    isWill: false,
  });
  if (!isPromise(decision)) {
    decide(conn, packet, topic, decision);
    return;
  }
  // Later packets wait, so messages from one client keep their order [MQTT-4.6.0-6].
  conn.suspend();
  void decision.then((answer) => {
    if (conn.state !== 'closed') decide(conn, packet, topic, answer);
    conn.resume();
  });
}

function decide(conn: Connection, packet: PublishPacket, topic: string, decision: Decision): void {
  if (decision === 'allow') {
    accept(conn, packet, topic);
    return;
  }
  const code = typeof decision === 'object' ? failureCode(decision.deny) : ReasonCode.NotAuthorized;
  refuse(conn, packet, code, typeof decision === 'object' ? decision.reasonString : undefined);
}

const pubackCodes: ReadonlySet<number> = new Set(PUBACK_REASON_CODES);

/**
 * A hook's deny code as a PUBACK/PUBREC failure code: one the packet allows [MQTT-3.4.2-1] and at least
 * 0x80 (a success code would acknowledge a dropped message); anything else becomes 0x80.
 */
function failureCode(code: number): number {
  return code >= 0x80 && pubackCodes.has(code) ? code : ReasonCode.UnspecifiedError;
}

// Fixed header, packet id, reason code, property length, and the reason string's id and length prefix.
const ACK_OVERHEAD = 16;

/**
 * A PUBLISH the broker will not route. v5 says why in the PUBACK/PUBREC [MQTT-3.4.2-1]; 3.x has no
 * negative acknowledgement, so the flow completes normally and the message is dropped. QoS 0 and a
 * v5 client that sent invalid UTF-8 at QoS 0 get a DISCONNECT for the latter only.
 */
function refuse(
  conn: Connection,
  packet: PublishPacket,
  reasonCode: number,
  reasonString: string | undefined,
): void {
  const isV5 = conn.protocolVersion === 5;
  // A reason string only when the client asked for problem information [MQTT-3.1.2-29] and it keeps the
  // ack within the client's Maximum Packet Size [MQTT-3.4.2-2], [MQTT-3.5.2-2] (UTF-8: at most 3 bytes a
  // UTF-16 unit; 16 covers fixed header, packet id, reason code and property headers).
  const properties =
    isV5 &&
    (conn.v5?.problemInformation ?? true) &&
    reasonString !== undefined &&
    reasonString.length * 3 + ACK_OVERHEAD <= conn.clientMaximumPacketSize
      ? { reasonString }
      : undefined;
  switch (packet.qos) {
    case 0:
      if (isV5 && reasonCode === ReasonCode.PayloadFormatInvalid) {
        conn.failWith(MqttError.fromReasonCode(reasonCode, reasonString ?? 'payload format invalid'));
      }
      return;
    case 1:
      conn.writeAck(ack('puback', packet.packetId!, isV5 ? reasonCode : 0, properties));
      return;
    case 2:
      if (!isV5) rememberQos2(conn, packet.packetId!);
      conn.writeAck(ack('pubrec', packet.packetId!, isV5 ? reasonCode : 0, properties));
  }
}

function accept(conn: Connection, packet: PublishPacket, topic: string): void {
  const core = conn.core;
  const now = core.clock.now();
  const properties = packet.properties;
  let forwarded: ForwardedProperties | undefined;
  let expiresAt: number | undefined;
  if (properties !== undefined) {
    forwarded = forwardedProperties(properties);
    if (properties.messageExpiryInterval !== undefined)
      expiresAt = now + properties.messageExpiryInterval * 1000;
  }
  const message = createMessage(
    core.nextMessageId(),
    topic,
    packet.payload,
    packet.qos,
    packet.retain,
    forwarded,
    expiresAt,
    conn.client.id,
  );
  const deliveries = core.publishMessage(message, conn.session, conn.info, false);
  if (packet.qos === 0) return;
  // v5 tells the publisher when nobody received it; still a success code.
  const code = conn.protocolVersion === 5 && deliveries === 0 ? ReasonCode.NoMatchingSubscribers : 0;
  if (packet.qos === 1) {
    conn.writeAck(ack('puback', packet.packetId!, code, undefined));
    return;
  }
  rememberQos2(conn, packet.packetId!);
  conn.writeAck(ack('pubrec', packet.packetId!, code, undefined));
}

/** PUBREL from the client releases a QoS 2 packet id; PUBCOMP answers [MQTT-4.3.3-11]. */
export function handlePubrel(conn: Connection, packet: PubrelPacket): void {
  const session = conn.session!;
  const known = session.inboundQos2Count > 0 && session.inboundQos2.delete(packet.packetId);
  if (known) conn.core.sessions.persistInbound(session, packet.packetId, false);
  // An unknown id still gets PUBCOMP; v5 says it was not found [MQTT-3.7.2-1].
  const reasonCode = known || conn.protocolVersion !== 5 ? 0 : ReasonCode.PacketIdentifierNotFound;
  conn.writePacket({ type: 'pubcomp', packetId: packet.packetId, reasonCode: reasonCode as 0 });
}

function rememberQos2(conn: Connection, packetId: number): void {
  const session = conn.session!;
  session.inboundQos2.add(packetId);
  conn.core.sessions.persistInbound(session, packetId, true);
}

function ack(
  type: 'puback' | 'pubrec',
  packetId: number,
  reasonCode: number,
  properties: { reasonString: string } | undefined,
): PubackPacket | PubrecPacket {
  const packet: PubackPacket | PubrecPacket = { type, packetId, reasonCode: reasonCode as PubackReasonCode };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

/** The publisher's properties minus what is per connection (alias) or re-derived (expiry). */
function forwardedProperties(properties: PublishProperties): ForwardedProperties | undefined {
  const {
    topicAlias: _alias,
    messageExpiryInterval: _expiry,
    subscriptionIdentifiers: _ids,
    ...rest
  } = properties;
  for (const _key in rest) return rest;
  return undefined;
}

/** True for `$SYS` and topics under `$SYS/`: the broker's own tree, which clients may not publish into. */
export function isSysTopic(topic: string): boolean {
  return topic.startsWith('$SYS') && (topic.length === 4 || topic.charCodeAt(4) === 0x2f);
}

function countLevels(topic: string): number {
  let levels = 1;
  for (let i = 0; i < topic.length; i++) if (topic.charCodeAt(i) === 0x2f) levels++;
  return levels;
}
