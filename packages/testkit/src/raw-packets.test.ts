import { describe, expect, it } from 'vitest';
import {
  binary,
  frame,
  rawAuth,
  rawConnack,
  rawConnect,
  rawDisconnect,
  rawPingreq,
  rawPingresp,
  rawProperties,
  rawPuback,
  rawPubcomp,
  rawPublish,
  rawPubrec,
  rawPubrel,
  rawSuback,
  rawSubscribe,
  rawUnsuback,
  rawUnsubscribe,
  utf8String,
  varint,
} from './raw-packets.js';

/** Bytes as spaced lowercase hex, so a failing comparison shows which byte differs. */
function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
}

describe('low-level pieces', () => {
  // MQTT 3.1.1 Table 2.4 / MQTT 5.0 Table 1-1: the boundaries of each Variable Byte Integer size.
  it.each([
    [0, '00'],
    [127, '7f'],
    [128, '80 01'],
    [16_383, 'ff 7f'],
    [16_384, '80 80 01'],
    [2_097_151, 'ff ff 7f'],
    [2_097_152, '80 80 80 01'],
    [268_435_455, 'ff ff ff 7f'],
  ])('varint(%i) is %s', (n, bytes) => {
    expect(hex(varint(n))).toBe(bytes);
  });

  it('varint rejects values outside 0..268435455', () => {
    expect(() => varint(268_435_456)).toThrow(RangeError);
    expect(() => varint(-1)).toThrow(RangeError);
    expect(() => varint(1.5)).toThrow(RangeError);
  });

  it('utf8String encodes the spec example "A\\u{2A6D4}" as 00 05 41 f0 aa 9b 94 (3.1.1 section 1.5.3)', () => {
    expect(hex(utf8String('A\u{2A6D4}'))).toBe('00 05 41 f0 aa 9b 94');
  });

  it('utf8String writes bytes verbatim, so invalid UTF-8 can be sent', () => {
    expect(hex(utf8String(Uint8Array.of(0xc0, 0x80)))).toBe('00 02 c0 80');
  });

  it('binary prefixes a two-byte length', () => {
    expect(hex(binary(Uint8Array.of(1, 2, 3)))).toBe('00 03 01 02 03');
  });

  it('frame writes the first byte and a multi-byte Remaining Length', () => {
    const framed = frame(0x30, Buffer.alloc(200));
    expect(hex(framed.subarray(0, 3))).toBe('30 c8 01');
    expect(framed.length).toBe(203);
  });
});

describe('properties', () => {
  it('writes each wire type with its identifier', () => {
    const bytes = rawProperties([
      [0x01, 1], // Payload Format Indicator, byte
      [0x23, 258], // Topic Alias, two-byte
      [0x02, 0x01020304], // Message Expiry Interval, four-byte
      [0x0b, 128], // Subscription Identifier, varint
      [0x03, 'a'], // Content Type, UTF-8
      [0x09, Uint8Array.of(0xff)], // Correlation Data, binary
      [0x26, ['k', 'v']], // User Property, pair
    ]);
    expect(hex(bytes)).toBe(
      '1c 01 01 23 01 02 02 01 02 03 04 0b 80 01 03 00 01 61 09 00 01 ff 26 00 01 6b 00 01 76',
    );
  });

  it('writes duplicates, unknown ids and raw values as given', () => {
    const bytes = rawProperties([
      [0x24, 1], // Maximum QoS twice: a protocol error a test can now send
      [0x24, 1],
      [0x50, { type: 'byte', value: 7 }], // unknown id
      [0x21, { type: 'raw', value: Uint8Array.of(0x00) }], // Receive Maximum truncated to one byte
    ]);
    expect(hex(bytes)).toBe('08 24 01 24 01 50 07 21 00');
  });

  it('refuses an unknown id without a type and a value of the wrong type', () => {
    expect(() => rawProperties([[0x50, 1]])).toThrow(/not in the MQTT 5.0 table/);
    expect(() => rawProperties([[0x11, 'ten']])).toThrow(/sessionExpiryInterval .* is a fourByte/);
    expect(() => rawProperties([[0x01, 256]])).toThrow(RangeError);
  });
});

describe('CONNECT', () => {
  const fields = {
    clientId: 'c',
    clean: true,
    keepAlive: 10,
    username: 'u',
    password: 'p',
    will: { topic: 'w', payload: 'x', qos: 1, retain: false },
  } as const;

  it('3.1.1: variable header matches the spec example (3.1.1 section 3.1.2.10: flags ce, keep alive 10)', () => {
    expect(hex(rawConnect({ protocolVersion: 4, ...fields }))).toBe(
      '10 19 00 04 4d 51 54 54 04 ce 00 0a 00 01 63 00 01 77 00 01 78 00 01 75 00 01 70',
    );
  });

  it('5.0: variable header matches the spec example (5.0 section 3.1.2.12: Session Expiry Interval 10)', () => {
    const bytes = rawConnect({ protocolVersion: 5, ...fields, properties: [[0x11, 10]] });
    expect(hex(bytes)).toBe(
      '10 20 00 04 4d 51 54 54 05 ce 00 0a 05 11 00 00 00 0a 00 01 63 00 00 01 77 00 01 78 00 01 75 00 01 70',
    );
  });

  it('3.1: protocol name MQIsdp, level 3, defaults clean session and keep alive 60', () => {
    expect(hex(rawConnect({ protocolVersion: 3, clientId: 'a' }))).toBe(
      '10 0f 00 06 4d 51 49 73 64 70 03 02 00 3c 00 01 61',
    );
  });

  it('will retain, will QoS 2 and will properties (5.0)', () => {
    const bytes = rawConnect({
      protocolVersion: 5,
      clientId: '',
      clean: false,
      keepAlive: 0,
      will: { topic: 't', payload: Uint8Array.of(9), qos: 2, retain: true, properties: [[0x18, 5]] },
    });
    // flags: will retain 0x20 | will QoS 2 << 3 | will flag 0x04 = 0x34
    expect(hex(bytes)).toBe(
      '10 19 00 04 4d 51 54 54 05 34 00 00 00 00 00 05 18 00 00 00 05 00 01 74 00 01 09',
    );
  });

  it('overrides write a wrong protocol name, level and reserved flag', () => {
    const bytes = rawConnect({
      protocolVersion: 4,
      clientId: 'a',
      protocolName: 'MQTX',
      protocolLevel: 6,
      reservedFlag: true,
    });
    expect(hex(bytes)).toBe('10 0d 00 04 4d 51 54 58 06 03 00 3c 00 01 61');
  });

  it('refuses properties before 5.0 instead of dropping them', () => {
    expect(() => rawConnect({ protocolVersion: 4, clientId: 'a', properties: [[0x11, 1]] })).toThrow(
      /only in MQTT 5.0/,
    );
  });
});

describe('PUBLISH', () => {
  it('3.1.1: topic a/b and packet id 10 match the spec example (3.1.1 section 3.3.2.3)', () => {
    expect(hex(rawPublish({ topic: 'a/b', qos: 1, packetId: 10, payload: 'hi' }, 4))).toBe(
      '32 09 00 03 61 2f 62 00 0a 68 69',
    );
  });

  it('5.0: properties sit between packet id and payload', () => {
    const bytes = rawPublish(
      {
        topic: 'a/b',
        qos: 1,
        packetId: 10,
        payload: 'hi',
        properties: [
          [0x01, 1],
          [0x0b, 200],
          [0x26, ['k', 'v']],
        ],
      },
      5,
    );
    expect(hex(bytes)).toBe('32 16 00 03 61 2f 62 00 0a 0c 01 01 0b c8 01 26 00 01 6b 00 01 76 68 69');
  });

  it('sets dup, QoS and retain bits in the first byte', () => {
    expect(rawPublish({ topic: 't', qos: 2, packetId: 1, dup: true, retain: true }, 4)[0]).toBe(0x3d);
    expect(hex(rawPublish({ topic: 't' }, 5))).toBe('30 04 00 01 74 00');
  });

  it('refuses QoS 1 without a packet id', () => {
    expect(() => rawPublish({ topic: 't', qos: 1 }, 4)).toThrow(/needs a packetId/);
  });
});

describe('acknowledgements', () => {
  it('3.1.1 forms carry only the packet id; PUBREL has flags 0b0010', () => {
    expect(hex(rawPuback(10, 4))).toBe('40 02 00 0a');
    expect(hex(rawPubrec(10, 4))).toBe('50 02 00 0a');
    expect(hex(rawPubrel(10, 4))).toBe('62 02 00 0a');
    expect(hex(rawPubcomp(10, 4))).toBe('70 02 00 0a');
  });

  it('5.0 forms: shortened without reason code, reason code alone, and with properties', () => {
    expect(hex(rawPuback(1, 5))).toBe('40 02 00 01');
    expect(hex(rawPuback(1, 5, 0x10))).toBe('40 03 00 01 10');
    expect(hex(rawPubrec(1, 5, 0x80, [[0x1f, 'no']]))).toBe('50 09 00 01 80 05 1f 00 02 6e 6f');
  });

  it('refuses reason codes before 5.0', () => {
    expect(() => rawPuback(1, 4, 0x10)).toThrow(/only in MQTT 5.0/);
  });
});

describe('SUBSCRIBE and UNSUBSCRIBE', () => {
  it('3.1.1: a/b QoS 1 and c/d QoS 2 match the spec payload example (3.1.1 section 3.8.3)', () => {
    const bytes = rawSubscribe(
      10,
      [
        { filter: 'a/b', qos: 1 },
        { filter: 'c/d', qos: 2 },
      ],
      4,
    );
    expect(hex(bytes)).toBe('82 0e 00 0a 00 03 61 2f 62 01 00 03 63 2f 64 02');
  });

  it('5.0: subscription options No Local, Retain As Published, Retain Handling 2', () => {
    const bytes = rawSubscribe(
      1,
      [{ filter: 'a/b', qos: 1, noLocal: true, retainAsPublished: true, retainHandling: 2 }],
      5,
    );
    expect(hex(bytes)).toBe('82 09 00 01 00 00 03 61 2f 62 2d');
  });

  it('options byte override writes reserved bits in 3.1.1', () => {
    expect(hex(rawSubscribe(1, [{ filter: 'a', qos: 0, options: 0xc1 }], 4))).toBe('82 06 00 01 00 01 61 c1');
    expect(() => rawSubscribe(1, [{ filter: 'a', qos: 0, noLocal: true }], 4)).toThrow(/only in MQTT 5.0/);
  });

  it('3.1.1: UNSUBSCRIBE a/b and c/d match the spec payload example (3.1.1 section 3.10.3)', () => {
    expect(hex(rawUnsubscribe(10, ['a/b', 'c/d'], 4))).toBe('a2 0c 00 0a 00 03 61 2f 62 00 03 63 2f 64');
    expect(hex(rawUnsubscribe(10, ['a'], 5))).toBe('a2 06 00 0a 00 00 01 61');
  });
});

describe('server-side packets', () => {
  it('CONNACK in 3.1.1 and 5.0', () => {
    expect(hex(rawConnack({ sessionPresent: true, code: 0 }, 4))).toBe('20 02 01 00');
    expect(hex(rawConnack({ code: 0x86 }, 5))).toBe('20 03 00 86 00');
    expect(hex(rawConnack({ properties: [[0x24, 1]] }, 5))).toBe('20 05 00 00 02 24 01');
  });

  it('SUBACK: return codes 0, 2 and 0x80 match the spec example (3.1.1 section 3.9.3)', () => {
    expect(hex(rawSuback(10, [0x00, 0x02, 0x80], 4))).toBe('90 05 00 0a 00 02 80');
    expect(hex(rawSuback(10, [0x01], 5))).toBe('90 04 00 0a 00 01');
  });

  it('UNSUBACK: packet id only in 3.1.1, reason codes in 5.0', () => {
    expect(hex(rawUnsuback(10, [], 4))).toBe('b0 02 00 0a');
    expect(hex(rawUnsuback(10, [0x00, 0x11], 5))).toBe('b0 05 00 0a 00 00 11');
    expect(() => rawUnsuback(10, [0], 4)).toThrow(/only in MQTT 5.0/);
  });

  it('PINGREQ, PINGRESP, DISCONNECT and AUTH', () => {
    expect(hex(rawPingreq())).toBe('c0 00');
    expect(hex(rawPingresp())).toBe('d0 00');
    expect(hex(rawDisconnect(4))).toBe('e0 00');
    expect(hex(rawDisconnect(5))).toBe('e0 00');
    expect(hex(rawDisconnect(5, 0x8e))).toBe('e0 02 8e 00');
    expect(hex(rawAuth())).toBe('f0 00');
    expect(hex(rawAuth(0x18, [[0x15, 'x']]))).toBe('f0 06 18 04 15 00 01 78');
  });
});
