import type { PingreqPacket, PingrespPacket } from '@mqttkit/types';
import type { ByteReader } from '../byte-reader.js';
import { FIRST_BYTE } from '../frame.js';

/** PINGREQ and PINGRESP (sections 3.12 and 3.13): a fixed header with Remaining Length 0. */

/** Decodes a PINGREQ body (which must be empty). */
export function decodePingreq(r: ByteReader): PingreqPacket {
  r.expectEnd('PINGREQ');
  return { type: 'pingreq' };
}

/** Decodes a PINGRESP body (which must be empty). */
export function decodePingresp(r: ByteReader): PingrespPacket {
  r.expectEnd('PINGRESP');
  return { type: 'pingresp' };
}

/** Encodes a PINGREQ frame; a new array each call, since callers may keep or alter it. */
export function encodePingreq(): Uint8Array {
  const frame = new Uint8Array(2);
  frame[0] = FIRST_BYTE.pingreq;
  return frame;
}

/** Encodes a PINGRESP frame. */
export function encodePingresp(): Uint8Array {
  const frame = new Uint8Array(2);
  frame[0] = FIRST_BYTE.pingresp;
  return frame;
}
