/**
 * Shared subscriptions, `$share/{ShareName}/{filter}` (5.0 section 4.8.2), also accepted from MQTT
 * 3.1.1 clients.
 */
import {
  parsePublish,
  parseUnsuback,
  rawPuback,
  rawPublish,
  rawSubscribe,
  rawUnsubscribe,
} from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import { startBroker } from './fixtures.js';
import { collect, connect, expectDisconnect, nextPublish, subscribe, text, until } from './raw-helpers.js';

const SUBSCRIPTION_IDENTIFIER = 0x0b;

describe('shared subscriptions', () => {
  it('4.8.2 each message goes to one member of the group, in turn', async () => {
    await using broker = await startBroker();
    await using a = await connect(broker.port, 5, 'a');
    await using b = await connect(broker.port, 5, 'b');
    expect(await subscribe(a, 5, [{ filter: '$share/g/work/+', qos: 0 }])).toEqual([0]);
    expect(await subscribe(b, 5, [{ filter: '$share/g/work/+', qos: 0 }])).toEqual([0]);
    await using pub = await connect(broker.port, 5, 'pub');
    for (let i = 0; i < 10; i++) await pub.send(rawPublish({ topic: 'work/x', payload: `${i}` }, 5));
    const [gotA, gotB] = await Promise.all([collect(a, 5, 5), collect(b, 5, 5)]);
    const all = [...gotA, ...gotB].map(text).sort((x, y) => Number(x) - Number(y));
    expect(all).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    await a.expectNoFrame(200);
    await b.expectNoFrame(0);
  });

  it('4.8.2 separate groups and non-shared subscribers each get their own copy', async () => {
    await using broker = await startBroker();
    await using g1 = await connect(broker.port, 5, 'g1');
    await using g2 = await connect(broker.port, 5, 'g2');
    await using plain = await connect(broker.port, 5, 'plain');
    await subscribe(g1, 5, [{ filter: '$share/one/t', qos: 1 }]);
    await subscribe(g2, 5, [{ filter: '$share/two/t', qos: 1 }]);
    await subscribe(plain, 5, [{ filter: 't', qos: 1 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: 't', payload: 'm', qos: 1, packetId: 1 }, 5));
    for (const client of [g1, g2, plain]) expect(text((await collect(client, 5, 1))[0]!)).toBe('m');
  });

  it('3.8.4 / 4.8.2 no retained messages are sent to a shared subscription', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: 'state', payload: 'retained', retain: true, qos: 1, packetId: 1 }, 5));
    await pub.expectFrame({ type: 4 });
    await using shared = await connect(broker.port, 5, 'shared');
    await subscribe(shared, 5, [{ filter: '$share/g/state', qos: 1 }]);
    await shared.expectNoFrame(300);
    await using plain = await connect(broker.port, 5, 'plain');
    await subscribe(plain, 5, [{ filter: 'state', qos: 1 }]);
    expect(text(await nextPublish(plain, 5))).toBe('retained');
  });

  it('MQTT 3.1.1 clients may join a shared subscription alongside 5.0 clients', async () => {
    await using broker = await startBroker();
    await using old = await connect(broker.port, 4, 'old');
    await using young = await connect(broker.port, 5, 'young');
    expect(await subscribe(old, 4, [{ filter: '$share/mixed/m', qos: 1 }])).toEqual([1]);
    expect(await subscribe(young, 5, [{ filter: '$share/mixed/m', qos: 1 }])).toEqual([1]);
    await using pub = await connect(broker.port, 4, 'pub');
    for (let i = 1; i <= 4; i++)
      await pub.send(rawPublish({ topic: 'm', payload: `${i}`, qos: 1, packetId: i }, 4));
    const [fromOld, fromYoung] = await Promise.all([collect(old, 4, 2), collect(young, 5, 2)]);
    expect([...fromOld, ...fromYoung].map(text).sort()).toEqual(['1', '2', '3', '4']);
  });

  it('a malformed ShareName from a 3.1.1 client fails that filter with 0x80', async () => {
    await using broker = await startBroker();
    await using client = await connect(broker.port, 4, 'c');
    expect(
      await subscribe(client, 4, [
        { filter: '$share//x', qos: 0 },
        { filter: '$share/a#/x', qos: 0 },
        { filter: 'x', qos: 0 },
      ]),
    ).toEqual([0x80, 0x80, 0]);
  });

  it('[MQTT-3.8.3-4] No Local on a shared subscription is a protocol error: DISCONNECT 0x82', async () => {
    await using broker = await startBroker();
    await using client = await connect(broker.port, 5, 'c');
    await client.send(rawSubscribe(1, [{ filter: '$share/g/nl', qos: 0, noLocal: true }], 5));
    expect(await expectDisconnect(client)).toBe(0x82);
  });

  it('[MQTT-4.8.2-3] each member gets the message at the QoS granted to its own subscription', async () => {
    await using broker = await startBroker();
    await using low = await connect(broker.port, 5, 'low');
    await using high = await connect(broker.port, 5, 'high');
    await subscribe(low, 5, [{ filter: '$share/q/x', qos: 0 }]);
    await subscribe(high, 5, [{ filter: '$share/q/x', qos: 2 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    for (let i = 1; i <= 4; i++)
      await pub.send(rawPublish({ topic: 'x', payload: `${i}`, qos: 1, packetId: i }, 5));
    // The broker picks the member with fewest messages in flight, so the split is not fixed: wait for
    // all four, wherever they went, then check each member's copies.
    const publishes = (client: typeof low) =>
      client.received.filter((f) => f.type === 3).map((f) => parsePublish(f, 5));
    await until(() => publishes(low).length + publishes(high).length === 4, 5000, 'four deliveries');
    expect(publishes(low).length).toBeGreaterThan(0);
    expect(publishes(high).length).toBeGreaterThan(0);
    expect(publishes(low).every((p) => p.qos === 0)).toBe(true);
    expect(publishes(high).every((p) => p.qos === 1)).toBe(true);
  });

  it('[MQTT-3.3.4-5] a shared delivery carries only the receiving member’s Subscription Identifier', async () => {
    await using broker = await startBroker();
    await using a = await connect(broker.port, 5, 'a');
    await using b = await connect(broker.port, 5, 'b');
    await subscribe(a, 5, [{ filter: '$share/s/id', qos: 0 }], [[SUBSCRIPTION_IDENTIFIER, 11]]);
    await subscribe(b, 5, [{ filter: '$share/s/id', qos: 0 }], [[SUBSCRIPTION_IDENTIFIER, 22]]);
    await using pub = await connect(broker.port, 5, 'pub');
    for (let i = 0; i < 4; i++) await pub.send(rawPublish({ topic: 'id', payload: `${i}` }, 5));
    const [fromA, fromB] = await Promise.all([collect(a, 5, 2), collect(b, 5, 2)]);
    expect(fromA.map((p) => p.properties)).toEqual([
      [[SUBSCRIPTION_IDENTIFIER, 11]],
      [[SUBSCRIPTION_IDENTIFIER, 11]],
    ]);
    expect(fromB.map((p) => p.properties)).toEqual([
      [[SUBSCRIPTION_IDENTIFIER, 22]],
      [[SUBSCRIPTION_IDENTIFIER, 22]],
    ]);
  });

  it('[MQTT-4.8.2-6] a message a member refuses with PUBACK ≥ 0x80 is not sent to another member', async () => {
    await using broker = await startBroker();
    await using a = await connect(broker.port, 5, 'a');
    await subscribe(a, 5, [{ filter: '$share/r/job', qos: 1 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: 'job', payload: 'j', qos: 1, packetId: 1 }, 5));
    const got = await nextPublish(a, 5);
    await using b = await connect(broker.port, 5, 'b');
    await subscribe(b, 5, [{ filter: '$share/r/job', qos: 1 }]);
    await a.send(rawPuback(got.packetId!, 5, 0x80));
    await b.expectNoFrame(300);
    await a.expectNoFrame(0);
    expect(broker.broker.sessions.get('a')!.inflightCount).toBe(0);
  });

  it('UNSUBSCRIBE detaches a member; the others get everything, and the last one ends the group', async () => {
    await using broker = await startBroker();
    await using a = await connect(broker.port, 5, 'a');
    await using b = await connect(broker.port, 5, 'b');
    await subscribe(a, 5, [{ filter: '$share/u/t', qos: 0 }]);
    await subscribe(b, 5, [{ filter: '$share/u/t', qos: 0 }]);
    expect(broker.broker.router.counts().sharedGroups).toBe(1);
    await a.send(rawUnsubscribe(2, ['$share/u/t'], 5));
    expect(parseUnsuback(await a.expectFrame({ type: 11 }), 5).codes).toEqual([0]);
    await using pub = await connect(broker.port, 5, 'pub');
    for (let i = 0; i < 4; i++) await pub.send(rawPublish({ topic: 't', payload: `${i}` }, 5));
    expect((await collect(b, 5, 4)).map(text)).toEqual(['0', '1', '2', '3']);
    await a.expectNoFrame(100);
    await b.send(rawUnsubscribe(3, ['$share/u/t'], 5));
    await b.expectFrame({ type: 11 });
    expect(broker.broker.router.counts().sharedGroups).toBe(0);
  });

  it('a connected member is chosen over one whose persistent session is offline', async () => {
    await using broker = await startBroker();
    const away = await connect(broker.port, 5, 'away', { properties: [[0x11, 300]] });
    await subscribe(away, 5, [{ filter: '$share/o/t', qos: 1 }]);
    await away.close();
    await using here = await connect(broker.port, 5, 'here');
    await subscribe(here, 5, [{ filter: '$share/o/t', qos: 1 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    for (let i = 1; i <= 6; i++)
      await pub.send(rawPublish({ topic: 't', payload: `${i}`, qos: 1, packetId: i }, 5));
    expect((await collect(here, 5, 6)).map(text)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(broker.broker.sessions.get('away')!.queuedCount).toBe(0);
  });
});
