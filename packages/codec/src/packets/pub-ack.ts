import {
  type AckProperties,
  type ProtocolVersion,
  PUBACK_REASON_CODES,
  PUBREL_REASON_CODES,
  type PubackPacket,
  type PubcompPacket,
  type PubrecPacket,
  type PubrelPacket,
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
import { checkDecodedPacketId, codeTable, requireNoReasonCode, requirePacketId } from './common.js';

/**
 * PUBACK, PUBREC, PUBREL and PUBCOMP (5.0 sections 3.4 to 3.7): the same layout, a Packet Identifier
 * and in 5.0 an optional Reason Code and properties, so one pair of functions serves all four.
 */

/** Any of the four acknowledgements of the QoS 1 and QoS 2 flows. */
export type PubAckPacket = PubackPacket | PubrecPacket | PubrelPacket | PubcompPacket;

const PUBACK_CODES = codeTable(PUBACK_REASON_CODES);
const PUBREL_CODES = codeTable(PUBREL_REASON_CODES);

/** Indexed by packet type number 4..7. */
const NAMES = ['', '', '', '', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP'] as const;
const TYPES = ['', '', '', '', 'puback', 'pubrec', 'pubrel', 'pubcomp'] as const;
const CODES = [
  PUBACK_CODES,
  PUBACK_CODES,
  PUBACK_CODES,
  PUBACK_CODES,
  PUBACK_CODES,
  PUBACK_CODES,
  PUBREL_CODES,
  PUBREL_CODES,
];
/** "The Client or Server sending the X packet MUST use one of the X Reason Codes". */
const CODE_REFS = ['', '', '', '', 'MQTT-3.4.2-1', 'MQTT-3.5.2-1', 'MQTT-3.6.2-1', 'MQTT-3.7.2-1'];

/** Decodes the body of the acknowledgement with packet type number `typeNumber` (4..7). */
export function decodePubAck(r: ByteReader, typeNumber: number, ctx: DecodeContext): PubAckPacket {
  const isV5 = ctx.version === 5;
  const name = NAMES[typeNumber]!;
  const type = TYPES[typeNumber] as PubAckPacket['type'];
  const packetId = r.u16();
  checkDecodedPacketId(packetId, isV5, name);
  // Literals with every field at creation, as in decodePublish: no property array per packet.
  if (!isV5) {
    r.expectEnd(name);
    return { type, packetId } as PubAckPacket;
  }
  // 3.4.2.1: "The Reason Code and Property Length can be omitted if the Reason Code is 0x00 (Success)
  // and there are no Properties"; with Remaining Length 3 only the Property Length is omitted.
  if (r.remaining() === 0) return { type, packetId, reasonCode: 0 } as PubAckPacket;
  const reasonCode = r.u8();
  if (CODES[typeNumber]![reasonCode] !== 1) {
    malformed(`${name} reason code 0x${reasonCode.toString(16)} is not defined`, CODE_REFS[typeNumber]);
  }
  if (r.remaining() === 0) return { type, packetId, reasonCode } as PubAckPacket;
  const properties = readProperties(r, PropertySet.Ack);
  r.expectEnd(name);
  if (properties === undefined) return { type, packetId, reasonCode } as PubAckPacket;
  return { type, packetId, reasonCode, properties: properties as AckProperties } as PubAckPacket;
}

const TYPE_NUMBER: Record<PubAckPacket['type'], number> = { puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7 };

let propertiesBytes = 0;

/** The Remaining Length of an acknowledgement, checking every field. */
export function measurePubAck(p: PubAckPacket, version: ProtocolVersion): number {
  const typeNumber = TYPE_NUMBER[p.type];
  const name = NAMES[typeNumber]!;
  const isV5 = version === 5;
  requirePacketId(p.packetId, isV5, name);
  if (!isV5) {
    requireNoReasonCode(p.reasonCode, name);
    return 2;
  }
  const reasonCode = p.reasonCode ?? 0;
  if (CODES[typeNumber]![reasonCode] !== 1) {
    protocolError(`${name} reason code ${String(reasonCode)} is not allowed`, CODE_REFS[typeNumber]);
  }
  propertiesBytes = propertiesLength(p.properties, PropertySet.Ack);
  // The shortest form the spec allows: 2 bytes for Success without properties, 3 with another code.
  if (propertiesBytes === 0) return reasonCode === 0 ? 2 : 3;
  return 3 + varintSize(propertiesBytes) + propertiesBytes;
}

/** Encodes a PUBACK, PUBREC, PUBREL or PUBCOMP frame. */
export function encodePubAck(p: PubAckPacket, version: ProtocolVersion): Uint8Array {
  const remainingLength = measurePubAck(p, version);
  const w = writer;
  const frame = w.start(1 + varintSize(remainingLength) + remainingLength);
  w.u8(FIRST_BYTE[p.type]);
  w.varint(remainingLength);
  w.u16(p.packetId);
  if (remainingLength > 2) w.u8(p.reasonCode ?? 0);
  if (remainingLength > 3) writeProperties(w, p.properties, PropertySet.Ack, propertiesBytes);
  return frame;
}
