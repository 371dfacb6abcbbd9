import { malformed, protocolError } from './errors.js';

/**
 * The fixed header (5.0 section 2.1.1; 3.1.1 section 2.2): byte 1 holds the packet type (high nibble)
 * and flags (low nibble), followed by the Remaining Length as a Variable Byte Integer. Everything the
 * decoder must refuse before it buffers a body is decided here from byte 1 alone.
 */

/** Packet type names by type number, for messages. */
export const PACKET_NAME: readonly string[] = [
  'reserved type 0',
  'CONNECT',
  'CONNACK',
  'PUBLISH',
  'PUBACK',
  'PUBREC',
  'PUBREL',
  'PUBCOMP',
  'SUBSCRIBE',
  'SUBACK',
  'UNSUBSCRIBE',
  'UNSUBACK',
  'PINGREQ',
  'PINGRESP',
  'DISCONNECT',
  'AUTH',
];

/** The required flag nibble per packet type; PUBLISH (-1) carries DUP, QoS and RETAIN instead. */
const REQUIRED_FLAGS = [0, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0];

/** Statements that name a packet's own reserved bits; the rest fall under the general 2.1.3 / 2.2.2 rule. */
const FLAGS_REF: readonly (string | undefined)[] = [
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  'MQTT-3.6.1-1',
  undefined,
  'MQTT-3.8.1-1',
  undefined,
  'MQTT-3.10.1-1',
  undefined,
  undefined,
  undefined,
  'MQTT-3.14.1-1',
  'MQTT-3.15.1-1',
];

/** Byte 1 of each packet type as the encoder writes it (PUBLISH adds its flags). */
export const FIRST_BYTE = {
  connect: 0x10,
  connack: 0x20,
  publish: 0x30,
  puback: 0x40,
  pubrec: 0x50,
  pubrel: 0x62,
  pubcomp: 0x70,
  subscribe: 0x82,
  suback: 0x90,
  unsubscribe: 0xa2,
  unsuback: 0xb0,
  pingreq: 0xc0,
  pingresp: 0xd0,
  disconnect: 0xe0,
  auth: 0xf0,
} as const;

/**
 * Checks byte 1 of a frame the receiver is about to read. `version` is 0 while a server still waits
 * for CONNECT. Throws PROTOCOL_ERROR for a packet that cannot arrive here (wrong direction, or not
 * CONNECT first) and MALFORMED_PACKET for a reserved type or reserved flag bits.
 */
export function checkFirstByte(byte: number, isServer: boolean, version: number): void {
  const type = byte >>> 4;
  if (type === 0) malformed('packet type 0 is reserved');
  if (version === 0 && type !== 1) {
    protocolError(`expected CONNECT as the first packet, got ${PACKET_NAME[type]}`, 'MQTT-3.1.0-1');
  }
  if (type === 15 && version !== 5 && version !== 0) malformed('packet type 15 is reserved before MQTT 5.0');
  if (isServer) {
    // CONNACK, SUBACK, UNSUBACK and PINGRESP only travel from server to client.
    if (type === 2 || type === 9 || type === 11 || type === 13) {
      protocolError(`a server never receives ${PACKET_NAME[type]}`);
    }
  } else if (type === 1 || type === 8 || type === 10 || type === 12) {
    protocolError(`a client never receives ${PACKET_NAME[type]}`);
  } else if (type === 14 && version !== 5) {
    // Before 5.0 only the client sends DISCONNECT (3.1.1 section 3.14).
    protocolError('a client never receives DISCONNECT before MQTT 5.0');
  }
  const flags = byte & 0x0f;
  if (type === 3) {
    const qos = (flags >>> 1) & 3;
    if (qos === 3) malformed('PUBLISH has both QoS bits set', 'MQTT-3.3.1-4');
    if (qos === 0 && (flags & 8) !== 0) malformed('PUBLISH at QoS 0 has DUP set', 'MQTT-3.3.1-2');
    return;
  }
  // CONNECT's reserved bits are checked by decodeConnect once it knows the version.
  if (type === 1) return;
  // MQTT 3.1 sets DUP (bit 3) on a retried PUBREL, SUBSCRIBE or UNSUBSCRIBE (3.1 sections 2.1 and
  // 4.2); 3.1.1 fixed their flags at 0010 [MQTT-3.6.1-1] [MQTT-3.8.1-1] [MQTT-3.10.1-1].
  const allowed = version === 3 && REQUIRED_FLAGS[type] === 2 ? flags & 0b0111 : flags;
  if (allowed !== REQUIRED_FLAGS[type]) {
    malformed(
      `${PACKET_NAME[type]} fixed header flags are 0x${flags.toString(16)}, must be 0x${REQUIRED_FLAGS[type]!.toString(16)}`,
      FLAGS_REF[type] ?? (version === 5 ? 'MQTT-2.1.3-1' : 'MQTT-2.2.2-1'),
    );
  }
}

/** Checks the flag nibble of a CONNECT once its protocol version is known. */
export function checkConnectFlagsNibble(byte: number, isV5: boolean): void {
  if ((byte & 0x0f) !== 0) {
    malformed(
      `CONNECT fixed header flags are 0x${(byte & 0x0f).toString(16)}, must be 0x0`,
      isV5 ? 'MQTT-2.1.3-1' : 'MQTT-2.2.2-1',
    );
  }
}
