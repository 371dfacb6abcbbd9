import {
  DISCONNECT_REASON_CODES,
  type DisconnectPacket,
  type DisconnectProperties,
  type ProtocolVersion,
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
import { checkRemainingLength, codeTable, requireNoReasonCode } from './common.js';

/** DISCONNECT (5.0 section 3.14, sent by either side; 3.1.1 section 3.14, client only, empty). */

const CODES = codeTable(DISCONNECT_REASON_CODES);

/** Decodes a DISCONNECT body. */
export function decodeDisconnect(r: ByteReader, ctx: DecodeContext): DisconnectPacket {
  if (ctx.version !== 5) {
    r.expectEnd('DISCONNECT');
    return { type: 'disconnect' };
  }
  // 3.14.2.1: "If the Remaining Length is less than 1 the value of 0x00 (Normal disconnection) is used".
  if (r.remaining() === 0) return { type: 'disconnect', reasonCode: 0 };
  const reasonCode = r.u8();
  if (CODES[reasonCode] !== 1) {
    malformed(`DISCONNECT reason code 0x${reasonCode.toString(16)} is not defined`, 'MQTT-3.14.2-1');
  }
  const packet: DisconnectPacket = {
    type: 'disconnect',
    reasonCode: reasonCode as DisconnectPacket['reasonCode'] & number,
  };
  // 3.14.2.2.1: "If the Remaining Length is less than 2, a value of 0 is used" for the Property Length.
  if (r.remaining() === 0) return packet;
  const properties = readProperties(r, PropertySet.Disconnect);
  r.expectEnd('DISCONNECT');
  if (properties !== undefined) {
    if (!ctx.isServer && properties.sessionExpiryInterval !== undefined) {
      protocolError('a server sent Session Expiry Interval in DISCONNECT', 'MQTT-3.14.2-2');
    }
    packet.properties = properties as DisconnectProperties;
  }
  return packet;
}

let propertiesBytes = 0;

/** The Remaining Length of a DISCONNECT, checking every field (`properties` are ignored before 5.0). */
export function measureDisconnect(p: DisconnectPacket, version: ProtocolVersion): number {
  if (version !== 5) {
    requireNoReasonCode(p.reasonCode, 'DISCONNECT');
    return 0;
  }
  const reasonCode = p.reasonCode ?? 0;
  if (CODES[reasonCode] !== 1)
    protocolError(`DISCONNECT reason code ${String(reasonCode)} is not allowed`, 'MQTT-3.14.2-1');
  propertiesBytes = propertiesLength(p.properties, PropertySet.Disconnect);
  if (propertiesBytes === 0) return reasonCode === 0 ? 0 : 1;
  return checkRemainingLength(1 + varintSize(propertiesBytes) + propertiesBytes, 'DISCONNECT');
}

/** Encodes a DISCONNECT frame in the shortest form the spec allows. */
export function encodeDisconnect(p: DisconnectPacket, version: ProtocolVersion): Uint8Array {
  const remainingLength = measureDisconnect(p, version);
  const w = writer;
  const frame = w.start(1 + varintSize(remainingLength) + remainingLength);
  w.u8(FIRST_BYTE.disconnect);
  w.varint(remainingLength);
  if (remainingLength > 0) w.u8(p.reasonCode ?? 0);
  if (remainingLength > 1) writeProperties(w, p.properties, PropertySet.Disconnect, propertiesBytes);
  return frame;
}
