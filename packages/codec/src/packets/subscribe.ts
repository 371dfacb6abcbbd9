import type {
  ProtocolVersion,
  QoS,
  SubscribePacket,
  SubscribeProperties,
  Subscription,
} from '@mqttkit/types';
import type { ByteReader } from '../byte-reader.js';
import { writer } from '../byte-writer.js';
import type { DecodeContext } from '../decode-context.js';
import { malformed, protocolError } from '../errors.js';
import { FIRST_BYTE } from '../frame.js';
import { readProperties } from '../properties/read.js';
import { PropertySet } from '../properties/table.js';
import { propertiesLength, writeProperties } from '../properties/write.js';
import { varintSize } from '../varint.js';
import {
  checkDecodedPacketId,
  checkRemainingLength,
  measureString,
  requirePacketId,
  requireQos,
} from './common.js';

/**
 * SUBSCRIBE (5.0 section 3.8; 3.1.1 section 3.8). Topic Filter syntax is not checked here: in 5.0 an
 * invalid filter is answered per filter in SUBACK (0x8F), which is the broker's decision.
 */

const SHARE_PREFIX = '$share/';

function emptyRef(isV5: boolean): string {
  return isV5 ? 'MQTT-3.8.3-2' : 'MQTT-3.8.3-3';
}

/** Decodes a SUBSCRIBE body. */
export function decodeSubscribe(r: ByteReader, ctx: DecodeContext): SubscribePacket {
  const isV5 = ctx.version === 5;
  const packetId = r.u16();
  checkDecodedPacketId(packetId, isV5, 'SUBSCRIBE');
  const properties = isV5 ? readProperties(r, PropertySet.Subscribe) : undefined;
  if (r.remaining() === 0) protocolError('SUBSCRIBE has no Topic Filter', emptyRef(isV5));
  const subscriptions: Subscription[] = [];
  while (r.pos < r.end) {
    const topicFilter = r.utf8();
    const options = r.u8();
    const qos = options & 3;
    if (isV5) {
      if ((options & 0xc0) !== 0) malformed('SUBSCRIBE options reserved bits are set', 'MQTT-3.8.3-5');
      // 3.8.3.1: "It is a Protocol Error if the Maximum QoS field has the value 3" and "It is a
      // Protocol Error to send a Retain Handling value of 3".
      if (qos === 3) protocolError('SUBSCRIBE Maximum QoS is 3');
      const retainHandling = (options >>> 4) & 3;
      if (retainHandling === 3) protocolError('SUBSCRIBE Retain Handling is 3');
      const noLocal = (options & 4) !== 0;
      if (noLocal && topicFilter.startsWith(SHARE_PREFIX)) {
        protocolError('No Local is set on a Shared Subscription', 'MQTT-3.8.3-4');
      }
      subscriptions.push({
        topicFilter,
        qos: qos as QoS,
        noLocal,
        retainAsPublished: (options & 8) !== 0,
        retainHandling: retainHandling as 0 | 1 | 2,
      });
    } else {
      // 3.1.1 [MQTT-3.8.3-4]: reserved bits non-zero, or QoS not 0, 1 or 2, is malformed.
      if ((options & 0xfc) !== 0) malformed('SUBSCRIBE Requested QoS reserved bits are set', 'MQTT-3.8.3-4');
      if (qos === 3) malformed('SUBSCRIBE Requested QoS is 3', 'MQTT-3.8.3-4');
      subscriptions.push({ topicFilter, qos: qos as QoS });
    }
  }
  const packet: SubscribePacket = { type: 'subscribe', packetId, subscriptions };
  if (properties !== undefined) packet.properties = properties as SubscribeProperties;
  return packet;
}

let propertiesBytes = 0;
// Filter lengths measured for the write pass; grown on demand, never shrunk.
const filterLengths: number[] = [];

/** The Remaining Length of a SUBSCRIBE, checking every field. */
export function measureSubscribe(p: SubscribePacket, version: ProtocolVersion): number {
  const isV5 = version === 5;
  requirePacketId(p.packetId, isV5, 'SUBSCRIBE');
  const subscriptions = p.subscriptions;
  if (!Array.isArray(subscriptions) || subscriptions.length === 0) {
    protocolError('SUBSCRIBE needs at least one subscription', emptyRef(isV5));
  }
  let length = 2;
  for (let i = 0; i < subscriptions.length; i++) {
    const s = subscriptions[i]!;
    requireQos(s.qos, 'subscription qos');
    const filterLength = measureString(s.topicFilter, 'topicFilter', isV5);
    filterLengths[i] = filterLength;
    length += 2 + filterLength + 1;
    const retainHandling = s.retainHandling ?? 0;
    if (isV5) {
      if (retainHandling !== 0 && retainHandling !== 1 && retainHandling !== 2) {
        throw new TypeError(`retainHandling must be 0, 1 or 2, got ${String(retainHandling)}`);
      }
      if (s.noLocal === true && s.topicFilter.startsWith(SHARE_PREFIX)) {
        protocolError('No Local cannot be set on a Shared Subscription', 'MQTT-3.8.3-4');
      }
    } else if (s.noLocal === true || s.retainAsPublished === true || retainHandling !== 0) {
      protocolError('subscription options other than QoS need MQTT 5.0');
    }
  }
  if (isV5) {
    propertiesBytes = propertiesLength(p.properties, PropertySet.Subscribe);
    length += varintSize(propertiesBytes) + propertiesBytes;
  }
  return checkRemainingLength(length, 'SUBSCRIBE');
}

/** Encodes a SUBSCRIBE frame. */
export function encodeSubscribe(p: SubscribePacket, version: ProtocolVersion): Uint8Array {
  const remainingLength = measureSubscribe(p, version);
  const w = writer;
  const frame = w.start(1 + varintSize(remainingLength) + remainingLength);
  w.u8(FIRST_BYTE.subscribe);
  w.varint(remainingLength);
  w.u16(p.packetId);
  if (version === 5) writeProperties(w, p.properties, PropertySet.Subscribe, propertiesBytes);
  const subscriptions = p.subscriptions;
  for (let i = 0; i < subscriptions.length; i++) {
    const s = subscriptions[i]!;
    w.string(s.topicFilter, filterLengths[i]!);
    let options: number = s.qos;
    if (version === 5) {
      if (s.noLocal === true) options |= 4;
      if (s.retainAsPublished === true) options |= 8;
      options |= (s.retainHandling ?? 0) << 4;
    }
    w.u8(options);
  }
  return frame;
}
