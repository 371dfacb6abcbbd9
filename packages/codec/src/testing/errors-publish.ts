import { ascii, bytes } from './bytes.js';
import type { ErrorCase } from './types.js';

/** PUBLISH errors: flags, Packet Identifier, Topic Name, UTF-8 and 5.0 properties (section 3.3). */

const header: ErrorCase[] = [
  {
    name: '[MQTT-3.3.1-4] 3.1.1 PUBLISH with both QoS bits set',
    version: 4,
    side: 'server',
    bytes: bytes(0x36, 0x05, 0x00, 0x01, ascii('a'), 0x00, 0x01),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.3.1-4' },
  },
  {
    name: '[MQTT-3.3.1-4] 5.0 PUBLISH with both QoS bits set',
    version: 5,
    side: 'client',
    bytes: bytes(0x37, 0x06, 0x00, 0x01, ascii('a'), 0x00, 0x01, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.3.1-4' },
  },
  {
    name: '[MQTT-3.3.1-2] 3.1.1 PUBLISH at QoS 0 with DUP set',
    version: 4,
    side: 'server',
    bytes: bytes(0x38, 0x03, 0x00, 0x01, ascii('a')),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.3.1-2' },
  },
  {
    name: '[MQTT-2.3.1-1] 3.1.1 PUBLISH at QoS 1 with Packet Identifier 0',
    version: 4,
    side: 'server',
    bytes: bytes(0x32, 0x05, 0x00, 0x01, ascii('a'), 0x00, 0x00),
    error: { code: 'PROTOCOL_ERROR', specRef: 'MQTT-2.3.1-1' },
  },
  {
    name: '[MQTT-2.2.1-3] 5.0 PUBLISH at QoS 2 with Packet Identifier 0',
    version: 5,
    side: 'client',
    bytes: bytes(0x34, 0x06, 0x00, 0x01, ascii('a'), 0x00, 0x00, 0x00),
    error: { code: 'PROTOCOL_ERROR', specRef: 'MQTT-2.2.1-3' },
  },
  {
    name: '3.1.1 PUBLISH at QoS 1 too short for its Packet Identifier',
    version: 4,
    side: 'server',
    bytes: bytes(0x32, 0x04, 0x00, 0x01, ascii('a'), 0x00),
    error: { code: 'MALFORMED_PACKET' },
  },
];

const topic: ErrorCase[] = [
  {
    name: '[MQTT-3.3.2-2] 3.1.1 PUBLISH topic with "+"',
    version: 4,
    side: 'server',
    bytes: bytes(0x30, 0x05, 0x00, 0x03, ascii('a/+')),
    error: { code: 'TOPIC_NAME_INVALID', specRef: 'MQTT-3.3.2-2' },
  },
  {
    name: '[MQTT-3.3.2-2] 5.0 PUBLISH topic "#"',
    version: 5,
    side: 'client',
    bytes: bytes(0x30, 0x04, 0x00, 0x01, ascii('#'), 0x00),
    error: { code: 'TOPIC_NAME_INVALID', specRef: 'MQTT-3.3.2-2' },
  },
  {
    name: '[MQTT-4.7.3-1] 3.1.1 PUBLISH with an empty topic',
    version: 4,
    side: 'server',
    bytes: bytes(0x30, 0x02, 0x00, 0x00),
    error: { code: 'TOPIC_NAME_INVALID', specRef: 'MQTT-4.7.3-1' },
  },
  {
    name: '5.0 PUBLISH with an empty topic and no Topic Alias',
    version: 5,
    side: 'server',
    bytes: bytes(0x30, 0x03, 0x00, 0x00, 0x00),
    error: { code: 'PROTOCOL_ERROR' },
  },
  {
    name: '3.1.1 PUBLISH topic length running past the packet',
    version: 4,
    side: 'server',
    bytes: bytes(0x30, 0x03, 0x00, 0x05, ascii('a')),
    error: { code: 'MALFORMED_PACKET' },
  },
  {
    name: '[MQTT-1.5.3-1] 3.1.1 PUBLISH topic ending inside a 3-byte UTF-8 sequence',
    version: 4,
    side: 'server',
    bytes: bytes(0x30, 0x04, 0x00, 0x02, ascii('a'), 0xe2),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-1.5.3-1' },
  },
  {
    name: '[MQTT-1.5.3-1] 3.1.1 PUBLISH topic with a stray continuation byte (0x80)',
    version: 4,
    side: 'client',
    bytes: bytes(0x30, 0x04, 0x00, 0x02, ascii('a'), 0x80),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-1.5.3-1' },
  },
  {
    name: '[MQTT-1.5.3-1] 3.1.1 PUBLISH topic with an encoded surrogate U+DFFF (ed bf bf)',
    version: 4,
    side: 'server',
    bytes: bytes(0x30, 0x05, 0x00, 0x03, 0xed, 0xbf, 0xbf),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-1.5.3-1' },
  },
  {
    name: '[MQTT-1.5.4-1] 5.0 PUBLISH topic with an overlong "/" (c0 af)',
    version: 5,
    side: 'server',
    bytes: bytes(0x30, 0x05, 0x00, 0x02, 0xc0, 0xaf, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-1.5.4-1' },
  },
  {
    name: '[MQTT-1.5.4-1] 5.0 PUBLISH topic with a code point above U+10FFFF (f4 90 80 80)',
    version: 5,
    side: 'server',
    bytes: bytes(0x30, 0x07, 0x00, 0x04, 0xf4, 0x90, 0x80, 0x80, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-1.5.4-1' },
  },
  {
    name: '[MQTT-1.5.4-2] 5.0 PUBLISH topic containing U+0000',
    version: 5,
    side: 'server',
    bytes: bytes(0x30, 0x05, 0x00, 0x02, ascii('a'), 0x00, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-1.5.4-2' },
  },
];

const properties: ErrorCase[] = [
  {
    name: '[MQTT-3.3.2-8] 5.0 PUBLISH with Topic Alias 0',
    version: 5,
    side: 'server',
    bytes: bytes(0x30, 0x07, 0x00, 0x01, ascii('a'), 0x03, 0x23, 0x00, 0x00),
    error: { code: 'TOPIC_ALIAS_INVALID', specRef: 'MQTT-3.3.2-8' },
  },
  {
    name: '[MQTT-3.3.4-6] 5.0 PUBLISH from a client with a Subscription Identifier',
    version: 5,
    side: 'server',
    bytes: bytes(0x30, 0x06, 0x00, 0x01, ascii('a'), 0x02, 0x0b, 0x01),
    error: { code: 'PROTOCOL_ERROR', specRef: 'MQTT-3.3.4-6' },
  },
  {
    name: '5.0 PUBLISH with Subscription Identifier 0',
    version: 5,
    side: 'client',
    bytes: bytes(0x30, 0x06, 0x00, 0x01, ascii('a'), 0x02, 0x0b, 0x00),
    error: { code: 'PROTOCOL_ERROR' },
  },
  {
    name: '[MQTT-1.5.5-1] 5.0 PUBLISH with Subscription Identifier 1 encoded in two bytes',
    version: 5,
    side: 'client',
    bytes: bytes(0x30, 0x07, 0x00, 0x01, ascii('a'), 0x03, 0x0b, 0x81, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-1.5.5-1' },
  },
  {
    name: '[MQTT-3.3.2-14] 5.0 PUBLISH Response Topic with a wildcard',
    version: 5,
    side: 'server',
    bytes: bytes(0x30, 0x09, 0x00, 0x01, ascii('a'), 0x05, 0x08, 0x00, 0x02, ascii('a#')),
    error: { code: 'PROTOCOL_ERROR', specRef: 'MQTT-3.3.2-14' },
  },
  {
    name: '5.0 PUBLISH with Payload Format Indicator twice',
    version: 5,
    side: 'server',
    bytes: bytes(0x30, 0x08, 0x00, 0x01, ascii('a'), 0x04, 0x01, 0x00, 0x01, 0x01),
    error: { code: 'PROTOCOL_ERROR' },
  },
  {
    name: '5.0 PUBLISH with Payload Format Indicator 2',
    version: 5,
    side: 'server',
    bytes: bytes(0x30, 0x06, 0x00, 0x01, ascii('a'), 0x02, 0x01, 0x02),
    error: { code: 'PROTOCOL_ERROR' },
  },
  {
    name: '5.0 PUBLISH with Session Expiry Interval, a property PUBLISH may not carry',
    version: 5,
    side: 'server',
    bytes: bytes(0x30, 0x09, 0x00, 0x01, ascii('a'), 0x05, 0x11, 0x00, 0x00, 0x00, 0x01),
    error: { code: 'MALFORMED_PACKET' },
  },
  {
    name: '5.0 PUBLISH with a property identifier written in two bytes (80 01)',
    version: 5,
    side: 'server',
    bytes: bytes(0x30, 0x06, 0x00, 0x01, ascii('a'), 0x02, 0x80, 0x01),
    error: { code: 'MALFORMED_PACKET' },
  },
  {
    name: '5.0 PUBLISH Message Expiry Interval cut short by the Property Length',
    version: 5,
    side: 'server',
    bytes: bytes(0x30, 0x06, 0x00, 0x01, ascii('a'), 0x02, 0x02, 0x00),
    error: { code: 'MALFORMED_PACKET' },
  },
  {
    name: '5.0 PUBLISH Correlation Data longer than its property block',
    version: 5,
    side: 'server',
    bytes: bytes(0x30, 0x08, 0x00, 0x01, ascii('a'), 0x04, 0x09, 0x00, 0x05, 0x01),
    error: { code: 'MALFORMED_PACKET' },
  },
  {
    name: '[MQTT-1.5.4-1] 5.0 PUBLISH User Property value that is not UTF-8 (ff)',
    version: 5,
    side: 'server',
    bytes: bytes(0x30, 0x0b, 0x00, 0x01, ascii('a'), 0x07, 0x26, 0x00, 0x01, ascii('k'), 0x00, 0x01, 0xff),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-1.5.4-1' },
  },
];

/** PUBLISH errors. */
export const PUBLISH_ERRORS: readonly ErrorCase[] = [...header, ...topic, ...properties];
