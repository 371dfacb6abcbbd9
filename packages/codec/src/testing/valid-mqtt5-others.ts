import { ascii, bytes, u8 } from './bytes.js';
import type { ValidCase } from './types.js';

/**
 * Well-formed MQTT 5.0 acknowledgements, subscriptions, PINGs, DISCONNECT and AUTH, including their
 * short forms and every property each may carry.
 */

/** User Property ("k", "v"): 26, then two UTF-8 strings. */
const KV = [0x26, 0x00, 0x01, ...ascii('k'), 0x00, 0x01, ...ascii('v')];

const acks: ValidCase[] = [
  {
    name: '5.0 PUBACK short form (Remaining Length 2 means Success)',
    version: 5,
    side: 'server',
    bytes: bytes(0x40, 0x02, 0x00, 0x01),
    packet: { type: 'puback', packetId: 1, reasonCode: 0 },
  },
  {
    name: '5.0 PUBACK with a reason code and no Property Length',
    version: 5,
    side: 'client',
    bytes: bytes(0x40, 0x03, 0x00, 0x01, 0x10),
    packet: { type: 'puback', packetId: 1, reasonCode: 0x10 },
  },
  {
    name: '5.0 PUBACK with Reason String and User Property',
    version: 5,
    side: 'client',
    bytes: bytes(0x40, 0x10, 0x00, 0x01, 0x80, 0x0c, [0x1f, 0x00, 0x02, ...ascii('no')], KV),
    packet: {
      type: 'puback',
      packetId: 1,
      reasonCode: 0x80,
      properties: { reasonString: 'no', userProperties: [['k', 'v']] },
    },
  },
  {
    name: '5.0 PUBACK long form of Success with Property Length 0 (decodes like the short form)',
    version: 5,
    side: 'server',
    bytes: bytes(0x40, 0x04, 0x00, 0x01, 0x00, 0x00),
    packet: { type: 'puback', packetId: 1, reasonCode: 0 },
    decodeOnly: true,
  },
  {
    name: '5.0 PUBREC Packet Identifier in use (0x91)',
    version: 5,
    side: 'client',
    bytes: bytes(0x50, 0x03, 0x00, 0x02, 0x91),
    packet: { type: 'pubrec', packetId: 2, reasonCode: 0x91 },
  },
  {
    name: '5.0 PUBREL short form',
    version: 5,
    side: 'server',
    bytes: bytes(0x62, 0x02, 0x00, 0x03),
    packet: { type: 'pubrel', packetId: 3, reasonCode: 0 },
  },
  {
    name: '5.0 PUBREL Packet Identifier not found (0x92)',
    version: 5,
    side: 'client',
    bytes: bytes(0x62, 0x03, 0x00, 0x03, 0x92),
    packet: { type: 'pubrel', packetId: 3, reasonCode: 0x92 },
  },
  {
    name: '5.0 PUBCOMP with a Reason String',
    version: 5,
    side: 'server',
    bytes: bytes(0x70, 0x09, 0x00, 0x04, 0x00, 0x05, 0x1f, 0x00, 0x02, ascii('ok')),
    packet: { type: 'pubcomp', packetId: 4, reasonCode: 0, properties: { reasonString: 'ok' } },
  },
];

const subscriptions: ValidCase[] = [
  {
    name: '5.0 SUBSCRIBE with every subscription option, a Subscription Identifier and a shared filter',
    version: 5,
    side: 'server',
    // options 0x2d = Retain Handling 2 (0x20) | Retain As Published 0x08 | No Local 0x04 | QoS 1;
    // options 0x10 = Retain Handling 1. RL 32 = 2 + 1 + 10 + 6 + 13
    bytes: bytes(
      [0x82, 0x20, 0x00, 0x10, 0x0a],
      [0x0b, 0x80, 0x01], // Subscription Identifier 128
      KV,
      [0x00, 0x03, ...ascii('a/#'), 0x2d],
      [0x00, 0x0a, ...ascii('$share/g/x'), 0x10],
    ),
    packet: {
      type: 'subscribe',
      packetId: 16,
      subscriptions: [
        { topicFilter: 'a/#', qos: 1, noLocal: true, retainAsPublished: true, retainHandling: 2 },
        { topicFilter: '$share/g/x', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 1 },
      ],
      properties: { subscriptionIdentifier: 128, userProperties: [['k', 'v']] },
    },
  },
  {
    name: '5.0 SUBACK with a Reason String and a refusal (0xA2)',
    version: 5,
    side: 'client',
    bytes: bytes(0x90, 0x09, 0x00, 0x10, 0x04, 0x1f, 0x00, 0x01, ascii('r'), 0x01, 0xa2),
    packet: { type: 'suback', packetId: 16, reasonCodes: [1, 0xa2], properties: { reasonString: 'r' } },
  },
  {
    name: '5.0 SUBACK minimal',
    version: 5,
    side: 'client',
    bytes: bytes(0x90, 0x04, 0x00, 0x10, 0x00, 0x02),
    packet: { type: 'suback', packetId: 16, reasonCodes: [2] },
  },
  {
    name: '5.0 UNSUBSCRIBE with a User Property',
    version: 5,
    side: 'server',
    bytes: bytes(0xa2, 0x0f, 0x00, 0x11, 0x07, KV, 0x00, 0x03, ascii('a/#')),
    packet: {
      type: 'unsubscribe',
      packetId: 17,
      topicFilters: ['a/#'],
      properties: { userProperties: [['k', 'v']] },
    },
  },
  {
    name: '5.0 UNSUBSCRIBE without properties',
    version: 5,
    side: 'server',
    bytes: bytes(0xa2, 0x06, 0x00, 0x11, 0x00, 0x00, 0x01, ascii('a')),
    packet: { type: 'unsubscribe', packetId: 17, topicFilters: ['a'] },
  },
  {
    name: '5.0 UNSUBACK with two reason codes',
    version: 5,
    side: 'client',
    bytes: bytes(0xb0, 0x05, 0x00, 0x11, 0x00, 0x00, 0x11),
    packet: { type: 'unsuback', packetId: 17, reasonCodes: [0, 0x11] },
  },
  {
    name: '5.0 UNSUBACK with a Reason String',
    version: 5,
    side: 'client',
    bytes: bytes(0xb0, 0x08, 0x00, 0x11, 0x04, 0x1f, 0x00, 0x01, ascii('r'), 0x87),
    packet: { type: 'unsuback', packetId: 17, reasonCodes: [0x87], properties: { reasonString: 'r' } },
  },
];

const others: ValidCase[] = [
  { name: '5.0 PINGREQ', version: 5, side: 'server', bytes: bytes(0xc0, 0x00), packet: { type: 'pingreq' } },
  {
    name: '5.0 PINGRESP',
    version: 5,
    side: 'client',
    bytes: bytes(0xd0, 0x00),
    packet: { type: 'pingresp' },
  },
  {
    name: '5.0 DISCONNECT short form from the client (Normal disconnection)',
    version: 5,
    side: 'server',
    bytes: bytes(0xe0, 0x00),
    packet: { type: 'disconnect', reasonCode: 0 },
  },
  {
    name: '5.0 DISCONNECT short form from the server',
    version: 5,
    side: 'client',
    bytes: bytes(0xe0, 0x00),
    packet: { type: 'disconnect', reasonCode: 0 },
  },
  {
    name: '5.0 DISCONNECT with Will Message (0x04), no Property Length',
    version: 5,
    side: 'server',
    bytes: bytes(0xe0, 0x01, 0x04),
    packet: { type: 'disconnect', reasonCode: 4 },
  },
  {
    name: '5.0 DISCONNECT from the client with Session Expiry Interval, Reason String and User Property',
    version: 5,
    side: 'server',
    bytes: bytes(
      0xe0,
      0x14,
      0x00,
      0x12,
      [0x11, 0x00, 0x00, 0x00, 0x00],
      [0x1f, 0x00, 0x03, ...ascii('bye')],
      KV,
    ),
    packet: {
      type: 'disconnect',
      reasonCode: 0,
      properties: { sessionExpiryInterval: 0, reasonString: 'bye', userProperties: [['k', 'v']] },
    },
  },
  {
    name: '5.0 DISCONNECT from the server: Use another server (0x9C) with Server Reference',
    version: 5,
    side: 'client',
    bytes: bytes(0xe0, 0x0a, 0x9c, 0x08, 0x1c, 0x00, 0x05, ascii('other')),
    packet: { type: 'disconnect', reasonCode: 0x9c, properties: { serverReference: 'other' } },
  },
  {
    name: '5.0 AUTH short form (Success)',
    version: 5,
    side: 'client',
    bytes: bytes(0xf0, 0x00),
    packet: { type: 'auth', reasonCode: 0 },
  },
  {
    name: '5.0 AUTH Continue authentication (0x18) with every AUTH property',
    version: 5,
    side: 'server',
    bytes: bytes(
      [0xf0, 0x1a, 0x18, 0x18],
      [0x15, 0x00, 0x05, ...ascii('SCRAM')],
      [0x16, 0x00, 0x02, 0x01, 0x02],
      [0x1f, 0x00, 0x01, ...ascii('r')],
      KV,
    ),
    packet: {
      type: 'auth',
      reasonCode: 0x18,
      properties: {
        authenticationMethod: 'SCRAM',
        authenticationData: u8(1, 2),
        reasonString: 'r',
        userProperties: [['k', 'v']],
      },
    },
  },
  {
    name: '5.0 AUTH long form of Success with Property Length 0',
    version: 5,
    side: 'client',
    bytes: bytes(0xf0, 0x02, 0x00, 0x00),
    packet: { type: 'auth', reasonCode: 0 },
    decodeOnly: true,
  },
];

/** Valid MQTT 5.0 cases other than CONNECT, CONNACK and PUBLISH. */
export const VALID_MQTT5_OTHERS: readonly ValidCase[] = [...acks, ...subscriptions, ...others];
