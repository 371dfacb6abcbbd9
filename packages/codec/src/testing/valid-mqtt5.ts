import { ascii, bytes, u8 } from './bytes.js';
import type { ValidCase } from './types.js';

/**
 * Well-formed MQTT 5.0 CONNECT, CONNACK and PUBLISH packets with every property they may carry.
 * Properties are listed by ascending identifier with User Properties last, the order the encoder
 * writes; a receiver accepts any order.
 */

const MQTT5 = [0x00, 0x04, ...ascii('MQTT'), 0x05];

const connect: ValidCase[] = [
  {
    name: '5.0 CONNECT minimal: empty client id, no properties',
    version: 5,
    side: 'server',
    // RL 13 = name 6 + level 1 + flags 1 + keepalive 2 + Property Length 1 + client id 2
    bytes: bytes(0x10, 0x0d, MQTT5, 0x02, 0x00, 0x3c, 0x00, 0x00, 0x00),
    packet: { type: 'connect', protocolVersion: 5, clean: true, keepAlive: 60, clientId: '' },
  },
  {
    name: '5.0 CONNECT with every CONNECT property, a will with every will property, user name and password',
    version: 5,
    side: 'server',
    // flags 0xce = user name | password | will QoS 1 | will | clean start.
    // Properties 47 (0x2f) bytes, will properties 38 (0x26) bytes; RL 127 = 10 + 48 + 69.
    bytes: bytes(
      [0x10, 0x7f, ...MQTT5, 0xce, 0x00, 0x1e],
      0x2f,
      [0x11, 0x00, 0x00, 0x0e, 0x10], // Session Expiry Interval 3600
      [0x15, 0x00, 0x05, ...ascii('SCRAM')], // Authentication Method
      [0x16, 0x00, 0x02, 0x01, 0x02], // Authentication Data
      [0x17, 0x00], // Request Problem Information 0
      [0x19, 0x01], // Request Response Information 1
      [0x21, 0x00, 0x14], // Receive Maximum 20
      [0x22, 0x00, 0x0a], // Topic Alias Maximum 10
      [0x27, 0x00, 0x01, 0x00, 0x00], // Maximum Packet Size 65536
      [0x26, 0x00, 0x01, ...ascii('k'), 0x00, 0x01, ...ascii('v')], // User Property k=v
      [0x26, 0x00, 0x01, ...ascii('k'), 0x00, 0x01, ...ascii('w')], // User Property k=w (same name, kept)
      [0x00, 0x03, ...ascii('cid')], // Client Identifier
      0x26,
      [0x01, 0x01], // Payload Format Indicator 1
      [0x02, 0x00, 0x00, 0x00, 0x3c], // Message Expiry Interval 60
      [0x03, 0x00, 0x04, ...ascii('text')], // Content Type
      [0x08, 0x00, 0x05, ...ascii('reply')], // Response Topic
      [0x09, 0x00, 0x02, 0xab, 0xcd], // Correlation Data
      [0x18, 0x00, 0x00, 0x00, 0x05], // Will Delay Interval 5
      [0x26, 0x00, 0x01, ...ascii('a'), 0x00, 0x00], // User Property a="" (empty value)
      [0x00, 0x06, ...ascii('will/t')], // Will Topic
      [0x00, 0x04, ...ascii('dead')], // Will Payload
      [0x00, 0x05, ...ascii('alice')], // User Name
      [0x00, 0x02, ...ascii('s3')], // Password
    ),
    packet: {
      type: 'connect',
      protocolVersion: 5,
      clean: true,
      keepAlive: 30,
      clientId: 'cid',
      properties: {
        sessionExpiryInterval: 3600,
        authenticationMethod: 'SCRAM',
        authenticationData: u8(1, 2),
        requestProblemInformation: false,
        requestResponseInformation: true,
        receiveMaximum: 20,
        topicAliasMaximum: 10,
        maximumPacketSize: 65536,
        userProperties: [
          ['k', 'v'],
          ['k', 'w'],
        ],
      },
      will: {
        topic: 'will/t',
        payload: u8(...ascii('dead')),
        qos: 1,
        retain: false,
        properties: {
          payloadFormatIndicator: true,
          messageExpiryInterval: 60,
          contentType: 'text',
          responseTopic: 'reply',
          correlationData: u8(0xab, 0xcd),
          willDelayInterval: 5,
          userProperties: [['a', '']],
        },
      },
      username: 'alice',
      password: u8(...ascii('s3')),
    },
  },
  {
    name: '5.0 CONNECT with a password and no user name (allowed since 5.0)',
    version: 5,
    side: 'server',
    bytes: bytes(0x10, 0x11, MQTT5, 0x42, 0x00, 0x00, 0x00, 0x00, 0x01, ascii('x'), 0x00, 0x01, ascii('p')),
    packet: {
      type: 'connect',
      protocolVersion: 5,
      clean: true,
      keepAlive: 0,
      clientId: 'x',
      password: u8(0x70),
    },
  },
  {
    name: '5.0 CONNACK minimal',
    version: 5,
    side: 'client',
    bytes: bytes(0x20, 0x03, 0x00, 0x00, 0x00),
    packet: { type: 'connack', sessionPresent: false, reasonCode: 0 },
  },
  {
    name: '5.0 CONNACK refused: Unsupported Protocol Version (0x84)',
    version: 5,
    side: 'client',
    bytes: bytes(0x20, 0x03, 0x00, 0x84, 0x00),
    packet: { type: 'connack', sessionPresent: false, reasonCode: 0x84 },
  },
  {
    name: '5.0 CONNACK with every CONNACK property and Session Present',
    version: 5,
    side: 'client',
    // Properties 75 (0x4b) bytes; RL 78 = flags 1 + reason 1 + 1 + 75
    bytes: bytes(
      [0x20, 0x4e, 0x01, 0x00, 0x4b],
      [0x11, 0x00, 0x00, 0x00, 0x78], // Session Expiry Interval 120
      [0x12, 0x00, 0x04, ...ascii('auto')], // Assigned Client Identifier
      [0x13, 0x00, 0x3c], // Server Keep Alive 60
      [0x15, 0x00, 0x05, ...ascii('SCRAM')], // Authentication Method
      [0x16, 0x00, 0x01, 0xff], // Authentication Data
      [0x1a, 0x00, 0x04, ...ascii('resp')], // Response Information
      [0x1c, 0x00, 0x05, ...ascii('other')], // Server Reference
      [0x1f, 0x00, 0x02, ...ascii('ok')], // Reason String
      [0x21, 0xff, 0xff], // Receive Maximum 65535
      [0x22, 0x00, 0x05], // Topic Alias Maximum 5
      [0x24, 0x01], // Maximum QoS 1
      [0x25, 0x00], // Retain Available 0
      [0x27, 0x00, 0x10, 0x00, 0x00], // Maximum Packet Size 1048576
      [0x28, 0x01], // Wildcard Subscription Available 1
      [0x29, 0x00], // Subscription Identifier Available 0
      [0x2a, 0x01], // Shared Subscription Available 1
      [0x26, 0x00, 0x01, ...ascii('x'), 0x00, 0x01, ...ascii('y')], // User Property
    ),
    packet: {
      type: 'connack',
      sessionPresent: true,
      reasonCode: 0,
      properties: {
        sessionExpiryInterval: 120,
        assignedClientIdentifier: 'auto',
        serverKeepAlive: 60,
        authenticationMethod: 'SCRAM',
        authenticationData: u8(0xff),
        responseInformation: 'resp',
        serverReference: 'other',
        reasonString: 'ok',
        receiveMaximum: 65535,
        topicAliasMaximum: 5,
        maximumQoS: 1,
        retainAvailable: false,
        maximumPacketSize: 1048576,
        wildcardSubscriptionAvailable: true,
        subscriptionIdentifiersAvailable: false,
        sharedSubscriptionAvailable: true,
        userProperties: [['x', 'y']],
      },
    },
  },
];

const publish: ValidCase[] = [
  {
    name: '5.0 PUBLISH QoS 0 without properties',
    version: 5,
    side: 'server',
    bytes: bytes(0x30, 0x08, 0x00, 0x03, ascii('a/b'), 0x00, ascii('hi')),
    packet: { type: 'publish', topic: 'a/b', payload: u8(0x68, 0x69), qos: 0, retain: false, dup: false },
  },
  {
    name: '[MQTT-3.3.4-4] 5.0 PUBLISH to a client with every PUBLISH property and two Subscription Identifiers',
    version: 5,
    side: 'client',
    // 0x33 = PUBLISH | QoS 1 | RETAIN; properties 66 (0x42) bytes; RL 76 = 5 + 2 + 1 + 66 + 2
    bytes: bytes(
      [0x33, 0x4c, 0x00, 0x03, ...ascii('t/1'), 0x00, 0x05, 0x42],
      [0x01, 0x00], // Payload Format Indicator 0
      [0x02, 0x00, 0x01, 0x51, 0x80], // Message Expiry Interval 86400
      [0x03, 0x00, 0x10, ...ascii('application/json')], // Content Type
      [0x08, 0x00, 0x07, ...ascii('resp/to')], // Response Topic
      [0x09, 0x00, 0x03, 0x01, 0x02, 0x03], // Correlation Data
      [0x0b, 0x01], // Subscription Identifier 1
      [0x0b, 0xff, 0xff, 0xff, 0x7f], // Subscription Identifier 268435455 (four-byte maximum)
      [0x23, 0x00, 0x07], // Topic Alias 7
      [0x26, 0x00, 0x01, ...ascii('b'), 0x00, 0x01, ...ascii('1')], // User Property b=1
      [0x26, 0x00, 0x01, ...ascii('a'), 0x00, 0x01, ...ascii('2')], // User Property a=2 (order kept)
      [0xde, 0xad], // payload
    ),
    packet: {
      type: 'publish',
      topic: 't/1',
      payload: u8(0xde, 0xad),
      qos: 1,
      retain: true,
      dup: false,
      packetId: 5,
      properties: {
        payloadFormatIndicator: false,
        messageExpiryInterval: 86400,
        contentType: 'application/json',
        responseTopic: 'resp/to',
        correlationData: u8(1, 2, 3),
        subscriptionIdentifiers: [1, 268435455],
        topicAlias: 7,
        userProperties: [
          ['b', '1'],
          ['a', '2'],
        ],
      },
    },
  },
  {
    name: '5.0 PUBLISH with an empty topic standing for Topic Alias 1',
    version: 5,
    side: 'server',
    bytes: bytes(0x30, 0x07, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01, ascii('x')),
    packet: {
      type: 'publish',
      topic: '',
      payload: u8(0x78),
      qos: 0,
      retain: false,
      dup: false,
      properties: { topicAlias: 1 },
    },
  },
];

/** Valid MQTT 5.0 CONNECT, CONNACK and PUBLISH cases. */
export const VALID_MQTT5_CONNECT_PUBLISH: readonly ValidCase[] = [...connect, ...publish];
