import { ascii, bytes } from './bytes.js';
import type { ErrorCase } from './types.js';

/**
 * Fixed header errors: reserved types and flags, Remaining Length encoding, the packet size limit,
 * the first-packet rule and packets travelling in a direction they never take.
 */

const MQTT4 = [0x00, 0x04, ...ascii('MQTT'), 0x04];

const reserved: ErrorCase[] = [
  {
    name: '3.1.1 packet type 0 is reserved',
    version: 4,
    side: 'server',
    bytes: bytes(0x00, 0x00),
    error: { code: 'MALFORMED_PACKET' },
  },
  {
    name: '3.1.1 packet type 15 is reserved before 5.0',
    version: 4,
    side: 'client',
    bytes: bytes(0xf0, 0x00),
    error: { code: 'MALFORMED_PACKET' },
  },
  {
    name: '[MQTT-2.2.2-1] 3.1.1 PUBACK with flags 0001',
    version: 4,
    side: 'client',
    bytes: bytes(0x41, 0x02, 0x00, 0x01),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-2.2.2-1' },
  },
  {
    name: '[MQTT-2.1.3-1] 5.0 PUBACK with flags 0010',
    version: 5,
    side: 'server',
    bytes: bytes(0x42, 0x02, 0x00, 0x01),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-2.1.3-1' },
  },
  {
    name: '[MQTT-2.2.2-1] 3.1.1 PINGREQ with flags 0001',
    version: 4,
    side: 'server',
    bytes: bytes(0xc1, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-2.2.2-1' },
  },
  {
    name: '[MQTT-2.2.2-1] 3.1.1 CONNECT with flags 0001',
    version: 4,
    side: 'server',
    bytes: bytes(0x11, 0x0c, MQTT4, 0x02, 0x00, 0x3c, 0x00, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-2.2.2-1' },
    requestedProtocolLevel: 4,
  },
  {
    name: '[MQTT-3.6.1-1] 3.1.1 PUBREL with flags 0000 instead of 0010',
    version: 4,
    side: 'server',
    bytes: bytes(0x60, 0x02, 0x00, 0x01),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.6.1-1' },
  },
  {
    name: '[MQTT-3.6.1-1] 5.0 PUBREL with flags 0011',
    version: 5,
    side: 'client',
    bytes: bytes(0x63, 0x02, 0x00, 0x01),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.6.1-1' },
  },
  {
    name: '[MQTT-3.6.1-1] 3.1.1 PUBREL with DUP (flags 1010), allowed only in 3.1',
    version: 4,
    side: 'server',
    bytes: bytes(0x6a, 0x02, 0x00, 0x01),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.6.1-1' },
  },
  {
    name: '[MQTT-3.8.1-1] 5.0 SUBSCRIBE with DUP (flags 1010), allowed only in 3.1',
    version: 5,
    side: 'server',
    bytes: bytes(0x8a, 0x09, 0x00, 0x0a, 0x00, 0x00, 0x03, ascii('a/+'), 0x01),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.8.1-1' },
  },
  {
    name: '3.1 SUBSCRIBE with flags 1011: only DUP may be added to 0010',
    version: 3,
    side: 'server',
    bytes: bytes(0x8b, 0x08, 0x00, 0x0a, 0x00, 0x03, ascii('a/+'), 0x01),
    // 3.1 has no numbered statements: the error names 3.1.1's rule for these flags.
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.8.1-1' },
  },
  {
    name: '[MQTT-3.8.1-1] 3.1.1 SUBSCRIBE with flags 0000 instead of 0010',
    version: 4,
    side: 'server',
    bytes: bytes(0x80, 0x06, 0x00, 0x01, 0x00, 0x01, ascii('a'), 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.8.1-1' },
  },
  {
    name: '[MQTT-3.10.1-1] 3.1.1 UNSUBSCRIBE with flags 0000 instead of 0010',
    version: 4,
    side: 'server',
    bytes: bytes(0xa0, 0x05, 0x00, 0x01, 0x00, 0x01, ascii('a')),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.10.1-1' },
  },
  {
    name: '[MQTT-3.14.1-1] 3.1.1 DISCONNECT with flags 0001',
    version: 4,
    side: 'server',
    bytes: bytes(0xe1, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.14.1-1' },
  },
  {
    name: '[MQTT-3.15.1-1] 5.0 AUTH with flags 0001',
    version: 5,
    side: 'client',
    bytes: bytes(0xf1, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.15.1-1' },
  },
];

const length: ErrorCase[] = [
  {
    name: '3.1.1 Remaining Length with a fifth byte',
    version: 4,
    side: 'server',
    bytes: bytes(0x30, 0xff, 0xff, 0xff, 0xff, 0x01),
    error: { code: 'MALFORMED_PACKET' },
  },
  {
    name: '[MQTT-1.5.5-1] 5.0 Remaining Length 0 encoded in two bytes',
    version: 5,
    side: 'server',
    bytes: bytes(0xc0, 0x80, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-1.5.5-1' },
  },
  {
    name: '3.1.1 Remaining Length 1 encoded in two bytes',
    version: 4,
    side: 'client',
    bytes: bytes(0xd0, 0x81, 0x00, 0x00),
    error: { code: 'MALFORMED_PACKET' },
  },
  {
    name: '[MQTT-3.2.2-15] 5.0 PUBLISH over the Maximum Packet Size (10) is refused from its fixed header',
    version: 5,
    side: 'server',
    maximumPacketSize: 10,
    // 2 + 9 = 11 bytes announced; only the fixed header is sent.
    bytes: bytes(0x30, 0x09),
    error: { code: 'PACKET_TOO_LARGE', specRef: 'MQTT-3.2.2-15' },
  },
  {
    name: '[MQTT-3.1.2-24] 5.0 client refuses a PUBLISH over its Maximum Packet Size (16)',
    version: 5,
    side: 'client',
    maximumPacketSize: 16,
    bytes: bytes(0x30, 0x0f),
    error: { code: 'PACKET_TOO_LARGE', specRef: 'MQTT-3.1.2-24' },
  },
  {
    name: '3.1.1 PUBLISH of 1,048,577 bytes exceeds the default 1 MiB limit',
    version: 4,
    side: 'server',
    // Remaining Length 1,048,573 = fd ff 3f; 1 + 3 + 1,048,573 = 1,048,577.
    bytes: bytes(0x30, 0xfd, 0xff, 0x3f),
    error: { code: 'PACKET_TOO_LARGE' },
  },
];

const direction: ErrorCase[] = [
  {
    name: '[MQTT-3.1.0-1] 3.1.1 first packet is a PUBLISH, not CONNECT',
    version: 4,
    side: 'server',
    awaitingConnect: true,
    bytes: bytes(0x30, 0x03, 0x00, 0x01, ascii('a')),
    error: { code: 'PROTOCOL_ERROR', specRef: 'MQTT-3.1.0-1' },
  },
  {
    name: '[MQTT-3.1.0-1] 5.0 first packet is an AUTH, not CONNECT',
    version: 5,
    side: 'server',
    awaitingConnect: true,
    bytes: bytes(0xf0, 0x00),
    error: { code: 'PROTOCOL_ERROR', specRef: 'MQTT-3.1.0-1' },
  },
  ...(
    [
      ['CONNACK', [0x20, 0x02, 0x00, 0x00]],
      ['SUBACK', [0x90, 0x03, 0x00, 0x01, 0x00]],
      ['UNSUBACK', [0xb0, 0x02, 0x00, 0x01]],
      ['PINGRESP', [0xd0, 0x00]],
    ] as const
  ).map(
    ([name, frame]): ErrorCase => ({
      name: `3.1.1 a server never receives ${name}`,
      version: 4,
      side: 'server',
      bytes: bytes(frame),
      error: { code: 'PROTOCOL_ERROR' },
    }),
  ),
  ...(
    [
      ['CONNECT', [0x10, 0x0c, ...MQTT4, 0x02, 0x00, 0x3c, 0x00, 0x00]],
      ['SUBSCRIBE', [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00]],
      ['UNSUBSCRIBE', [0xa2, 0x05, 0x00, 0x01, 0x00, 0x01, 0x61]],
      ['PINGREQ', [0xc0, 0x00]],
      ['DISCONNECT (only clients send it before 5.0)', [0xe0, 0x00]],
    ] as const
  ).map(
    ([name, frame]): ErrorCase => ({
      name: `3.1.1 a client never receives ${name}`,
      version: 4,
      side: 'client',
      bytes: bytes(frame),
      error: { code: 'PROTOCOL_ERROR' },
    }),
  ),
  {
    name: '5.0 a client never receives SUBSCRIBE',
    version: 5,
    side: 'client',
    bytes: bytes(0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 0x61, 0x00),
    error: { code: 'PROTOCOL_ERROR' },
  },
];

/** Fixed header and framing errors. */
export const FRAMING_ERRORS: readonly ErrorCase[] = [...reserved, ...length, ...direction];
