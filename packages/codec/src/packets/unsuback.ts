import {
  type ProtocolVersion,
  UNSUBACK_REASON_CODES,
  type UnsubackPacket,
  type UnsubackProperties,
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

/** UNSUBACK (5.0 section 3.11; 3.1.1 section 3.11, where it carries only the Packet Identifier). */

const CODES = codeTable(UNSUBACK_REASON_CODES);

/** Decodes an UNSUBACK body. */
export function decodeUnsuback(r: ByteReader, ctx: DecodeContext): UnsubackPacket {
  const isV5 = ctx.version === 5;
  const packetId = r.u16();
  checkDecodedPacketId(packetId, isV5, 'UNSUBACK');
  if (!isV5) {
    r.expectEnd('UNSUBACK');
    return { type: 'unsuback', packetId };
  }
  const properties = readProperties(r, PropertySet.Unsuback);
  if (r.remaining() === 0) protocolError('UNSUBACK has no reason codes');
  const reasonCodes: number[] = [];
  while (r.pos < r.end) {
    const code = r.u8();
    if (CODES[code] !== 1)
      malformed(`UNSUBACK reason code 0x${code.toString(16)} is not defined`, 'MQTT-3.11.3-2');
    reasonCodes.push(code);
  }
  const packet: UnsubackPacket = {
    type: 'unsuback',
    packetId,
    reasonCodes: reasonCodes as NonNullable<UnsubackPacket['reasonCodes']>,
  };
  if (properties !== undefined) packet.properties = properties as UnsubackProperties;
  return packet;
}

let propertiesBytes = 0;

/**
 * The Remaining Length of an UNSUBACK, checking every field. Before 5.0 `reasonCodes` and
 * `properties` are ignored: a 3.x UNSUBACK has no payload.
 */
export function measureUnsuback(p: UnsubackPacket, version: ProtocolVersion): number {
  const isV5 = version === 5;
  requirePacketId(p.packetId, isV5, 'UNSUBACK');
  if (!isV5) return 2;
  const codes = p.reasonCodes;
  if (!Array.isArray(codes) || codes.length === 0) {
    throw new TypeError('a 5.0 UNSUBACK needs reasonCodes, one per Topic Filter');
  }
  for (let i = 0; i < codes.length; i++) {
    if (CODES[codes[i]!] !== 1)
      protocolError(`UNSUBACK reason code ${String(codes[i])} is not allowed`, 'MQTT-3.11.3-2');
  }
  propertiesBytes = propertiesLength(p.properties, PropertySet.Unsuback);
  return checkRemainingLength(2 + varintSize(propertiesBytes) + propertiesBytes + codes.length, 'UNSUBACK');
}

/** Encodes an UNSUBACK frame. */
export function encodeUnsuback(p: UnsubackPacket, version: ProtocolVersion): Uint8Array {
  const remainingLength = measureUnsuback(p, version);
  const w = writer;
  const frame = w.start(1 + varintSize(remainingLength) + remainingLength);
  w.u8(FIRST_BYTE.unsuback);
  w.varint(remainingLength);
  w.u16(p.packetId);
  if (version === 5) {
    writeProperties(w, p.properties, PropertySet.Unsuback, propertiesBytes);
    const codes = p.reasonCodes!;
    for (let i = 0; i < codes.length; i++) w.u8(codes[i]!);
  }
  return frame;
}
