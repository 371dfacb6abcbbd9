import {
  AUTH_REASON_CODES,
  type AuthPacket,
  type AuthProperties,
  type ProtocolVersion,
} from '@mqttkit/types';
import type { ByteReader } from '../byte-reader.js';
import { writer } from '../byte-writer.js';
import { malformed, protocolError } from '../errors.js';
import { FIRST_BYTE } from '../frame.js';
import { readProperties } from '../properties/read.js';
import { PropertySet } from '../properties/table.js';
import { propertiesLength, writeProperties } from '../properties/write.js';
import { varintSize } from '../varint.js';
import { checkRemainingLength, codeTable } from './common.js';

/** AUTH (5.0 section 3.15), the enhanced authentication exchange; it does not exist before 5.0. */

const CODES = codeTable(AUTH_REASON_CODES);

/**
 * Decodes an AUTH body. 3.15.2.1 allows omitting the Reason Code and the Property Length only
 * together (Remaining Length 0), so a body of one byte is malformed.
 */
export function decodeAuth(r: ByteReader): AuthPacket {
  if (r.remaining() === 0) return { type: 'auth', reasonCode: 0 };
  const reasonCode = r.u8();
  if (CODES[reasonCode] !== 1)
    malformed(`AUTH reason code 0x${reasonCode.toString(16)} is not defined`, 'MQTT-3.15.2-1');
  const packet: AuthPacket = { type: 'auth', reasonCode: reasonCode as AuthPacket['reasonCode'] & number };
  const properties = readProperties(r, PropertySet.Auth);
  r.expectEnd('AUTH');
  if (properties !== undefined) packet.properties = properties as AuthProperties;
  return packet;
}

let propertiesBytes = 0;

/** The Remaining Length of an AUTH, checking every field. */
export function measureAuth(p: AuthPacket, version: ProtocolVersion): number {
  if (version !== 5) protocolError(`AUTH does not exist in protocol version ${version}`);
  const reasonCode = p.reasonCode ?? 0;
  if (CODES[reasonCode] !== 1)
    protocolError(`AUTH reason code ${String(reasonCode)} is not allowed`, 'MQTT-3.15.2-1');
  propertiesBytes = propertiesLength(p.properties, PropertySet.Auth);
  if (propertiesBytes === 0 && reasonCode === 0) return 0;
  return checkRemainingLength(1 + varintSize(propertiesBytes) + propertiesBytes, 'AUTH');
}

/** Encodes an AUTH frame; Success without properties takes the empty form. */
export function encodeAuth(p: AuthPacket, version: ProtocolVersion): Uint8Array {
  const remainingLength = measureAuth(p, version);
  const w = writer;
  const frame = w.start(1 + varintSize(remainingLength) + remainingLength);
  w.u8(FIRST_BYTE.auth);
  w.varint(remainingLength);
  if (remainingLength > 0) {
    w.u8(p.reasonCode ?? 0);
    writeProperties(w, p.properties, PropertySet.Auth, propertiesBytes);
  }
  return frame;
}
