import { fail, protocolError } from '../errors.js';
import { UTF8_HAS_NULL, utf8Length } from '../utf8.js';
import { MAX_VARINT } from '../varint.js';

/**
 * Checks shared by several packet encoders and decoders. Encoders throw `MqttError` for what the spec
 * forbids and `TypeError` for values JavaScript types cannot stop (a QoS of 7, a fractional id).
 */

/** A lookup table: `table[code] === 1` when `code` is in `codes`. */
export function codeTable(codes: readonly number[]): Uint8Array {
  const table = new Uint8Array(256);
  for (const code of codes) table[code] = 1;
  return table;
}

/** The normative id of "a Packet Identifier MUST be non-zero" in each spec. */
export function packetIdRef(isV5: boolean): string {
  return isV5 ? 'MQTT-2.2.1-3' : 'MQTT-2.3.1-1';
}

/**
 * Decoding: rejects Packet Identifier 0. Identifiers are non-zero [MQTT-2.2.1-3] [MQTT-2.3.1-1], and an
 * acknowledgement carries the identifier of the packet it answers, so 0 is wrong everywhere.
 */
export function checkDecodedPacketId(packetId: number, isV5: boolean, packet: string): void {
  if (packetId === 0) protocolError(`${packet} has Packet Identifier 0`, packetIdRef(isV5));
}

/** Encoding: returns a valid Packet Identifier or throws. */
export function requirePacketId(packetId: unknown, isV5: boolean, packet: string): number {
  if (packetId === undefined || packetId === 0) {
    return protocolError(`${packet} needs a non-zero packetId`, packetIdRef(isV5));
  }
  if (typeof packetId !== 'number' || !Number.isInteger(packetId) || packetId < 1 || packetId > 0xffff) {
    throw new TypeError(`${packet} packetId must be an integer from 1 to 65535, got ${String(packetId)}`);
  }
  return packetId;
}

/** Encoding: the UTF-8 length of a string field, or a throw when it cannot be sent. */
export function measureString(value: unknown, field: string, isV5: boolean): number {
  if (typeof value !== 'string') throw new TypeError(`${field} must be a string`);
  const length = utf8Length(value);
  if (length === UTF8_HAS_NULL) {
    fail('MALFORMED_PACKET', `${field} contains U+0000`, isV5 ? 'MQTT-1.5.4-2' : 'MQTT-1.5.3-2');
  }
  if (length < 0)
    fail('MALFORMED_PACKET', `${field} contains a lone surrogate`, isV5 ? 'MQTT-1.5.4-1' : 'MQTT-1.5.3-1');
  if (length > 0xffff) fail('MALFORMED_PACKET', `${field} is longer than 65,535 bytes`);
  return length;
}

/** Encoding: the length of a Binary Data field's bytes, or a throw when it cannot be sent. */
export function measureBinary(value: unknown, field: string): number {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${field} must be a Uint8Array`);
  if (value.length > 0xffff) fail('MALFORMED_PACKET', `${field} is longer than 65,535 bytes`);
  return value.length;
}

/** Encoding: checks an integer field's range. */
export function requireInteger(value: unknown, field: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new TypeError(`${field} must be an integer from 0 to ${max}, got ${String(value)}`);
  }
  return value;
}

/** Encoding: checks a QoS field. */
export function requireQos(value: unknown, field: string): 0 | 1 | 2 {
  if (value !== 0 && value !== 1 && value !== 2)
    throw new TypeError(`${field} must be 0, 1 or 2, got ${String(value)}`);
  return value;
}

/** Encoding: throws PACKET_TOO_LARGE when a Remaining Length cannot be expressed. */
export function checkRemainingLength(remainingLength: number, packet: string): number {
  if (remainingLength > MAX_VARINT) {
    fail(
      'PACKET_TOO_LARGE',
      `${packet} would need a Remaining Length of ${remainingLength}, above 268,435,455`,
    );
  }
  return remainingLength;
}

/** True when a Topic Name holds a wildcard character, which only Topic Filters may use. */
export function hasWildcard(topic: string): boolean {
  return topic.indexOf('+') !== -1 || topic.indexOf('#') !== -1;
}

/** Throws unless a v5-only numeric field is absent or zero in a 3.x packet. */
export function requireNoReasonCode(reasonCode: unknown, packet: string): void {
  if (reasonCode !== undefined && reasonCode !== 0) {
    protocolError(`${packet} cannot carry reason code ${String(reasonCode)} before MQTT 5.0`);
  }
}
