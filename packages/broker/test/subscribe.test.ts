/**
 * SUBSCRIBE / SUBACK and UNSUBSCRIBE / UNSUBACK: codes per filter and in order, granted QoS, invalid
 * filters, capability flags, limits, resubscription and overlapping subscriptions.
 */
import {
  parseUnsuback,
  type RawVersion,
  rawPuback,
  rawPublish,
  rawSubscribe,
  rawUnsubscribe,
} from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import { startBroker } from './fixtures.js';
import {
  collect,
  connect,
  expectDisconnect,
  nextPublish,
  receiveAndAck,
  subscribe,
  T,
  text,
} from './raw-helpers.js';

const SUBSCRIPTION_IDENTIFIER = 0x0b;

describe.each([4, 5] as const)('SUBSCRIBE, MQTT v%i', (version) => {
  const v = `v${version}`;

  it('[MQTT-3.8.4-1] [MQTT-3.8.4-2] [MQTT-3.8.4-6] [MQTT-3.9.3-1] (3.1.1 [MQTT-3.8.4-5]) one SUBACK code per filter, in order, same Packet Identifier', async () => {
    await using broker = await startBroker();
    await using client = await connect(broker.port, version, `c-${v}`);
    const codes = await subscribe(
      client,
      version,
      [
        { filter: 'a', qos: 2 },
        { filter: 'b/+', qos: 0 },
        { filter: 'c/#', qos: 1 },
      ],
      undefined,
      0xbeef,
    );
    expect(codes).toEqual([2, 0, 1]);
  });

  it('[MQTT-3.8.4-5] (3.1.1 [MQTT-3.8.4-4]) a SUBSCRIBE with several filters acts as a sequence of SUBSCRIBEs', async () => {
    await using broker = await startBroker();
    await using client = await connect(broker.port, version, `c-${v}`);
    // The same filter twice: the second replaces the first; one subscription, one delivery.
    expect(
      await subscribe(client, version, [
        { filter: 'twice', qos: 0 },
        { filter: 'twice', qos: 1 },
      ]),
    ).toEqual([0, 1]);
    expect(broker.broker.sessions.get(`c-${v}`)!.subscriptions.size).toBe(1);
    await using pub = await connect(broker.port, version, `p-${v}`);
    await pub.send(rawPublish({ topic: 'twice', payload: 'x', qos: 1, packetId: 1 }, version));
    const got = await receiveAndAck(client, version);
    expect(got.qos).toBe(1);
    await client.expectNoFrame(200);
  });

  it('[MQTT-3.2.2-10] granted QoS is capped by limits.maximumQoS; messages follow the granted QoS', async () => {
    await using broker = await startBroker({ limits: { maximumQoS: 1 } });
    await using sub = await connect(broker.port, version, `s-${v}`);
    if (version === 5) expect(sub.connack.properties).toContainEqual([0x24, 1]); // [MQTT-3.2.2-9]
    expect(
      await subscribe(sub, version, [
        { filter: 'm', qos: 2 },
        { filter: 'n', qos: 0 },
      ]),
    ).toEqual([1, 0]);
    await using pub = await connect(broker.port, version, `p-${v}`);
    await pub.send(rawPublish({ topic: 'm', payload: 'x', qos: 1, packetId: 1 }, version));
    expect((await nextPublish(sub, version)).qos).toBe(1);
  });

  it('[MQTT-3.3.4-2] (3.1.1 [MQTT-3.3.5-1]) overlapping subscriptions deliver one copy at the maximum QoS', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, version, `s-${v}`);
    await subscribe(sub, version, [
      { filter: 'o/#', qos: 0 },
      { filter: 'o/+', qos: 2 },
      { filter: 'o/x', qos: 1 },
    ]);
    await using pub = await connect(broker.port, version, `p-${v}`);
    await pub.send(rawPublish({ topic: 'o/x', payload: 'once', qos: 2, packetId: 1 }, version));
    const got = await receiveAndAck(sub, version);
    expect([got.qos, text(got)]).toEqual([2, 'once']);
    await sub.expectNoFrame(300);
  });

  it('[MQTT-3.8.4-3] a SUBSCRIBE to an existing filter replaces the subscription, and messages are not lost', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, version, `s-${v}`);
    await subscribe(sub, version, [{ filter: 'rep', qos: 0 }]);
    expect(await subscribe(sub, version, [{ filter: 'rep', qos: 2 }], undefined, 2)).toEqual([2]);
    await using pub = await connect(broker.port, version, `p-${v}`);
    await pub.send(rawPublish({ topic: 'rep', payload: 'after', qos: 2, packetId: 1 }, version));
    const got = await receiveAndAck(sub, version);
    expect([got.qos, text(got)]).toEqual([2, 'after']);
    await sub.expectNoFrame(200);
    expect(broker.broker.router.counts().subscriptions).toBe(1);
  });

  it('[MQTT-3.9.3-1] a subscription limit refuses the filters beyond it (5.0 0x97 Quota exceeded, 3.1.1 0x80)', async () => {
    await using broker = await startBroker({ limits: { maximumSubscriptionsPerClient: 2 } });
    await using client = await connect(broker.port, version, `c-${v}`);
    const refused = version === 5 ? 0x97 : 0x80;
    expect(
      await subscribe(client, version, [
        { filter: 'l1', qos: 0 },
        { filter: 'l2', qos: 1 },
        { filter: 'l3', qos: 1 },
      ]),
    ).toEqual([0, 1, refused]);
    // Replacing an existing subscription is not a new one.
    expect(
      await subscribe(
        client,
        version,
        [
          { filter: 'l1', qos: 2 },
          { filter: 'l4', qos: 0 },
        ],
        undefined,
        2,
      ),
    ).toEqual([2, refused]);
  });

  it('an authorizeSubscribe hook denial fails that filter only (5.0 its reason code, 3.1.1 0x80)', async () => {
    await using broker = await startBroker({
      hooks: [
        {
          id: 'acl',
          authorizeSubscribe: ({ topicFilter }) => (topicFilter.startsWith('secret') ? 'deny' : 'allow'),
        },
      ],
    });
    await using client = await connect(broker.port, version, `c-${v}`);
    expect(
      await subscribe(client, version, [
        { filter: 'open', qos: 1 },
        { filter: 'secret/#', qos: 1 },
      ]),
    ).toEqual([1, version === 5 ? 0x87 : 0x80]);
  });

  it('[MQTT-3.10.4-1] [MQTT-3.10.4-2] [MQTT-3.10.4-4] [MQTT-3.10.4-5] UNSUBSCRIBE stops delivery; UNSUBACK always comes, with its id', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, version, `s-${v}`);
    await subscribe(sub, version, [{ filter: 'u/#', qos: 0 }]);
    // Filters compare character by character: 'u/+' is not 'u/#'.
    await sub.send(rawUnsubscribe(0x0102, ['u/+', 'u/#', 'never'], version));
    const unsuback = parseUnsuback(await sub.expectFrame({ type: T.UNSUBACK }), version);
    expect(unsuback.packetId).toBe(0x0102);
    // [MQTT-3.11.3-1] one code per filter in order; 0x11 No subscription existed.
    expect(unsuback.codes).toEqual(version === 5 ? [0x11, 0x00, 0x11] : []);
    await using pub = await connect(broker.port, version, `p-${v}`);
    await pub.send(rawPublish({ topic: 'u/1', payload: 'x' }, version));
    await sub.expectNoFrame(300);
  });

  it('[MQTT-3.10.4-3] a QoS 1 message in flight when its subscription goes still completes with PUBACK', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, version, `s-${v}`);
    await subscribe(sub, version, [{ filter: 'inflight', qos: 1 }]);
    await using pub = await connect(broker.port, version, `p-${v}`);
    await pub.send(rawPublish({ topic: 'inflight', payload: 'x', qos: 1, packetId: 1 }, version));
    const got = await nextPublish(sub, version);
    await sub.send(rawUnsubscribe(2, ['inflight'], version));
    await sub.expectFrame({ type: T.UNSUBACK });
    await sub.send(rawPuback(got.packetId!, version));
    await sub.expectNoFrame(200);
    expect(broker.broker.sessions.get(`s-${v}`)!.inflightCount).toBe(0);
  });
});

describe('SUBSCRIBE, MQTT 5.0', () => {
  it('[MQTT-3.9.3-2] each invalid Topic Filter gets 0x8F Topic Filter invalid; the others are subscribed', async () => {
    await using broker = await startBroker();
    await using client = await connect(broker.port, 5, 'c');
    const codes = await subscribe(client, 5, [
      { filter: 'ok/1', qos: 1 },
      { filter: 'a/#/b', qos: 0 }, // [MQTT-4.7.1-1]
      { filter: 'a+', qos: 1 }, // [MQTT-4.7.1-2]
      { filter: '', qos: 1 }, // [MQTT-4.7.3-1]
      { filter: '$share//x', qos: 1 }, // [MQTT-4.8.2-1]
      { filter: '$share/g+/x', qos: 1 }, // [MQTT-4.8.2-2]
      { filter: '$share/g', qos: 1 }, // [MQTT-4.8.2-2]
      { filter: 'ok/2', qos: 2 },
    ]);
    expect(codes).toEqual([1, 0x8f, 0x8f, 0x8f, 0x8f, 0x8f, 0x8f, 2]);
    expect([...broker.broker.sessions.get('c')!.subscriptions.keys()]).toEqual(['ok/1', 'ok/2']);
  });

  it('[MQTT-3.3.4-3] [MQTT-3.3.4-4] one copy of a message matching overlapping subscriptions carries every Subscription Identifier', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, 5, 's');
    await subscribe(sub, 5, [{ filter: 'ids/#', qos: 0 }], [[SUBSCRIPTION_IDENTIFIER, 10]], 1);
    await subscribe(sub, 5, [{ filter: 'ids/+', qos: 1 }], [[SUBSCRIPTION_IDENTIFIER, 20]], 2);
    await subscribe(sub, 5, [{ filter: 'ids/x', qos: 0 }], undefined, 3);
    await using pub = await connect(broker.port, 5, 'p');
    await pub.send(rawPublish({ topic: 'ids/x', payload: 'x', qos: 1, packetId: 1 }, 5));
    const got = await receiveAndAck(sub, 5);
    expect(got.qos).toBe(1);
    const ids = got.properties.filter(([id]) => id === SUBSCRIPTION_IDENTIFIER).map(([, value]) => value);
    expect(ids.sort()).toEqual([10, 20]);
    await sub.expectNoFrame(200);
  });

  it('a resubscription without a Subscription Identifier removes the identifier (3.8.4)', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, 5, 's');
    await subscribe(sub, 5, [{ filter: 'sid', qos: 0 }], [[SUBSCRIPTION_IDENTIFIER, 7]], 1);
    await using pub = await connect(broker.port, 5, 'p');
    await pub.send(rawPublish({ topic: 'sid', payload: '1' }, 5));
    expect((await nextPublish(sub, 5)).properties).toEqual([[SUBSCRIPTION_IDENTIFIER, 7]]);
    await subscribe(sub, 5, [{ filter: 'sid', qos: 0 }], undefined, 2);
    await pub.send(rawPublish({ topic: 'sid', payload: '2' }, 5));
    expect((await nextPublish(sub, 5)).properties).toEqual([]);
  });

  it('3.2.2.3.11 with Wildcard Subscription Available 0, a wildcard filter is a protocol error: DISCONNECT 0xA2', async () => {
    await using broker = await startBroker({ limits: { wildcardSubscriptionAvailable: false } });
    await using client = await connect(broker.port, 5, 'c');
    expect(client.connack.properties).toContainEqual([0x28, 0]);
    expect(await subscribe(client, 5, [{ filter: 'plain', qos: 0 }])).toEqual([0]);
    await client.send(rawSubscribe(2, [{ filter: 'a/+', qos: 0 }], 5));
    expect(await expectDisconnect(client)).toBe(0xa2);
  });

  it('3.2.2.3.13 with Shared Subscription Available 0, a shared filter is a protocol error: DISCONNECT 0x9E', async () => {
    await using broker = await startBroker({ limits: { sharedSubscriptionAvailable: false } });
    await using client = await connect(broker.port, 5, 'c');
    expect(client.connack.properties).toContainEqual([0x2a, 0]);
    await client.send(rawSubscribe(1, [{ filter: '$share/g/a', qos: 0 }], 5));
    expect(await expectDisconnect(client)).toBe(0x9e);
  });

  it('3.2.2.3.12 with Subscription Identifiers Available 0, a Subscription Identifier is a protocol error: DISCONNECT 0xA1', async () => {
    await using broker = await startBroker({ limits: { subscriptionIdentifiersAvailable: false } });
    await using client = await connect(broker.port, 5, 'c');
    expect(client.connack.properties).toContainEqual([0x29, 0]);
    await client.send(rawSubscribe(1, [{ filter: 'a', qos: 0 }], 5, [[SUBSCRIPTION_IDENTIFIER, 3]]));
    expect(await expectDisconnect(client)).toBe(0xa1);
  });

  it('[MQTT-3.11.3-1] UNSUBSCRIBE of an invalid filter answers 0x8F for it and handles the others', async () => {
    await using broker = await startBroker();
    await using client = await connect(broker.port, 5, 'c');
    await subscribe(client, 5, [{ filter: 'keep', qos: 0 }]);
    await client.send(rawUnsubscribe(5, ['a/#/b', 'keep'], 5));
    expect(parseUnsuback(await client.expectFrame({ type: T.UNSUBACK }), 5).codes).toEqual([0x8f, 0x00]);
  });
});

describe('limits on PUBLISH and SUBSCRIBE', () => {
  it('[MQTT-3.2.2-11] a v5 PUBLISH above the advertised Maximum QoS gets DISCONNECT 0x9B; a 3.1.1 one is closed', async () => {
    await using broker = await startBroker({ limits: { maximumQoS: 1 } });
    await using v5 = await connect(broker.port, 5, 'v5');
    await v5.send(rawPublish({ topic: 'q', payload: 'x', qos: 1, packetId: 1 }, 5));
    await v5.expectFrame({ type: T.PUBACK });
    await v5.send(rawPublish({ topic: 'q', payload: 'x', qos: 2, packetId: 2 }, 5));
    expect(await expectDisconnect(v5)).toBe(0x9b);
    await using v4 = await connect(broker.port, 4, 'v4');
    await v4.send(rawPublish({ topic: 'q', payload: 'x', qos: 2, packetId: 2 }, 4));
    await v4.expectClose();
    expect(v4.pending).toEqual([]);
  });

  it('topics and filters beyond limits.maximumTopicLevels: filter 0x8F, PUBLISH DISCONNECT 0x90', async () => {
    await using broker = await startBroker({ limits: { maximumTopicLevels: 3 } });
    await using client = await connect(broker.port, 5, 'c');
    expect(
      await subscribe(client, 5, [
        { filter: 'a/b/c', qos: 0 },
        { filter: 'a/b/c/d', qos: 0 },
      ]),
    ).toEqual([0, 0x8f]);
    await client.send(rawPublish({ topic: 'a/b/c', payload: 'ok' }, 5));
    await nextPublish(client, 5);
    await client.send(rawPublish({ topic: 'a/b/c/d', payload: 'too deep' }, 5));
    expect(await expectDisconnect(client)).toBe(0x90);
  });
});

describe('SUBSCRIBE, MQTT 3.1.1', () => {
  it.each(['a/#/b', 'a+', ''])(
    '[MQTT-4.8.0-1] [MQTT-4.7.1-2] an invalid Topic Filter %j is a protocol violation: the connection closes',
    async (filter) => {
      await using broker = await startBroker();
      await using client = await connect(broker.port, 4, 'c');
      await client.send(
        rawSubscribe(
          1,
          [
            { filter: 'ok', qos: 0 },
            { filter, qos: 0 },
          ],
          4,
        ),
      );
      await client.expectClose();
      expect(client.pending.filter((f) => f.type === T.SUBACK)).toEqual([]);
    },
  );

  it('capabilities turned off answer 0x80 Failure per filter: a 3.1.1 client cannot know them', async () => {
    await using broker = await startBroker({
      limits: { wildcardSubscriptionAvailable: false, sharedSubscriptionAvailable: false },
    });
    await using client = await connect(broker.port, 4, 'c');
    expect(
      await subscribe(client, 4, [
        { filter: 'a/+', qos: 1 },
        { filter: '$share/g/a', qos: 1 },
        { filter: 'a', qos: 1 },
      ]),
    ).toEqual([0x80, 0x80, 1]);
  });

  it('[MQTT-4.8.0-1] an UNSUBSCRIBE with an invalid filter closes the connection', async () => {
    await using broker = await startBroker();
    await using client = await connect(broker.port, 4, 'c');
    await client.send(rawUnsubscribe(1, ['a/#/b'], 4));
    await client.expectClose();
  });

  it('[MQTT-3.3.5-1] overlapping subscriptions from several SUBSCRIBEs still give one copy at the maximum QoS', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, 4, 's');
    await subscribe(sub, 4, [{ filter: '#', qos: 1 }], undefined, 1);
    await subscribe(sub, 4, [{ filter: 'x/y', qos: 0 }], undefined, 2);
    await using pub = await connect(broker.port, 4, 'p');
    await pub.send(rawPublish({ topic: 'x/y', payload: 'm', qos: 2, packetId: 9 }, 4));
    const all = await collect(sub, 4, 1);
    expect(all.map((p) => [p.qos, text(p)])).toEqual([[1, 'm']]);
    await sub.expectNoFrame(300);
  });
});

describe('SUBSCRIBE with the MQTT 3.1 protocol level', () => {
  it('SUBACK carries the granted QoS per filter', async () => {
    await using broker = await startBroker({ limits: { maximumQoS: 1 } });
    await using client = await connect(broker.port, 3 as RawVersion, 'c31');
    expect(
      await subscribe(client, 3, [
        { filter: 'a', qos: 2 },
        { filter: 'b', qos: 0 },
      ]),
    ).toEqual([1, 0]);
  });
});
