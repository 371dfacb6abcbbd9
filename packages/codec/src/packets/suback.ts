import {
  type ProtocolVersion,
  SUBACK_REASON_CODES,
  type SubackPacket,
  type SubackProperties,
  SubackReturnCode,
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
import { checkDecodedPacketId, checkRemainingLength, codeTable, requirePacketId } from './common.js';

/**
 * SUBACK (5.0 section 3.9; 3.1.1 section 3.9). MQTT 3.1 only defined granted QoS 0..2; 0x80 (failure,
 * from 3.1.1) is accepted there too, as brokers send it to 3.1 clients.
 */

const V5_CODES = codeTable(SUBACK_REASON_CODES);
const V3_CODES = codeTable(Object.values(SubackReturnCode));

/** Decodes a SUBACK body. */
export function decodeSuback(r: ByteReader, ctx: DecodeContext): SubackPacket {
  const isV5 = ctx.version === 5;
  const packetId = r.u16();
  checkDecodedPacketId(packetId, isV5, 'SUBACK');
  const properties = isV5 ? readProperties(r, PropertySet.Suback) : undefined;
  // One code per Topic Filter of the SUBSCRIBE, which had at least one.
  if (r.remaining() === 0) protocolError('SUBACK has no reason codes');
  const table = isV5 ? V5_CODES : V3_CODES;
  const reasonCodes: number[] = [];
  while (r.pos < r.end) {
    const code = r.u8();
    if (table[code] !== 1) malformed(`SUBACK code 0x${code.toString(16)} is not defined`, 'MQTT-3.9.3-2');
    reasonCodes.push(code);
  }
  const packet: SubackPacket = {
    type: 'suback',
    packetId,
    reasonCodes: reasonCodes as SubackPacket['reasonCodes'],
  };
  if (properties !== undefined) packet.properties = properties as SubackProperties;
  return packet;
}

let propertiesBytes = 0;

/** The Remaining Length of a SUBACK, checking every field. */
export function measureSuback(p: SubackPacket, version: ProtocolVersion): number {
  const isV5 = version === 5;
  requirePacketId(p.packetId, isV5, 'SUBACK');
  const codes = p.reasonCodes;
  if (!Array.isArray(codes) || codes.length === 0)
    protocolError('SUBACK needs one reason code per Topic Filter');
  const table = isV5 ? V5_CODES : V3_CODES;
  for (let i = 0; i < codes.length; i++) {
    if (table[codes[i]!] !== 1)
      protocolError(`SUBACK code ${String(codes[i])} is not allowed`, 'MQTT-3.9.3-2');
  }
  let length = 2 + codes.length;
  if (isV5) {
    propertiesBytes = propertiesLength(p.properties, PropertySet.Suback);
    length += varintSize(propertiesBytes) + propertiesBytes;
  }
  return checkRemainingLength(length, 'SUBACK');
}

/** Encodes a SUBACK frame. */
export function encodeSuback(p: SubackPacket, version: ProtocolVersion): Uint8Array {
  const remainingLength = measureSuback(p, version);
  const w = writer;
  const frame = w.start(1 + varintSize(remainingLength) + remainingLength);
  w.u8(FIRST_BYTE.suback);
  w.varint(remainingLength);
  w.u16(p.packetId);
  if (version === 5) writeProperties(w, p.properties, PropertySet.Suback, propertiesBytes);
  const codes = p.reasonCodes;
  for (let i = 0; i < codes.length; i++) w.u8(codes[i]!);
  return frame;
}
