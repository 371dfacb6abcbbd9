/**
 * MQTT 5.0 PUBLISH properties forwarded unchanged and in order, Request Problem Information, and the
 * Payload Format Indicator check.
 */
import { type ParsedProperty, parseAck, rawPuback, rawPublish } from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import { startBroker } from './fixtures.js';
import {
  collect,
  connect,
  expectDisconnect,
  nextAck,
  nextPublish,
  subscribe,
  T,
  text,
} from './raw-helpers.js';

const P = {
  payloadFormatIndicator: 0x01,
  messageExpiryInterval: 0x02,
  contentType: 0x03,
  responseTopic: 0x08,
  correlationData: 0x09,
  reasonString: 0x1f,
  userProperty: 0x26,
} as const;

const correlation = Buffer.from([0x00, 0xff, 0x10, 0x80]);
const sent = [
  [P.userProperty, ['k', 'first']],
  [P.payloadFormatIndicator, 1],
  [P.contentType, 'application/json; charset=utf-8'],
  [P.userProperty, ['other', 'x']],
  [P.responseTopic, 'reply/to/me'],
  [P.correlationData, correlation],
  [P.userProperty, ['k', 'second']],
  [P.userProperty, ['k', 'first']],
  [P.userProperty, ['ünïcødé', '☃']],
] as const;

/** The properties a subscriber must see, whatever order the broker writes the single-valued ones in. */
function normalise(properties: readonly ParsedProperty[]) {
  return {
    single: properties
      .filter(([id]) => id !== P.userProperty)
      .map(([id, value]) => [id, Buffer.isBuffer(value) ? value.toString('hex') : value])
      .sort((a, b) => Number(a[0]) - Number(b[0])),
    user: properties.filter(([id]) => id === P.userProperty).map(([, value]) => value),
  };
}

const expected = normalise(sent as unknown as ParsedProperty[]);

describe('MQTT 5.0 property passthrough', () => {
  it('[MQTT-3.3.2-4] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-18] [MQTT-3.3.2-20] properties reach subscribers unaltered, user properties in order with duplicates', async () => {
    await using broker = await startBroker();
    await using sub0 = await connect(broker.port, 5, 'sub0');
    await using sub2 = await connect(broker.port, 5, 'sub2');
    await subscribe(sub0, 5, [{ filter: 'props/#', qos: 0 }]);
    await subscribe(sub2, 5, [{ filter: 'props/+', qos: 2 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(
      rawPublish({ topic: 'props/a', payload: '{"a":1}', qos: 2, packetId: 1, properties: sent }, 5),
    );
    for (const sub of [sub0, sub2]) {
      const [got] = await collect(sub, 5, 1);
      expect(text(got!)).toBe('{"a":1}');
      expect(normalise(got!.properties)).toEqual(expected);
    }
  });

  it('properties survive queueing for an offline session and being retained', async () => {
    await using broker = await startBroker();
    const away = await connect(broker.port, 5, 'away', { properties: [[0x11, 60]] });
    await subscribe(away, 5, [{ filter: 'kept', qos: 1 }]);
    await away.close();
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(
      rawPublish({ topic: 'kept', payload: 'x', qos: 1, retain: true, packetId: 1, properties: sent }, 5),
    );
    await nextAck(pub, 5, T.PUBACK);
    await using back = await connect(broker.port, 5, 'away', { clean: false, properties: [[0x11, 60]] });
    const queued = await nextPublish(back, 5);
    expect(normalise(queued.properties)).toEqual(expected);
    await back.send(rawPuback(queued.packetId!, 5));
    await using late = await connect(broker.port, 5, 'late');
    await subscribe(late, 5, [{ filter: 'kept', qos: 0 }]);
    const retained = await nextPublish(late, 5);
    expect([retained.retain, normalise(retained.properties)]).toEqual([true, expected]);
  });

  it('a 3.1.1 subscriber gets the message without properties', async () => {
    await using broker = await startBroker();
    await using old = await connect(broker.port, 4, 'old');
    await subscribe(old, 4, [{ filter: 'p', qos: 1 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: 'p', payload: 'body', qos: 1, packetId: 1, properties: sent }, 5));
    const frame = await old.expectFrame({ type: T.PUBLISH });
    // Topic "p" (3 bytes), packet id (2), then the payload directly.
    expect(frame.body.subarray(5).toString()).toBe('body');
  });
});

describe('Request Problem Information', () => {
  const denyAll = {
    id: 'deny',
    authorizePublish: () => ({ deny: 0x87, reasonString: 'not for you' }),
  };

  it('[MQTT-3.1.2-29] with Request Problem Information 0 refusals carry no Reason String', async () => {
    await using broker = await startBroker({ hooks: [denyAll] });
    await using quiet = await connect(broker.port, 5, 'quiet', { properties: [[0x17, 0]] });
    await quiet.send(rawPublish({ topic: 'x', payload: 'y', qos: 1, packetId: 1 }, 5));
    await quiet.send(rawPublish({ topic: 'x', payload: 'y', qos: 2, packetId: 2 }, 5));
    expect(parseAck(await quiet.expectFrame({ type: T.PUBACK }), 5)).toEqual({
      packetId: 1,
      reasonCode: 0x87,
      properties: [],
    });
    expect(parseAck(await quiet.expectFrame({ type: T.PUBREC }), 5)).toEqual({
      packetId: 2,
      reasonCode: 0x87,
      properties: [],
    });
  });

  it('by default (Request Problem Information 1) a refusal may say why', async () => {
    await using broker = await startBroker({ hooks: [denyAll] });
    await using talkative = await connect(broker.port, 5, 'talkative');
    await talkative.send(rawPublish({ topic: 'x', payload: 'y', qos: 1, packetId: 1 }, 5));
    expect(parseAck(await talkative.expectFrame({ type: T.PUBACK }), 5)).toEqual({
      packetId: 1,
      reasonCode: 0x87,
      properties: [[P.reasonString, 'not for you']],
    });
  });

  it('3.3.2.3.2 a 3.1.1 publisher refused by a hook still gets a plain PUBACK and the message is dropped', async () => {
    await using broker = await startBroker({ hooks: [denyAll] });
    await using sub = await connect(broker.port, 4, 'sub');
    await subscribe(sub, 4, [{ filter: 'x', qos: 1 }]);
    await using pub = await connect(broker.port, 4, 'pub');
    await pub.send(rawPublish({ topic: 'x', payload: 'y', qos: 1, packetId: 1 }, 4));
    expect(parseAck(await pub.expectFrame({ type: T.PUBACK }), 4)).toMatchObject({
      packetId: 1,
      reasonCode: 0,
    });
    await sub.expectNoFrame(200);
  });
});

describe('hook deny codes', () => {
  it('[MQTT-3.4.2-1] [MQTT-3.9.3-2] a deny code the packet cannot carry becomes 0x80, never a crash or a success code', async () => {
    await using broker = await startBroker({
      hooks: [
        {
          id: 'odd-codes',
          authorizePublish: ({ topic }) => ({ deny: topic === 'low' ? 0x10 : 0x95 }),
          authorizeSubscribe: ({ topicFilter }) =>
            topicFilter === 'open' ? 'allow' : { deny: topicFilter === 'one' ? 1 : 0x99 },
        },
      ],
    });
    await using client = await connect(broker.port, 5, 'c');
    expect(
      await subscribe(client, 5, [
        { filter: 'open', qos: 1 },
        { filter: 'one', qos: 1 },
        { filter: 'x', qos: 1 },
      ]),
    ).toEqual([1, 0x80, 0x80]);
    await client.send(rawPublish({ topic: 'open', payload: 'x', qos: 1, packetId: 1 }, 5));
    expect((await nextAck(client, 5, T.PUBACK)).reasonCode).toBe(0x80);
    await client.send(rawPublish({ topic: 'low', payload: 'x', qos: 2, packetId: 2 }, 5));
    expect((await nextAck(client, 5, T.PUBREC)).reasonCode).toBe(0x80);
    await client.expectNoFrame(100);
  });
});

describe('Payload Format Indicator', () => {
  const invalidUtf8 = Buffer.from([0x61, 0xc3, 0x28, 0xff]);

  it('3.3.2.3.2 payload format 1 with invalid UTF-8: PUBACK / PUBREC 0x99, not routed', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, 5, 'sub');
    await subscribe(sub, 5, [{ filter: 'pfi', qos: 0 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(
      rawPublish(
        {
          topic: 'pfi',
          payload: invalidUtf8,
          qos: 1,
          packetId: 1,
          properties: [[P.payloadFormatIndicator, 1]],
        },
        5,
      ),
    );
    expect((await nextAck(pub, 5, T.PUBACK)).reasonCode).toBe(0x99);
    await pub.send(
      rawPublish(
        {
          topic: 'pfi',
          payload: invalidUtf8,
          qos: 2,
          packetId: 2,
          properties: [[P.payloadFormatIndicator, 1]],
        },
        5,
      ),
    );
    expect((await nextAck(pub, 5, T.PUBREC)).reasonCode).toBe(0x99);
    // [MQTT-4.3.3-9] After a PUBREC ≥ 0x80 the same id is a new message.
    await pub.send(
      rawPublish(
        { topic: 'pfi', payload: 'fine ✓', qos: 2, packetId: 2, properties: [[P.payloadFormatIndicator, 1]] },
        5,
      ),
    );
    expect((await nextAck(pub, 5, T.PUBREC)).reasonCode).toBe(0);
    expect(text(await nextPublish(sub, 5))).toBe('fine ✓');
    await sub.expectNoFrame(100);
  });

  it('3.3.2.3.2 payload format 1 with invalid UTF-8 at QoS 0: DISCONNECT 0x99', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(
      rawPublish({ topic: 'pfi', payload: invalidUtf8, properties: [[P.payloadFormatIndicator, 1]] }, 5),
    );
    expect(await expectDisconnect(pub)).toBe(0x99);
  });

  it('with validatePayloadFormat off the payload is forwarded untouched, indicator included', async () => {
    await using broker = await startBroker({ limits: { validatePayloadFormat: false } });
    await using sub = await connect(broker.port, 5, 'sub');
    await subscribe(sub, 5, [{ filter: 'pfi', qos: 0 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(
      rawPublish({ topic: 'pfi', payload: invalidUtf8, properties: [[P.payloadFormatIndicator, 1]] }, 5),
    );
    const got = await nextPublish(sub, 5);
    expect([got.payload.toString('hex'), got.properties]).toEqual([
      invalidUtf8.toString('hex'),
      [[P.payloadFormatIndicator, 1]],
    ]);
  });
});
