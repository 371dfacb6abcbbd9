import type { ProtocolVersion, PublishPacket, PublishProperties, QoS } from '@mqttkit/types';
import type { ByteReader } from '../byte-reader.js';
import { writer } from '../byte-writer.js';
import type { DecodeContext } from '../decode-context.js';
import { fail, malformed, protocolError } from '../errors.js';
import { readProperties } from '../properties/read.js';
import { PropertySet } from '../properties/table.js';
import { propertiesLength, writeProperties } from '../properties/write.js';
import { varintSize } from '../varint.js';
import {
  checkDecodedPacketId,
  checkRemainingLength,
  hasWildcard,
  measureString,
  requirePacketId,
  requireQos,
} from './common.js';

/** PUBLISH (5.0 section 3.3; 3.1.1 section 3.3): the hot path in both directions. */

/** Decodes a PUBLISH body; byte 1 (already checked by `checkFirstByte`) carries DUP, QoS and RETAIN. */
export function decodePublish(r: ByteReader, firstByte: number, ctx: DecodeContext): PublishPacket {
  const isV5 = ctx.version === 5;
  const qos = ((firstByte >>> 1) & 3) as QoS;
  const topic = r.utf8();
  // The identifier is present exactly when QoS > 0 [MQTT-2.2.1-2].
  let packetId = 0;
  if (qos !== 0) {
    packetId = r.u16();
    checkDecodedPacketId(packetId, isV5, 'PUBLISH');
  }
  let properties: Record<string, unknown> | undefined;
  if (isV5) {
    properties = readProperties(r, PropertySet.Publish);
    if (properties !== undefined) checkV5Properties(properties, ctx.isServer);
  }
  if (topic.length === 0) {
    // 5.0 3.3.2.1: "It is a Protocol Error if the Topic Name is zero length and there is no Topic Alias".
    if (!isV5) fail('TOPIC_NAME_INVALID', 'PUBLISH Topic Name is empty', 'MQTT-4.7.3-1');
    if (properties === undefined || properties.topicAlias === undefined) {
      protocolError('PUBLISH has an empty Topic Name and no Topic Alias');
    }
  } else if (hasWildcard(topic)) {
    fail('TOPIC_NAME_INVALID', 'PUBLISH Topic Name contains a wildcard character', 'MQTT-3.3.2-2');
  }
  const payload = r.rest();
  const retain = (firstByte & 1) !== 0;
  const dup = (firstByte & 8) !== 0;
  // One literal per shape, every field set at creation: adding a property later would make V8
  // allocate an out-of-object property array for each packet.
  if (properties === undefined) {
    return qos === 0
      ? { type: 'publish', topic, payload, qos, retain, dup }
      : { type: 'publish', topic, payload, qos, retain, dup, packetId };
  }
  const props = properties as PublishProperties;
  return qos === 0
    ? { type: 'publish', topic, payload, qos, retain, dup, properties: props }
    : { type: 'publish', topic, payload, qos, retain, dup, packetId, properties: props };
}

function checkV5Properties(properties: Record<string, unknown>, isServer: boolean): void {
  if (isServer && properties.subscriptionIdentifiers !== undefined) {
    protocolError('a client sent a PUBLISH with a Subscription Identifier', 'MQTT-3.3.4-6');
  }
  const responseTopic = properties.responseTopic;
  if (typeof responseTopic === 'string' && hasWildcard(responseTopic)) {
    protocolError('PUBLISH Response Topic contains a wildcard character', 'MQTT-3.3.2-14');
  }
}

// Measured by measurePublish for the write pass that follows it.
let topicLength = 0;
let propertiesBytes = 0;

/** The Remaining Length of a PUBLISH, checking every field. */
export function measurePublish(p: PublishPacket, version: ProtocolVersion): number {
  const isV5 = version === 5;
  const qos = requireQos(p.qos, 'PUBLISH qos');
  const topic = p.topic;
  topicLength = measureString(topic, 'PUBLISH topic', isV5);
  if (topicLength === 0) {
    if (!isV5) fail('TOPIC_NAME_INVALID', 'PUBLISH topic is empty', 'MQTT-4.7.3-1');
    if (p.properties?.topicAlias === undefined) protocolError('an empty PUBLISH topic needs a Topic Alias');
  } else if (hasWildcard(topic)) {
    fail('TOPIC_NAME_INVALID', 'PUBLISH topic contains a wildcard character', 'MQTT-3.3.2-2');
  }
  // The payload is the rest of the packet, not Binary Data: no 65,535-byte limit of its own.
  if (!(p.payload instanceof Uint8Array)) throw new TypeError('PUBLISH payload must be a Uint8Array');
  let length = 2 + topicLength + p.payload.length;
  if (qos !== 0) {
    requirePacketId(p.packetId, isV5, 'PUBLISH at QoS > 0');
    length += 2;
  } else if (p.dup) {
    malformed('PUBLISH at QoS 0 cannot set DUP', 'MQTT-3.3.1-2');
  }
  if (isV5) {
    const properties = p.properties;
    if (properties === undefined) {
      propertiesBytes = 0;
      length += 1;
    } else {
      const responseTopic = properties.responseTopic;
      if (typeof responseTopic === 'string' && hasWildcard(responseTopic)) {
        protocolError('PUBLISH Response Topic contains a wildcard character', 'MQTT-3.3.2-14');
      }
      propertiesBytes = propertiesLength(properties, PropertySet.Publish);
      length += varintSize(propertiesBytes) + propertiesBytes;
    }
  }
  return checkRemainingLength(length, 'PUBLISH');
}

/**
 * Encodes a PUBLISH frame. `packetId` is ignored at QoS 0 (the identifier does not exist there) and
 * `properties` before 5.0 (3.x has no way to carry them).
 */
export function encodePublish(p: PublishPacket, version: ProtocolVersion): Uint8Array {
  const remainingLength = measurePublish(p, version);
  const w = writer;
  const frame = w.start(1 + varintSize(remainingLength) + remainingLength);
  w.u8(0x30 | (p.dup ? 8 : 0) | (p.qos << 1) | (p.retain ? 1 : 0));
  w.varint(remainingLength);
  w.string(p.topic, topicLength);
  if (p.qos !== 0) w.u16(p.packetId as number);
  if (version === 5) writeProperties(w, p.properties, PropertySet.Publish, propertiesBytes);
  w.bytes(p.payload);
  return frame;
}
