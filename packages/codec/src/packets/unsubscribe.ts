import type { ProtocolVersion, UnsubscribePacket, UnsubscribeProperties } from '@mqttkit/types';
import type { ByteReader } from '../byte-reader.js';
import { writer } from '../byte-writer.js';
import type { DecodeContext } from '../decode-context.js';
import { protocolError } from '../errors.js';
import { FIRST_BYTE } from '../frame.js';
import { readProperties } from '../properties/read.js';
import { PropertySet } from '../properties/table.js';
import { propertiesLength, writeProperties } from '../properties/write.js';
import { varintSize } from '../varint.js';
import { checkDecodedPacketId, checkRemainingLength, measureString, requirePacketId } from './common.js';

/** UNSUBSCRIBE (5.0 section 3.10; 3.1.1 section 3.10). */

/** Decodes an UNSUBSCRIBE body. */
export function decodeUnsubscribe(r: ByteReader, ctx: DecodeContext): UnsubscribePacket {
  const isV5 = ctx.version === 5;
  const packetId = r.u16();
  checkDecodedPacketId(packetId, isV5, 'UNSUBSCRIBE');
  const properties = isV5 ? readProperties(r, PropertySet.Unsubscribe) : undefined;
  // 5.0 3.10.3: "An UNSUBSCRIBE packet with no Payload is a Protocol Error".
  if (r.remaining() === 0) protocolError('UNSUBSCRIBE has no Topic Filter', 'MQTT-3.10.3-2');
  const topicFilters: string[] = [];
  while (r.pos < r.end) topicFilters.push(r.utf8());
  const packet: UnsubscribePacket = { type: 'unsubscribe', packetId, topicFilters };
  if (properties !== undefined) packet.properties = properties as UnsubscribeProperties;
  return packet;
}

let propertiesBytes = 0;
const filterLengths: number[] = [];

/** The Remaining Length of an UNSUBSCRIBE, checking every field. */
export function measureUnsubscribe(p: UnsubscribePacket, version: ProtocolVersion): number {
  const isV5 = version === 5;
  requirePacketId(p.packetId, isV5, 'UNSUBSCRIBE');
  const filters = p.topicFilters;
  if (!Array.isArray(filters) || filters.length === 0) {
    protocolError('UNSUBSCRIBE needs at least one Topic Filter', 'MQTT-3.10.3-2');
  }
  let length = 2;
  for (let i = 0; i < filters.length; i++) {
    const filterLength = measureString(filters[i], 'topicFilter', isV5);
    filterLengths[i] = filterLength;
    length += 2 + filterLength;
  }
  if (isV5) {
    propertiesBytes = propertiesLength(p.properties, PropertySet.Unsubscribe);
    length += varintSize(propertiesBytes) + propertiesBytes;
  }
  return checkRemainingLength(length, 'UNSUBSCRIBE');
}

/** Encodes an UNSUBSCRIBE frame. */
export function encodeUnsubscribe(p: UnsubscribePacket, version: ProtocolVersion): Uint8Array {
  const remainingLength = measureUnsubscribe(p, version);
  const w = writer;
  const frame = w.start(1 + varintSize(remainingLength) + remainingLength);
  w.u8(FIRST_BYTE.unsubscribe);
  w.varint(remainingLength);
  w.u16(p.packetId);
  if (version === 5) writeProperties(w, p.properties, PropertySet.Unsubscribe, propertiesBytes);
  const filters = p.topicFilters;
  for (let i = 0; i < filters.length; i++) w.string(filters[i]!, filterLengths[i]!);
  return frame;
}
