import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  frame,
  type RawProperty,
  rawAuth,
  rawConnack,
  rawConnect,
  rawDisconnect,
  rawPuback,
  rawPubcomp,
  rawPublish,
  rawPubrec,
  rawPubrel,
  rawSuback,
  rawSubscribe,
  rawUnsuback,
  rawUnsubscribe,
} from './raw-packets.js';
import {
  describeFrame,
  FrameReader,
  parseAck,
  parseAuth,
  parseConnack,
  parseConnect,
  parseDisconnect,
  parsePublish,
  parseSuback,
  parseSubscribe,
  parseUnsuback,
  parseUnsubscribe,
  propertyValues,
  type RawFrame,
  splitFrames,
} from './raw-reader.js';

/** The single frame in `bytes`. */
function only(bytes: Uint8Array): RawFrame {
  const frames = splitFrames(bytes);
  expect(frames).toHaveLength(1);
  return frames[0]!;
}

/** One property of every wire type, with the value the reader must return for it. */
const everyType: RawProperty[] = [
  [0x01, 1],
  [0x02, 4_000_000_000],
  [0x03, 'text/plain'],
  [0x08, 'reply/to'],
  [0x09, Uint8Array.of(0, 255)],
  [0x0b, 268_435_455],
  [0x23, 65_535],
  [0x26, ['name', 'value']],
  [0x26, ['name', 'second']],
];
const everyTypeRead = [
  [0x01, 1],
  [0x02, 4_000_000_000],
  [0x03, 'text/plain'],
  [0x08, 'reply/to'],
  [0x09, Buffer.from([0, 255])],
  [0x0b, 268_435_455],
  [0x23, 65_535],
  [0x26, ['name', 'value']],
  [0x26, ['name', 'second']],
];

describe('FrameReader', () => {
  it('splits frames and reports type and flags', () => {
    const frames = splitFrames(
      Buffer.concat([rawPubrel(7, 4), frame(0xc0), rawPublish({ topic: 't', qos: 1, packetId: 1 }, 4)]),
    );
    expect(frames.map((f) => [f.type, f.flags, f.body.length])).toEqual([
      [6, 2, 2],
      [12, 0, 0],
      [3, 2, 5],
    ]);
  });

  it('keeps an incomplete frame until its last byte arrives, one byte at a time', () => {
    const bytes = rawPublish({ topic: 'a/b', payload: Buffer.alloc(300, 7) }, 4);
    const reader = new FrameReader();
    for (let i = 0; i < bytes.length - 1; i++) expect(reader.push(bytes.subarray(i, i + 1))).toEqual([]);
    expect(reader.buffered).toBe(bytes.length - 1);
    const [last] = reader.push(bytes.subarray(-1));
    expect(last?.body.length).toBe(305);
    expect(reader.buffered).toBe(0);
  });

  it('returns the same frames however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 15 }), fc.uint8Array({ maxLength: 200 })), {
          maxLength: 8,
        }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (parts, cuts) => {
          const stream = Buffer.concat(parts.map(([type, body]) => frame(type << 4, body)));
          const reader = new FrameReader();
          const got: RawFrame[] = [];
          let offset = 0;
          for (let i = 0; offset < stream.length; i++) {
            const size = cuts[i % cuts.length]!;
            got.push(...reader.push(stream.subarray(offset, offset + size)));
            offset += size;
          }
          expect(got.map((f) => [f.type, Buffer.from(f.body)])).toEqual(
            parts.map(([type, body]) => [type, Buffer.from(body)]),
          );
          expect(reader.buffered).toBe(0);
        },
      ),
    );
  });

  it('rejects a Remaining Length with a fifth byte (section 2.2.3)', () => {
    expect(() => new FrameReader().push(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01))).toThrow(
      /malformed Remaining Length/,
    );
  });

  it('splitFrames reports leftover bytes', () => {
    expect(() => splitFrames(Uint8Array.of(0x20, 0x02, 0x00))).toThrow(/3 bytes of an incomplete frame/);
  });

  it('describeFrame names the packet and shows its bytes', () => {
    expect(describeFrame(only(rawPuback(10, 4)))).toBe('PUBACK (flags 0x0, 2 body bytes: 00 0a)');
  });
});

describe('round trips from the builder', () => {
  it('CONNECT 5.0 with will, credentials and properties', () => {
    const connect = parseConnect(
      only(
        rawConnect({
          protocolVersion: 5,
          clientId: 'id',
          clean: false,
          keepAlive: 30,
          username: 'user',
          password: Uint8Array.of(1, 2),
          will: { topic: 'w/t', payload: 'bye', qos: 2, retain: true, properties: [[0x18, 9]] },
          properties: [[0x11, 60]],
        }),
      ),
    );
    expect(connect).toEqual({
      protocolName: 'MQTT',
      protocolLevel: 5,
      flags: 0xf4,
      clean: false,
      keepAlive: 30,
      properties: [[0x11, 60]],
      clientId: 'id',
      will: { topic: 'w/t', payload: Buffer.from('bye'), qos: 2, retain: true, properties: [[0x18, 9]] },
      username: 'user',
      password: Buffer.from([1, 2]),
    });
  });

  it('CONNECT 3.1 without will or credentials', () => {
    const connect = parseConnect(only(rawConnect({ protocolVersion: 3, clientId: 'x' })));
    expect(connect).toEqual({
      protocolName: 'MQIsdp',
      protocolLevel: 3,
      flags: 0x02,
      clean: true,
      keepAlive: 60,
      properties: [],
      clientId: 'x',
    });
  });

  it('CONNACK 3.1.1 and 5.0', () => {
    expect(parseConnack(only(rawConnack({ sessionPresent: true, code: 0 }, 4)), 4)).toEqual({
      sessionPresent: true,
      flags: 1,
      code: 0,
      properties: [],
    });
    const v5 = parseConnack(only(rawConnack({ code: 0x87, properties: [[0x1f, 'denied']] }, 5)), 5);
    expect(v5).toEqual({ sessionPresent: false, flags: 0, code: 0x87, properties: [[0x1f, 'denied']] });
  });

  it('PUBLISH 5.0 reads every property type, repeated ids in order', () => {
    const publish = parsePublish(
      only(
        rawPublish(
          { topic: 'a/b', qos: 2, packetId: 9, retain: true, dup: true, payload: 'p', properties: everyType },
          5,
        ),
      ),
      5,
    );
    expect(publish).toEqual({
      topic: 'a/b',
      packetId: 9,
      payload: Buffer.from('p'),
      qos: 2,
      retain: true,
      dup: true,
      properties: everyTypeRead,
    });
    expect(propertyValues(publish.properties, 0x26)).toEqual([
      ['name', 'value'],
      ['name', 'second'],
    ]);
  });

  it('PUBLISH 5.0 with several Subscription Identifiers keeps them all', () => {
    const publish = parsePublish(
      only(
        rawPublish(
          {
            topic: 't',
            properties: [
              [0x0b, 1],
              [0x0b, 20_000],
            ],
          },
          5,
        ),
      ),
      5,
    );
    expect(publish.packetId).toBeUndefined();
    expect(propertyValues(publish.properties, 0x0b)).toEqual([1, 20_000]);
  });

  it('PUBLISH 3.1.1 QoS 0 has no packet id and keeps an empty payload', () => {
    expect(parsePublish(only(rawPublish({ topic: 'x' }, 4)), 4)).toEqual({
      topic: 'x',
      payload: Buffer.alloc(0),
      qos: 0,
      retain: false,
      dup: false,
      properties: [],
    });
  });

  it('PUBACK family in every 5.0 form', () => {
    expect(parseAck(only(rawPuback(1, 5)), 5)).toEqual({ packetId: 1, reasonCode: 0, properties: [] });
    expect(parseAck(only(rawPubrec(2, 5, 0x10)), 5)).toEqual({
      packetId: 2,
      reasonCode: 0x10,
      properties: [],
    });
    expect(parseAck(only(rawPubrel(3, 5, 0x92, [[0x1f, 'x']])), 5)).toEqual({
      packetId: 3,
      reasonCode: 0x92,
      properties: [[0x1f, 'x']],
    });
    expect(parseAck(only(rawPubcomp(4, 4)), 4)).toEqual({ packetId: 4, reasonCode: 0, properties: [] });
  });

  it('SUBSCRIBE and SUBACK', () => {
    const subscribe = parseSubscribe(
      only(
        rawSubscribe(
          5,
          [
            { filter: 'a/#', qos: 2, noLocal: true, retainHandling: 1 },
            { filter: 'b', qos: 0, retainAsPublished: true },
          ],
          5,
          [[0x0b, 3]],
        ),
      ),
      5,
    );
    expect(subscribe).toEqual({
      packetId: 5,
      properties: [[0x0b, 3]],
      subscriptions: [
        { filter: 'a/#', options: 0x16, qos: 2, noLocal: true, retainAsPublished: false, retainHandling: 1 },
        { filter: 'b', options: 0x08, qos: 0, retainAsPublished: true, noLocal: false, retainHandling: 0 },
      ],
    });
    expect(parseSuback(only(rawSuback(5, [2, 0x80], 4)), 4)).toEqual({
      packetId: 5,
      codes: [2, 0x80],
      properties: [],
    });
    expect(parseSuback(only(rawSuback(5, [0xa2], 5, [[0x1f, 'r']])), 5)).toEqual({
      packetId: 5,
      codes: [0xa2],
      properties: [[0x1f, 'r']],
    });
  });

  it('UNSUBSCRIBE and UNSUBACK', () => {
    expect(parseUnsubscribe(only(rawUnsubscribe(6, ['a', 'b/+'], 5)), 5)).toEqual({
      packetId: 6,
      filters: ['a', 'b/+'],
      properties: [],
    });
    expect(parseUnsuback(only(rawUnsuback(6, [], 4)), 4)).toEqual({ packetId: 6, codes: [], properties: [] });
    expect(parseUnsuback(only(rawUnsuback(6, [0, 0x11], 5)), 5)).toEqual({
      packetId: 6,
      codes: [0, 0x11],
      properties: [],
    });
  });

  it('DISCONNECT and AUTH, empty and with reason and properties', () => {
    expect(parseDisconnect(only(rawDisconnect(4)), 4)).toEqual({ reasonCode: 0, properties: [] });
    expect(parseDisconnect(only(rawDisconnect(5)), 5)).toEqual({ reasonCode: 0, properties: [] });
    expect(parseDisconnect(only(frame(0xe0, Uint8Array.of(0x8e))), 5)).toEqual({
      reasonCode: 0x8e,
      properties: [],
    });
    expect(parseDisconnect(only(rawDisconnect(5, 0x9c, [[0x1c, 'other:1883']])), 5)).toEqual({
      reasonCode: 0x9c,
      properties: [[0x1c, 'other:1883']],
    });
    expect(parseAuth(only(rawAuth(0x18, [[0x16, Uint8Array.of(7)]])))).toEqual({
      reasonCode: 0x18,
      properties: [[0x16, Buffer.from([7])]],
    });
  });
});

describe('parser errors name the packet and the field', () => {
  it('wrong frame type', () => {
    expect(() => parseConnack(only(rawPuback(1, 4)), 4)).toThrow(/expected a CONNACK frame, got PUBACK/);
  });

  it('body too short', () => {
    expect(() => parseConnack(only(frame(0x20, Uint8Array.of(0))), 4)).toThrow(
      /CONNACK: .*reading the reason code/,
    );
  });

  it('trailing bytes', () => {
    expect(() => parseConnack(only(frame(0x20, Uint8Array.of(0, 0, 0))), 4)).toThrow(/1 unexpected bytes/);
    expect(() => parseDisconnect(only(frame(0xe0, Uint8Array.of(0))), 4)).toThrow(/unexpected bytes/);
  });

  it('unknown property identifier', () => {
    const bytes = rawConnack({ properties: [[0x50, { type: 'byte', value: 1 }]] }, 5);
    expect(() => parseConnack(only(bytes), 5)).toThrow(/unknown property identifier 0x50/);
  });

  it('a property running past the Property Length', () => {
    // Property Length 1, but Session Expiry Interval needs 5 bytes.
    const bytes = frame(0x20, Uint8Array.of(0, 0, 1, 0x11, 0, 0, 0, 1));
    expect(() => parseConnack(only(bytes), 5)).toThrow(/runs past the Property Length/);
  });

  it('ill-formed UTF-8 in a topic', () => {
    const bytes = rawPublish({ topic: Uint8Array.of(0xed, 0xa0, 0x80) }, 4); // an encoded surrogate
    expect(() => parsePublish(only(bytes), 4)).toThrow(/Topic Name is not well-formed UTF-8/);
  });
});
