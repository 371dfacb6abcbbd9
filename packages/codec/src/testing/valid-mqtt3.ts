import { ascii, bytes, repeat, u8 } from './bytes.js';
import type { ValidCase } from './types.js';

/**
 * Well-formed MQTT 3.1 (level 3, "MQIsdp") and 3.1.1 (level 4) packets, every type in both versions.
 * Each comment spells the fields in wire order; the numbers are counted by hand.
 */

const MQISDP = [0x00, 0x06, ...ascii('MQIsdp')];
const MQTT = [0x00, 0x04, ...ascii('MQTT')];

const mqtt31: ValidCase[] = [
  {
    name: '3.1 CONNECT: clean session, keepalive 60, client id "c1"',
    version: 3,
    side: 'server',
    // RL 16 = name 8 + level 1 + flags 1 + keepalive 2 + client id 4
    bytes: bytes(0x10, 0x10, MQISDP, 0x03, 0x02, 0x00, 0x3c, 0x00, 0x02, ascii('c1')),
    packet: { type: 'connect', protocolVersion: 3, clean: true, keepAlive: 60, clientId: 'c1' },
  },
  {
    name: '3.1 CONNECT with will (QoS 1), user name and password',
    version: 3,
    side: 'server',
    // flags 0xce = user name 0x80 | password 0x40 | will QoS 1 0x08 | will 0x04 | clean 0x02
    // RL 30 = 12 + client id 4 + will topic 3 + will message 5 + user name 3 + password 3
    bytes: bytes(
      [0x10, 0x1e, ...MQISDP, 0x03, 0xce, 0x00, 0x0a],
      [0x00, 0x02, ...ascii('c1')],
      [0x00, 0x01, ...ascii('w')],
      [0x00, 0x03, ...ascii('bye')],
      [0x00, 0x01, ...ascii('u')],
      [0x00, 0x01, ...ascii('p')],
    ),
    packet: {
      type: 'connect',
      protocolVersion: 3,
      clean: true,
      keepAlive: 10,
      clientId: 'c1',
      will: { topic: 'w', payload: u8(0x62, 0x79, 0x65), qos: 1, retain: false },
      username: 'u',
      password: u8(0x70),
    },
  },
  {
    name: '3.1 CONNACK accepted',
    version: 3,
    side: 'client',
    bytes: bytes(0x20, 0x02, 0x00, 0x00),
    packet: { type: 'connack', sessionPresent: false, reasonCode: 0 },
  },
  {
    name: '3.1 CONNACK refused: not authorized (5)',
    version: 3,
    side: 'client',
    bytes: bytes(0x20, 0x02, 0x00, 0x05),
    packet: { type: 'connack', sessionPresent: false, reasonCode: 5 },
  },
  {
    name: '3.1 PUBLISH QoS 0 "a/b" with payload "hi"',
    version: 3,
    side: 'server',
    bytes: bytes(0x30, 0x07, 0x00, 0x03, ascii('a/b'), ascii('hi')),
    packet: { type: 'publish', topic: 'a/b', payload: u8(0x68, 0x69), qos: 0, retain: false, dup: false },
  },
  {
    name: '3.1 PUBLISH QoS 2 with DUP and RETAIN and an empty payload',
    version: 3,
    side: 'client',
    // 0x3d = PUBLISH 0x30 | DUP 0x08 | QoS 2 0x04 | RETAIN 0x01
    bytes: bytes(0x3d, 0x05, 0x00, 0x01, ascii('a'), 0x01, 0x02),
    packet: { type: 'publish', topic: 'a', payload: u8(), qos: 2, retain: true, dup: true, packetId: 0x0102 },
  },
  {
    name: '3.1 PUBACK',
    version: 3,
    side: 'server',
    bytes: bytes(0x40, 0x02, 0x00, 0x01),
    packet: { type: 'puback', packetId: 1 },
  },
  {
    name: '3.1 PUBREC',
    version: 3,
    side: 'client',
    bytes: bytes(0x50, 0x02, 0x00, 0x01),
    packet: { type: 'pubrec', packetId: 1 },
  },
  {
    name: '3.1 PUBREL',
    version: 3,
    side: 'server',
    bytes: bytes(0x62, 0x02, 0x00, 0x01),
    packet: { type: 'pubrel', packetId: 1 },
  },
  {
    name: '3.1 PUBCOMP',
    version: 3,
    side: 'client',
    bytes: bytes(0x70, 0x02, 0x00, 0x01),
    packet: { type: 'pubcomp', packetId: 1 },
  },
  {
    name: '3.1 SUBSCRIBE two filters',
    version: 3,
    side: 'server',
    // RL 12 = packet id 2 + ("a/+" 5, QoS 1) + ("#" 3, QoS 0)
    bytes: bytes(0x82, 0x0c, 0x00, 0x0a, 0x00, 0x03, ascii('a/+'), 0x01, 0x00, 0x01, ascii('#'), 0x00),
    packet: {
      type: 'subscribe',
      packetId: 10,
      subscriptions: [
        { topicFilter: 'a/+', qos: 1 },
        { topicFilter: '#', qos: 0 },
      ],
    },
  },
  {
    name: '3.1 SUBACK granting QoS 1 and 0',
    version: 3,
    side: 'client',
    bytes: bytes(0x90, 0x04, 0x00, 0x0a, 0x01, 0x00),
    packet: { type: 'suback', packetId: 10, reasonCodes: [1, 0] },
  },
  {
    name: '3.1 UNSUBSCRIBE',
    version: 3,
    side: 'server',
    bytes: bytes(0xa2, 0x07, 0x00, 0x0b, 0x00, 0x03, ascii('a/+')),
    packet: { type: 'unsubscribe', packetId: 11, topicFilters: ['a/+'] },
  },
  // MQTT 3.1 sets DUP on a retried PUBREL, SUBSCRIBE or UNSUBSCRIBE (3.1 sections 2.1 and 4.2);
  // 3.1.1 made those flags a fixed 0010. The packets decode as the first attempt did.
  {
    name: '3.1 PUBREL retried with DUP (flags 1010), from the client',
    version: 3,
    side: 'server',
    bytes: bytes(0x6a, 0x02, 0x00, 0x01),
    packet: { type: 'pubrel', packetId: 1 },
    decodeOnly: true,
  },
  {
    name: '3.1 PUBREL retried with DUP (flags 1010), from the server',
    version: 3,
    side: 'client',
    bytes: bytes(0x6a, 0x02, 0x00, 0x01),
    packet: { type: 'pubrel', packetId: 1 },
    decodeOnly: true,
  },
  {
    name: '3.1 SUBSCRIBE retried with DUP (flags 1010)',
    version: 3,
    side: 'server',
    // RL 8 = packet id 2 + ("a/+" 5, QoS 1)
    bytes: bytes(0x8a, 0x08, 0x00, 0x0a, 0x00, 0x03, ascii('a/+'), 0x01),
    packet: { type: 'subscribe', packetId: 10, subscriptions: [{ topicFilter: 'a/+', qos: 1 }] },
    decodeOnly: true,
  },
  {
    name: '3.1 UNSUBSCRIBE retried with DUP (flags 1010)',
    version: 3,
    side: 'server',
    bytes: bytes(0xaa, 0x07, 0x00, 0x0b, 0x00, 0x03, ascii('a/+')),
    packet: { type: 'unsubscribe', packetId: 11, topicFilters: ['a/+'] },
    decodeOnly: true,
  },
  {
    name: '3.1 UNSUBACK',
    version: 3,
    side: 'client',
    bytes: bytes(0xb0, 0x02, 0x00, 0x0b),
    packet: { type: 'unsuback', packetId: 11 },
  },
  { name: '3.1 PINGREQ', version: 3, side: 'server', bytes: bytes(0xc0, 0x00), packet: { type: 'pingreq' } },
  {
    name: '3.1 PINGRESP',
    version: 3,
    side: 'client',
    bytes: bytes(0xd0, 0x00),
    packet: { type: 'pingresp' },
  },
  {
    name: '3.1 DISCONNECT',
    version: 3,
    side: 'server',
    bytes: bytes(0xe0, 0x00),
    packet: { type: 'disconnect' },
  },
];

const mqtt311: ValidCase[] = [
  {
    name: '3.1.1 CONNECT with an empty client id and clean session',
    version: 4,
    side: 'server',
    // RL 12 = name 6 + level 1 + flags 1 + keepalive 2 + client id 2
    bytes: bytes(0x10, 0x0c, MQTT, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00),
    packet: { type: 'connect', protocolVersion: 4, clean: true, keepAlive: 60, clientId: '' },
  },
  {
    name: '3.1.1 CONNECT with retained QoS 2 will, user name and binary password, no clean session',
    version: 4,
    side: 'server',
    // flags 0xf4 = user name 0x80 | password 0x40 | will retain 0x20 | will QoS 2 0x10 | will 0x04
    // RL 50 = 10 + client id 7 + will topic 14 + will message 9 + user name 6 + password 4
    bytes: bytes(
      [0x10, 0x32, ...MQTT, 0x04, 0xf4, 0x01, 0x2c],
      [0x00, 0x05, ...ascii('dev-1')],
      [0x00, 0x0c, ...ascii('status/dev-1')],
      [0x00, 0x07, ...ascii('offline')],
      [0x00, 0x04, ...ascii('user')],
      [0x00, 0x02, 0x00, 0xff],
    ),
    packet: {
      type: 'connect',
      protocolVersion: 4,
      clean: false,
      keepAlive: 300,
      clientId: 'dev-1',
      will: { topic: 'status/dev-1', payload: u8(...ascii('offline')), qos: 2, retain: true },
      username: 'user',
      password: u8(0x00, 0xff),
    },
  },
  {
    name: '3.1.1 CONNACK with Session Present',
    version: 4,
    side: 'client',
    bytes: bytes(0x20, 0x02, 0x01, 0x00),
    packet: { type: 'connack', sessionPresent: true, reasonCode: 0 },
  },
  {
    name: '3.1.1 CONNACK refused: bad user name or password (4)',
    version: 4,
    side: 'client',
    bytes: bytes(0x20, 0x02, 0x00, 0x04),
    packet: { type: 'connack', sessionPresent: false, reasonCode: 4 },
  },
  {
    name: '3.1.1 PUBLISH QoS 1 with a UTF-8 topic (2-byte and astral characters) and packet id 65535',
    version: 4,
    side: 'server',
    // "café/𝄞": c3 a9 is U+00E9, f0 9d 84 9e is U+1D11E; RL 17 = 2 + 10 + 2 + 3
    bytes: bytes(
      0x32,
      0x11,
      0x00,
      0x0a,
      ascii('caf'),
      0xc3,
      0xa9,
      0x2f,
      0xf0,
      0x9d,
      0x84,
      0x9e,
      0xff,
      0xff,
      0x00,
      0x01,
      0x02,
    ),
    packet: {
      type: 'publish',
      topic: 'caf\u00e9/\u{1d11e}',
      payload: u8(0, 1, 2),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 65535,
    },
  },
  {
    name: '[MQTT-1.5.3-3] 3.1.1 PUBLISH keeps a leading BOM (EF BB BF) in the topic as U+FEFF',
    version: 4,
    side: 'client',
    bytes: bytes(0x30, 0x06, 0x00, 0x04, 0xef, 0xbb, 0xbf, ascii('a')),
    packet: { type: 'publish', topic: '\ufeffa', payload: u8(), qos: 0, retain: false, dup: false },
  },
  {
    name: '3.1.1 PUBLISH with a two-byte Remaining Length (203)',
    version: 4,
    side: 'server',
    // 203 = 0x4b + 1 * 128: encoded cb 01
    bytes: bytes(0x30, 0xcb, 0x01, 0x00, 0x01, ascii('t'), repeat(0x55, 200)),
    packet: {
      type: 'publish',
      topic: 't',
      payload: Uint8Array.from(repeat(0x55, 200)),
      qos: 0,
      retain: false,
      dup: false,
    },
  },
  {
    name: '3.1.1 PUBLISH with a three-byte Remaining Length (16384)',
    version: 4,
    side: 'client',
    // 16384 = 128 * 128: encoded 80 80 01
    bytes: bytes(0x31, 0x80, 0x80, 0x01, 0x00, 0x01, ascii('t'), repeat(0xaa, 16381)),
    packet: {
      type: 'publish',
      topic: 't',
      payload: Uint8Array.from(repeat(0xaa, 16381)),
      qos: 0,
      retain: true,
      dup: false,
    },
  },
  {
    name: '3.1.1 PUBACK',
    version: 4,
    side: 'client',
    bytes: bytes(0x40, 0x02, 0x12, 0x34),
    packet: { type: 'puback', packetId: 0x1234 },
  },
  {
    name: '3.1.1 PUBREC',
    version: 4,
    side: 'server',
    bytes: bytes(0x50, 0x02, 0x12, 0x34),
    packet: { type: 'pubrec', packetId: 0x1234 },
  },
  {
    name: '3.1.1 PUBREL',
    version: 4,
    side: 'client',
    bytes: bytes(0x62, 0x02, 0x12, 0x34),
    packet: { type: 'pubrel', packetId: 0x1234 },
  },
  {
    name: '3.1.1 PUBCOMP',
    version: 4,
    side: 'server',
    bytes: bytes(0x70, 0x02, 0x12, 0x34),
    packet: { type: 'pubcomp', packetId: 0x1234 },
  },
  {
    name: '3.1.1 SUBSCRIBE at QoS 2',
    version: 4,
    side: 'server',
    bytes: bytes(0x82, 0x08, 0x00, 0x01, 0x00, 0x03, ascii('a/b'), 0x02),
    packet: { type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a/b', qos: 2 }] },
  },
  {
    name: '3.1.1 SUBACK with a failure (0x80)',
    version: 4,
    side: 'client',
    bytes: bytes(0x90, 0x05, 0x00, 0x01, 0x00, 0x02, 0x80),
    packet: { type: 'suback', packetId: 1, reasonCodes: [0, 2, 0x80] },
  },
  {
    name: '3.1.1 UNSUBSCRIBE two filters',
    version: 4,
    side: 'server',
    bytes: bytes(0xa2, 0x0a, 0x00, 0x02, 0x00, 0x01, ascii('a'), 0x00, 0x03, ascii('b/#')),
    packet: { type: 'unsubscribe', packetId: 2, topicFilters: ['a', 'b/#'] },
  },
  {
    name: '3.1.1 UNSUBACK',
    version: 4,
    side: 'client',
    bytes: bytes(0xb0, 0x02, 0x00, 0x02),
    packet: { type: 'unsuback', packetId: 2 },
  },
  {
    name: '3.1.1 PINGREQ',
    version: 4,
    side: 'server',
    bytes: bytes(0xc0, 0x00),
    packet: { type: 'pingreq' },
  },
  {
    name: '3.1.1 PINGRESP',
    version: 4,
    side: 'client',
    bytes: bytes(0xd0, 0x00),
    packet: { type: 'pingresp' },
  },
  {
    name: '3.1.1 DISCONNECT',
    version: 4,
    side: 'server',
    bytes: bytes(0xe0, 0x00),
    packet: { type: 'disconnect' },
  },
];

/** Valid MQTT 3.1 and 3.1.1 cases. */
export const VALID_MQTT3: readonly ValidCase[] = [...mqtt31, ...mqtt311];
