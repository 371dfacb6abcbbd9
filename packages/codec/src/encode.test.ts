import { MqttError, type Packet } from '@mqttkit/types';
import { describe, expect, it } from 'vitest';
import { Decoder } from './decoder.js';
import { encode, encodedSize } from './encode.js';

function failure(fn: () => unknown): { code: string; specRef?: string | undefined } | 'TypeError' {
  try {
    fn();
  } catch (error) {
    if (error instanceof TypeError) return 'TypeError';
    if (MqttError.isInstance(error))
      return error.specRef === undefined
        ? { code: error.code }
        : { code: error.code, specRef: error.specRef };
    throw error;
  }
  throw new Error('expected encode to throw');
}

const pub = (extra: object): Packet =>
  ({
    type: 'publish',
    topic: 't',
    payload: new Uint8Array(0),
    qos: 0,
    retain: false,
    dup: false,
    ...extra,
  }) as Packet;

describe('encode refuses packets it cannot represent', () => {
  it.each<[string, () => unknown, ReturnType<typeof failure>]>([
    ['an unknown packet type', () => encode({ type: 'nope' } as unknown as Packet, 4), 'TypeError'],
    ['an unknown protocol version', () => encode({ type: 'pingreq' }, 6 as 5), 'TypeError'],
    ['AUTH before 5.0', () => encode({ type: 'auth', reasonCode: 0 }, 4), { code: 'PROTOCOL_ERROR' }],
    [
      'a QoS 1 PUBLISH without packetId',
      () => encode(pub({ qos: 1 }), 4),
      { code: 'PROTOCOL_ERROR', specRef: 'MQTT-2.3.1-1' },
    ],
    [
      'a QoS 1 PUBLISH with packetId 0 (5.0)',
      () => encode(pub({ qos: 1, packetId: 0 }), 5),
      { code: 'PROTOCOL_ERROR', specRef: 'MQTT-2.2.1-3' },
    ],
    ['a packetId above 65535', () => encode(pub({ qos: 2, packetId: 65_536 }), 4), 'TypeError'],
    ['QoS 3', () => encode(pub({ qos: 3 }), 4), 'TypeError'],
    [
      'DUP at QoS 0',
      () => encode(pub({ dup: true }), 4),
      { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.3.1-2' },
    ],
    [
      'a wildcard in a topic',
      () => encode(pub({ topic: 'a/#' }), 4),
      { code: 'TOPIC_NAME_INVALID', specRef: 'MQTT-3.3.2-2' },
    ],
    [
      'an empty topic before 5.0',
      () => encode(pub({ topic: '' }), 4),
      { code: 'TOPIC_NAME_INVALID', specRef: 'MQTT-4.7.3-1' },
    ],
    ['an empty topic without Topic Alias', () => encode(pub({ topic: '' }), 5), { code: 'PROTOCOL_ERROR' }],
    [
      'a topic over 65,535 bytes',
      () => encode(pub({ topic: 'a'.repeat(65_536) }), 4),
      { code: 'MALFORMED_PACKET' },
    ],
    [
      'a lone surrogate',
      () => encode(pub({ topic: 'a\ud800' }), 5),
      { code: 'MALFORMED_PACKET', specRef: 'MQTT-1.5.4-1' },
    ],
    [
      'U+0000',
      () => encode(pub({ topic: 'a\u0000' }), 4),
      { code: 'MALFORMED_PACKET', specRef: 'MQTT-1.5.3-2' },
    ],
    ['a payload that is not bytes', () => encode(pub({ payload: 'x' }), 4), 'TypeError'],
    [
      'a Response Topic with a wildcard',
      () => encode(pub({ properties: { responseTopic: '+' } }), 5),
      { code: 'PROTOCOL_ERROR', specRef: 'MQTT-3.3.2-14' },
    ],
    [
      'Topic Alias 0',
      () => encode(pub({ properties: { topicAlias: 0 } }), 5),
      { code: 'TOPIC_ALIAS_INVALID', specRef: 'MQTT-3.3.2-8' },
    ],
    [
      'Subscription Identifier 0',
      () => encode(pub({ properties: { subscriptionIdentifiers: [0] } }), 5),
      { code: 'PROTOCOL_ERROR' },
    ],
    [
      'a property of the wrong type',
      () => encode(pub({ properties: { messageExpiryInterval: '1' } }), 5),
      'TypeError',
    ],
    [
      'a Four Byte Integer out of range',
      () => encode(pub({ properties: { messageExpiryInterval: 2 ** 32 } }), 5),
      'TypeError',
    ],
    [
      'a user property that is not a pair',
      () => encode(pub({ properties: { userProperties: [['a']] } }), 5),
      'TypeError',
    ],
    [
      'Correlation Data over 65,535 bytes',
      () => encode(pub({ properties: { correlationData: new Uint8Array(65_536) } }), 5),
      { code: 'MALFORMED_PACKET' },
    ],
    [
      'a PUBACK reason code in 3.1.1',
      () => encode({ type: 'puback', packetId: 1, reasonCode: 0x80 }, 4),
      { code: 'PROTOCOL_ERROR' },
    ],
    [
      'a PUBREL with a PUBACK-only reason code',
      () => encode({ type: 'pubrel', packetId: 1, reasonCode: 0x10 as 0 }, 5),
      { code: 'PROTOCOL_ERROR', specRef: 'MQTT-3.6.2-1' },
    ],
    [
      'a CONNACK return code 6 in 3.1.1',
      () => encode({ type: 'connack', sessionPresent: false, reasonCode: 6 as 5 }, 4),
      { code: 'PROTOCOL_ERROR' },
    ],
    [
      'a refused CONNACK with Session Present',
      () => encode({ type: 'connack', sessionPresent: true, reasonCode: 0x80 }, 5),
      { code: 'PROTOCOL_ERROR', specRef: 'MQTT-3.2.2-6' },
    ],
    [
      'a CONNACK with Maximum QoS 2',
      () =>
        encode(
          { type: 'connack', sessionPresent: false, reasonCode: 0, properties: { maximumQoS: 2 as 1 } },
          5,
        ),
      { code: 'PROTOCOL_ERROR' },
    ],
    [
      'Receive Maximum 0',
      () =>
        encode(
          { type: 'connack', sessionPresent: false, reasonCode: 0, properties: { receiveMaximum: 0 } },
          5,
        ),
      { code: 'PROTOCOL_ERROR' },
    ],
    [
      'a SUBSCRIBE without subscriptions',
      () => encode({ type: 'subscribe', packetId: 1, subscriptions: [] }, 4),
      { code: 'PROTOCOL_ERROR', specRef: 'MQTT-3.8.3-3' },
    ],
    [
      'No Local in 3.1.1',
      () =>
        encode(
          { type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a', qos: 0, noLocal: true }] },
          4,
        ),
      { code: 'PROTOCOL_ERROR' },
    ],
    [
      'No Local on a shared subscription',
      () =>
        encode(
          {
            type: 'subscribe',
            packetId: 1,
            subscriptions: [{ topicFilter: '$share/g/a', qos: 0, noLocal: true }],
          },
          5,
        ),
      { code: 'PROTOCOL_ERROR', specRef: 'MQTT-3.8.3-4' },
    ],
    [
      'Retain Handling 3',
      () =>
        encode(
          {
            type: 'subscribe',
            packetId: 1,
            subscriptions: [{ topicFilter: 'a', qos: 0, retainHandling: 3 as 2 }],
          },
          5,
        ),
      'TypeError',
    ],
    [
      'an UNSUBSCRIBE without filters',
      () => encode({ type: 'unsubscribe', packetId: 1, topicFilters: [] }, 5),
      { code: 'PROTOCOL_ERROR', specRef: 'MQTT-3.10.3-2' },
    ],
    [
      'a SUBACK without codes',
      () => encode({ type: 'suback', packetId: 1, reasonCodes: [] }, 4),
      { code: 'PROTOCOL_ERROR' },
    ],
    [
      'a SUBACK code 0x83 in 3.1.1',
      () => encode({ type: 'suback', packetId: 1, reasonCodes: [0x83] }, 4),
      { code: 'PROTOCOL_ERROR', specRef: 'MQTT-3.9.3-2' },
    ],
    ['a 5.0 UNSUBACK without reason codes', () => encode({ type: 'unsuback', packetId: 1 }, 5), 'TypeError'],
    [
      'a DISCONNECT reason code in 3.1.1',
      () => encode({ type: 'disconnect', reasonCode: 0x80 }, 4),
      { code: 'PROTOCOL_ERROR' },
    ],
    [
      'a DISCONNECT reason code 0x01',
      () => encode({ type: 'disconnect', reasonCode: 1 as 0 }, 5),
      { code: 'PROTOCOL_ERROR', specRef: 'MQTT-3.14.2-1' },
    ],
    [
      'a 3.1.1 password without user name',
      () =>
        encode(
          {
            type: 'connect',
            protocolVersion: 4,
            clean: true,
            keepAlive: 0,
            clientId: 'c',
            password: new Uint8Array(1),
          },
          4,
        ),
      { code: 'MALFORMED_PACKET', specRef: 'MQTT-3.1.2-22' },
    ],
    [
      'a CONNECT whose protocolVersion differs',
      () => encode({ type: 'connect', protocolVersion: 5, clean: true, keepAlive: 0, clientId: 'c' }, 4),
      'TypeError',
    ],
    [
      'a keepAlive above 65535',
      () => encode({ type: 'connect', protocolVersion: 4, clean: true, keepAlive: 70_000, clientId: 'c' }, 4),
      'TypeError',
    ],
    [
      'a will with QoS 3',
      () =>
        encode(
          {
            type: 'connect',
            protocolVersion: 4,
            clean: true,
            keepAlive: 0,
            clientId: 'c',
            will: { topic: 't', payload: new Uint8Array(0), qos: 3 as 2, retain: false },
          },
          4,
        ),
      'TypeError',
    ],
    [
      'Authentication Data without a method',
      () =>
        encode(
          {
            type: 'connect',
            protocolVersion: 5,
            clean: true,
            keepAlive: 0,
            clientId: 'c',
            properties: { authenticationData: new Uint8Array(1) },
          },
          5,
        ),
      { code: 'PROTOCOL_ERROR' },
    ],
  ])('%s', (_name, fn, expected) => {
    expect(failure(fn)).toEqual(expected);
  });
});

describe('encode', () => {
  it('writes the shortest acknowledgement forms in 5.0', () => {
    expect([...encode({ type: 'puback', packetId: 1 }, 5)]).toEqual([0x40, 0x02, 0x00, 0x01]);
    expect([...encode({ type: 'pubrec', packetId: 1, reasonCode: 0x80 }, 5)]).toEqual([
      0x50, 0x03, 0x00, 0x01, 0x80,
    ]);
    expect([...encode({ type: 'puback', packetId: 1, properties: {} }, 5)]).toEqual([0x40, 0x02, 0x00, 0x01]);
    expect([...encode({ type: 'disconnect' }, 5)]).toEqual([0xe0, 0x00]);
    expect([...encode({ type: 'disconnect', reasonCode: 0x04 }, 5)]).toEqual([0xe0, 0x01, 0x04]);
    expect([...encode({ type: 'auth' }, 5)]).toEqual([0xf0, 0x00]);
    expect([...encode({ type: 'auth', reasonCode: 0x19 }, 5)]).toEqual([0xf0, 0x02, 0x19, 0x00]);
  });

  it('drops what 3.x cannot carry: properties, a QoS 0 packetId, UNSUBACK codes', () => {
    const v4 = encode(pub({ properties: { contentType: 'x' }, packetId: 4 }), 4);
    expect([...v4]).toEqual([0x30, 0x03, 0x00, 0x01, 0x74]);
    expect([...encode({ type: 'unsuback', packetId: 2, reasonCodes: [0x11] }, 4)]).toEqual([
      0xb0, 0x02, 0x00, 0x02,
    ]);
  });

  it('returns frames that do not share memory with each other', () => {
    const a = encode(pub({ payload: new Uint8Array(100).fill(1) }), 4);
    const b = encode(pub({ payload: new Uint8Array(100).fill(2) }), 4);
    a.fill(9);
    expect(b.subarray(5).every((x) => x === 2)).toBe(true);
  });

  it('reports encodedSize equal to the frame length and to the decoder’s packet size', () => {
    const packets: Packet[] = [
      pub({
        payload: new Uint8Array(20_000),
        qos: 1,
        packetId: 3,
        properties: { userProperties: [['a', 'b']] },
      }),
      { type: 'pingresp' },
      { type: 'suback', packetId: 1, reasonCodes: [0, 1] },
    ];
    for (const packet of packets) {
      const frame = encode(packet, 5);
      expect(encodedSize(packet, 5)).toBe(frame.length);
      const d = new Decoder({ side: 'client', protocolVersion: 5, maximumPacketSize: frame.length });
      d.push(frame);
      expect(MqttError.isInstance(d.next())).toBe(false);
    }
  });
});
