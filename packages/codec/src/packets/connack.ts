import {
  CONNACK_REASON_CODES,
  type ConnackPacket,
  type ConnackProperties,
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
import { checkRemainingLength, codeTable } from './common.js';

/** CONNACK (5.0 section 3.2; 3.1.1 section 3.2). MQTT 3.1 CONNACKs are read like 3.1.1 ones. */

const V5_CODES = codeTable(CONNACK_REASON_CODES);
/** 3.1.1 Table 3.1: return codes 0..5; 6..255 are reserved. */
const V3_MAX_RETURN_CODE = 5;

function sessionPresentRef(isV5: boolean): string {
  return isV5 ? 'MQTT-3.2.2-6' : 'MQTT-3.2.2-4';
}

/** Decodes a CONNACK body. */
export function decodeConnack(r: ByteReader, ctx: DecodeContext): ConnackPacket {
  const isV5 = ctx.version === 5;
  const flags = r.u8();
  if ((flags & 0xfe) !== 0)
    malformed('CONNACK reserved flag bits are set', isV5 ? 'MQTT-3.2.2-1' : undefined);
  const sessionPresent = flags === 1;
  const reasonCode = r.u8();
  if (isV5 ? V5_CODES[reasonCode] !== 1 : reasonCode > V3_MAX_RETURN_CODE) {
    malformed(`CONNACK code 0x${reasonCode.toString(16)} is not defined`, isV5 ? 'MQTT-3.2.2-8' : undefined);
  }
  // A refused connection has no session [MQTT-3.2.2-6] (3.1.1: [MQTT-3.2.2-4]).
  if (sessionPresent && reasonCode !== 0)
    protocolError('CONNACK refuses the connection but sets Session Present', sessionPresentRef(isV5));
  const packet: ConnackPacket = {
    type: 'connack',
    sessionPresent,
    reasonCode: reasonCode as ConnackPacket['reasonCode'],
  };
  if (isV5) {
    const properties = readProperties(r, PropertySet.Connack);
    if (properties !== undefined) packet.properties = properties as ConnackProperties;
  }
  r.expectEnd('CONNACK');
  return packet;
}

let propertiesBytes = 0;

/** The Remaining Length of a CONNACK, checking every field. */
export function measureConnack(p: ConnackPacket, version: ProtocolVersion): number {
  const isV5 = version === 5;
  const code = p.reasonCode;
  if (
    typeof code !== 'number' ||
    (isV5 ? V5_CODES[code] !== 1 : !(code >= 0 && code <= V3_MAX_RETURN_CODE))
  ) {
    protocolError(
      `CONNACK code ${String(code)} is not defined in MQTT ${isV5 ? '5.0' : '3.x'}`,
      isV5 ? 'MQTT-3.2.2-8' : undefined,
    );
  }
  if (p.sessionPresent && code !== 0)
    protocolError('a refused CONNACK cannot set Session Present', sessionPresentRef(isV5));
  if (!isV5) return 2;
  propertiesBytes = propertiesLength(p.properties, PropertySet.Connack);
  return checkRemainingLength(2 + varintSize(propertiesBytes) + propertiesBytes, 'CONNACK');
}

/** Encodes a CONNACK frame. */
export function encodeConnack(p: ConnackPacket, version: ProtocolVersion): Uint8Array {
  const remainingLength = measureConnack(p, version);
  const w = writer;
  const frame = w.start(1 + varintSize(remainingLength) + remainingLength);
  w.u8(FIRST_BYTE.connack);
  w.varint(remainingLength);
  w.u8(p.sessionPresent ? 1 : 0);
  w.u8(p.reasonCode);
  if (version === 5) writeProperties(w, p.properties, PropertySet.Connack, propertiesBytes);
  return frame;
}
