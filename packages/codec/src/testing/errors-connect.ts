import { ascii, bytes } from './bytes.js';
import type { ErrorCase } from './types.js';

/** CONNECT errors, read by a server that has not yet seen CONNECT (section 3.1 of both specs). */

const MQTT4 = [0x00, 0x04, ...ascii('MQTT'), 0x04];
const MQTT5 = [0x00, 0x04, ...ascii('MQTT'), 0x05];
const MQISDP = [0x00, 0x06, ...ascii('MQIsdp'), 0x03];

const header: ErrorCase[] = [
  {
    name: '[MQTT-3.1.2-1] 5.0 CONNECT with protocol name "mqtt" (the name is case-sensitive)',
    version: 5,
    side: 'server',
    bytes: bytes(0x10, 0x0d, 0x00, 0x04, ascii('mqtt'), 0x05, 0x02, 0x00, 0x3c, 0x00, 0x00, 0x00),
    error: { code: 'UNSUPPORTED_PROTOCOL_VERSION', specRef: 'MQTT-3.1.2-1' },
    requestedProtocolLevel: 5,
  },
  {
    name: '[MQTT-3.1.2-1] CONNECT with protocol name "MQTX"',
    version: 4,
    side: 'server',
    bytes: bytes(0x10, 0x0c, 0x00, 0x04, ascii('MQTX'), 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00),
    error: { code: 'UNSUPPORTED_PROTOCOL_VERSION', specRef: 'MQTT-3.1.2-1' },
    requestedProtocolLevel: 4,
  },
  {
    name: '[MQTT-3.1.2-2] CONNECT with protocol level 6',
    version: 5,
    side: 'server',
    bytes: bytes(0x10, 0x0c, 0x00, 0x04, ascii('MQTT'), 0x06, 0x02, 0x00, 0x3c, 0x00, 0x00),
    error: { code: 'UNSUPPORTED_PROTOCOL_VERSION', specRef: 'MQTT-3.1.2-2' },
    requestedProtocolLevel: 6,
  },
  {
    name: '[MQTT-3.1.2-2] CONNECT "MQTT" with level 3 (3.1 is named "MQIsdp")',
    version: 3,
    side: 'server',
    bytes: bytes(0x10, 0x0c, 0x00, 0x04, ascii('MQTT'), 0x03, 0x02, 0x00, 0x3c, 0x00, 0x00),
    error: { code: 'UNSUPPORTED_PROTOCOL_VERSION', specRef: 'MQTT-3.1.2-2' },
    requestedProtocolLevel: 3,
  },
  {
    name: '[MQTT-3.1.2-2] CONNECT "MQIsdp" with level 4',
    version: 4,
    side: 'server',
    bytes: bytes(0x10, 0x0e, 0x00, 0x06, ascii('MQIsdp'), 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00),
    error: { code: 'UNSUPPORTED_PROTOCOL_VERSION', specRef: 'MQTT-3.1.2-2' },
    requestedProtocolLevel: 4,
  },
  {
    name: 'CONNECT too short to hold its protocol level',
    version: 4,
    side: 'server',
    bytes: bytes(0x10, 0x06, 0x00, 0x04, ascii('MQTT')),
    error: { code: 'MALFORMED_PACKET' },
  },
];

const flags: ErrorCase[] = [
  {
    name: '[MQTT-3.1.2-3] 3.1.1 CONNECT with the reserved flag set',
    version: 4,
    side: 'server',
    bytes: bytes(0x10, 0x0c, MQTT4, 0x03, 0x00, 0x3c, 0x00, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.1.2-3' },
  },
  {
    name: '[MQTT-3.1.2-3] 5.0 CONNECT with the reserved flag set',
    version: 5,
    side: 'server',
    bytes: bytes(0x10, 0x0d, MQTT5, 0x03, 0x00, 0x3c, 0x00, 0x00, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.1.2-3' },
    requestedProtocolLevel: 5,
  },
  {
    name: '[MQTT-3.1.2-13] 3.1.1 CONNECT with Will QoS 1 but no Will Flag',
    version: 4,
    side: 'server',
    bytes: bytes(0x10, 0x0c, MQTT4, 0x0a, 0x00, 0x3c, 0x00, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.1.2-13' },
  },
  {
    name: '[MQTT-3.1.2-14] 3.1.1 CONNECT with Will QoS 3',
    version: 4,
    side: 'server',
    // flags 0x1e = will QoS 3 (0x18) | will | clean; client id "", will topic "t", will message ""
    bytes: bytes(0x10, 0x11, MQTT4, 0x1e, 0x00, 0x3c, 0x00, 0x00, 0x00, 0x01, ascii('t'), 0x00, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.1.2-14' },
  },
  {
    name: '[MQTT-3.1.2-15] 3.1.1 CONNECT with Will Retain but no Will Flag',
    version: 4,
    side: 'server',
    bytes: bytes(0x10, 0x0c, MQTT4, 0x22, 0x00, 0x3c, 0x00, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.1.2-15' },
  },
  {
    name: '[MQTT-3.1.2-11] 5.0 CONNECT with Will QoS 1 but no Will Flag',
    version: 5,
    side: 'server',
    bytes: bytes(0x10, 0x0d, MQTT5, 0x0a, 0x00, 0x3c, 0x00, 0x00, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.1.2-11' },
  },
  {
    name: '[MQTT-3.1.2-12] 5.0 CONNECT with Will QoS 3',
    version: 5,
    side: 'server',
    bytes: bytes(
      0x10,
      0x13,
      MQTT5,
      0x1e,
      0x00,
      0x3c,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x01,
      ascii('t'),
      0x00,
      0x00,
    ),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.1.2-12' },
  },
  {
    name: '[MQTT-3.1.2-13] 5.0 CONNECT with Will Retain but no Will Flag',
    version: 5,
    side: 'server',
    bytes: bytes(0x10, 0x0d, MQTT5, 0x22, 0x00, 0x3c, 0x00, 0x00, 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.1.2-13' },
  },
  {
    name: '[MQTT-3.1.2-22] 3.1.1 CONNECT with a password and no user name',
    version: 4,
    side: 'server',
    bytes: bytes(0x10, 0x0f, MQTT4, 0x42, 0x00, 0x3c, 0x00, 0x00, 0x00, 0x01, ascii('p')),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.1.2-22' },
  },
  {
    name: '[MQTT-3.1.2-22] 3.1 CONNECT with a password and no user name',
    version: 3,
    side: 'server',
    bytes: bytes(0x10, 0x12, MQISDP, 0x42, 0x00, 0x3c, 0x00, 0x01, ascii('c'), 0x00, 0x01, ascii('p')),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.1.2-22' },
  },
];

const payload: ErrorCase[] = [
  {
    name: '[MQTT-1.5.3-1] 3.1.1 CONNECT client id with an ill-formed UTF-8 sequence (c3 28)',
    version: 4,
    side: 'server',
    bytes: bytes(0x10, 0x0e, MQTT4, 0x02, 0x00, 0x3c, 0x00, 0x02, 0xc3, 0x28),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-1.5.3-1' },
  },
  {
    name: '[MQTT-1.5.3-2] 3.1.1 CONNECT client id containing U+0000',
    version: 4,
    side: 'server',
    bytes: bytes(0x10, 0x0e, MQTT4, 0x02, 0x00, 0x3c, 0x00, 0x02, ascii('a'), 0x00),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-1.5.3-2' },
  },
  {
    name: '[MQTT-1.5.4-1] 5.0 CONNECT client id encoding the surrogate U+D800 (ed a0 80)',
    version: 5,
    side: 'server',
    bytes: bytes(0x10, 0x10, MQTT5, 0x02, 0x00, 0x3c, 0x00, 0x00, 0x03, 0xed, 0xa0, 0x80),
    error: { code: 'MALFORMED_PACKET', specRef: 'MQTT-1.5.4-1' },
  },
  {
    name: '3.1.1 CONNECT with a trailing byte after the payload',
    version: 4,
    side: 'server',
    bytes: bytes(0x10, 0x0d, MQTT4, 0x02, 0x00, 0x3c, 0x00, 0x00, 0xff),
    error: { code: 'MALFORMED_PACKET' },
  },
  {
    name: '3.1.1 CONNECT client id length running past the packet',
    version: 4,
    side: 'server',
    bytes: bytes(0x10, 0x0c, MQTT4, 0x02, 0x00, 0x3c, 0x00, 0x05),
    error: { code: 'MALFORMED_PACKET' },
  },
  {
    name: '3.1.1 CONNECT with the User Name Flag but no user name',
    version: 4,
    side: 'server',
    bytes: bytes(0x10, 0x0c, MQTT4, 0x82, 0x00, 0x3c, 0x00, 0x00),
    error: { code: 'MALFORMED_PACKET' },
  },
  {
    name: '3.1.1 CONNECT will topic with a wildcard',
    version: 4,
    side: 'server',
    bytes: bytes(0x10, 0x13, MQTT4, 0x06, 0x00, 0x3c, 0x00, 0x00, 0x00, 0x03, ascii('a/#'), 0x00, 0x00),
    error: { code: 'TOPIC_NAME_INVALID' },
  },
  {
    name: '[MQTT-4.7.3-1] 3.1.1 CONNECT with an empty will topic',
    version: 4,
    side: 'server',
    bytes: bytes(0x10, 0x10, MQTT4, 0x06, 0x00, 0x3c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00),
    error: { code: 'TOPIC_NAME_INVALID', specRef: 'MQTT-4.7.3-1' },
  },
];

const properties: ErrorCase[] = [
  {
    name: '5.0 CONNECT with an unknown property identifier (0x7f)',
    version: 5,
    side: 'server',
    bytes: bytes(0x10, 0x0f, MQTT5, 0x02, 0x00, 0x3c, 0x02, 0x7f, 0x00, 0x00, 0x00),
    error: { code: 'MALFORMED_PACKET' },
    requestedProtocolLevel: 5,
  },
  {
    name: '5.0 CONNECT with Topic Alias, a PUBLISH-only property',
    version: 5,
    side: 'server',
    bytes: bytes(0x10, 0x10, MQTT5, 0x02, 0x00, 0x3c, 0x03, 0x23, 0x00, 0x01, 0x00, 0x00),
    error: { code: 'MALFORMED_PACKET' },
  },
  {
    name: '5.0 CONNECT with Session Expiry Interval twice',
    version: 5,
    side: 'server',
    bytes: bytes(
      0x10,
      0x17,
      MQTT5,
      0x02,
      0x00,
      0x3c,
      0x0a,
      [0x11, 0, 0, 0, 1],
      [0x11, 0, 0, 0, 2],
      0x00,
      0x00,
    ),
    error: { code: 'PROTOCOL_ERROR' },
  },
  {
    name: '5.0 CONNECT with Receive Maximum 0',
    version: 5,
    side: 'server',
    bytes: bytes(0x10, 0x10, MQTT5, 0x02, 0x00, 0x3c, 0x03, 0x21, 0x00, 0x00, 0x00, 0x00),
    error: { code: 'PROTOCOL_ERROR' },
  },
  {
    name: '5.0 CONNECT with Maximum Packet Size 0',
    version: 5,
    side: 'server',
    bytes: bytes(0x10, 0x12, MQTT5, 0x02, 0x00, 0x3c, 0x05, 0x27, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00),
    error: { code: 'PROTOCOL_ERROR' },
  },
  {
    name: '5.0 CONNECT with Request Problem Information 2',
    version: 5,
    side: 'server',
    bytes: bytes(0x10, 0x0f, MQTT5, 0x02, 0x00, 0x3c, 0x02, 0x17, 0x02, 0x00, 0x00),
    error: { code: 'PROTOCOL_ERROR' },
  },
  {
    name: '5.0 CONNECT with Authentication Data but no Authentication Method',
    version: 5,
    side: 'server',
    bytes: bytes(0x10, 0x11, MQTT5, 0x02, 0x00, 0x3c, 0x04, 0x16, 0x00, 0x01, 0x01, 0x00, 0x00),
    error: { code: 'PROTOCOL_ERROR' },
  },
  {
    name: '5.0 CONNECT Property Length running past the packet',
    version: 5,
    side: 'server',
    bytes: bytes(0x10, 0x0d, MQTT5, 0x02, 0x00, 0x3c, 0x10, 0x00, 0x00),
    error: { code: 'MALFORMED_PACKET' },
  },
  {
    name: '5.0 CONNECT will properties with Session Expiry Interval, a CONNECT-only property',
    version: 5,
    side: 'server',
    bytes: bytes(
      [0x10, 0x18, ...MQTT5, 0x06, 0x00, 0x3c, 0x00, 0x00, 0x00],
      [0x05, 0x11, 0x00, 0x00, 0x00, 0x01],
      [0x00, 0x01, ...ascii('t'), 0x00, 0x00],
    ),
    error: { code: 'MALFORMED_PACKET' },
  },
];

/** CONNECT errors. */
export const CONNECT_ERRORS: readonly ErrorCase[] = [...header, ...flags, ...payload, ...properties];
