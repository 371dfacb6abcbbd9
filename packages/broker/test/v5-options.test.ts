/**
 * MQTT 5.0 subscription options (section 3.8.3.1): No Local, Retain As Published, Retain Handling,
 * and the Subscription Identifier (3.8.2.1.2).
 */
import { rawPublish, rawUnsubscribe } from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import { startBroker } from './fixtures.js';
import { connect, nextPublish, subscribe, T, text } from './raw-helpers.js';

const SUBSCRIPTION_IDENTIFIER = 0x0b;

describe('MQTT 5.0 subscription options', () => {
  it('[MQTT-3.8.3-3] No Local: the publisher’s own messages are not forwarded to it; others still get them', async () => {
    await using broker = await startBroker();
    await using self = await connect(broker.port, 5, 'self');
    await using other = await connect(broker.port, 5, 'other');
    await subscribe(self, 5, [{ filter: 'nl/#', qos: 1, noLocal: true }]);
    await subscribe(other, 5, [{ filter: 'nl/#', qos: 1, noLocal: true }]);
    await self.send(rawPublish({ topic: 'nl/a', payload: 'mine', qos: 1, packetId: 1 }, 5));
    // The publisher gets its PUBACK (0x00: someone else matched) and nothing else.
    expect((await self.expectFrame({ type: T.PUBACK })).body.subarray(0, 2)).toEqual(Buffer.from([0, 1]));
    expect(text(await nextPublish(other, 5))).toBe('mine');
    await other.send(rawPublish({ topic: 'nl/b', payload: 'theirs' }, 5));
    expect(text(await nextPublish(self, 5))).toBe('theirs');
    await self.expectNoFrame(200);
  });

  it('[MQTT-3.8.3-3] No Local applies per subscription: an overlapping one without it still delivers', async () => {
    await using broker = await startBroker();
    await using self = await connect(broker.port, 5, 'self');
    await subscribe(self, 5, [
      { filter: 'mix/+', qos: 0, noLocal: true },
      { filter: 'mix/#', qos: 0 },
    ]);
    await self.send(rawPublish({ topic: 'mix/a', payload: 'echo' }, 5));
    expect(text(await nextPublish(self, 5))).toBe('echo');
    await self.expectNoFrame(200);
  });

  it('No Local also holds after a reconnect with the same ClientID (a new connection, same ClientID)', async () => {
    await using broker = await startBroker();
    const first = await connect(broker.port, 5, 'nl-persist', { properties: [[0x11, 60]] });
    await subscribe(first, 5, [{ filter: 'np', qos: 0, noLocal: true }]);
    await first.close();
    await using again = await connect(broker.port, 5, 'nl-persist', {
      clean: false,
      properties: [[0x11, 60]],
    });
    await again.send(rawPublish({ topic: 'np', payload: 'x' }, 5));
    await again.expectNoFrame(300);
  });

  it('[MQTT-3.3.1-12] [MQTT-3.3.1-13] Retain As Published keeps the RETAIN flag as published; without it RETAIN is 0', async () => {
    await using broker = await startBroker();
    await using rap = await connect(broker.port, 5, 'rap');
    await using plain = await connect(broker.port, 5, 'plain');
    await subscribe(rap, 5, [{ filter: 'rap', qos: 0, retainAsPublished: true }]);
    await subscribe(plain, 5, [{ filter: 'rap', qos: 0 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: 'rap', payload: 'retained', retain: true }, 5));
    await pub.send(rawPublish({ topic: 'rap', payload: 'live' }, 5));
    const [a, b] = [await nextPublish(rap, 5), await nextPublish(rap, 5)];
    expect([a.retain, b.retain]).toEqual([true, false]);
    const [c, d] = [await nextPublish(plain, 5), await nextPublish(plain, 5)];
    expect([c.retain, d.retain]).toEqual([false, false]);
  });

  it('[MQTT-3.3.1-9] Retain Handling 0 sends retained messages on every SUBSCRIBE', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: 'rh0', payload: 'r', retain: true }, 5));
    await using sub = await connect(broker.port, 5, 'sub');
    for (let i = 1; i <= 2; i++) {
      await subscribe(sub, 5, [{ filter: 'rh0', qos: 0, retainHandling: 0 }], undefined, i);
      const got = await nextPublish(sub, 5);
      expect([text(got), got.retain]).toEqual(['r', true]);
    }
  });

  it('[MQTT-3.3.1-10] Retain Handling 1 sends retained messages only when the subscription is new', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: 'rh1', payload: 'r', retain: true }, 5));
    await using sub = await connect(broker.port, 5, 'sub');
    await subscribe(sub, 5, [{ filter: 'rh1', qos: 0, retainHandling: 1 }], undefined, 1);
    expect((await nextPublish(sub, 5)).retain).toBe(true);
    await subscribe(sub, 5, [{ filter: 'rh1', qos: 1, retainHandling: 1 }], undefined, 2);
    await sub.expectNoFrame(300);
    // After UNSUBSCRIBE it is new again.
    await sub.send(rawUnsubscribe(3, ['rh1'], 5));
    await sub.expectFrame({ type: T.UNSUBACK });
    await subscribe(sub, 5, [{ filter: 'rh1', qos: 0, retainHandling: 1 }], undefined, 4);
    expect((await nextPublish(sub, 5)).retain).toBe(true);
  });

  it('[MQTT-3.3.1-11] Retain Handling 2 never sends retained messages at subscribe, but live ones still flow', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: 'rh2', payload: 'r', retain: true }, 5));
    await using sub = await connect(broker.port, 5, 'sub');
    await subscribe(sub, 5, [{ filter: 'rh2', qos: 0, retainHandling: 2 }]);
    await sub.expectNoFrame(300);
    await pub.send(rawPublish({ topic: 'rh2', payload: 'live', retain: true }, 5));
    const got = await nextPublish(sub, 5);
    expect([text(got), got.retain]).toEqual(['live', false]);
  });

  it('3.8.2.1.2 the Subscription Identifier comes back on matching messages, retained ones included', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: 'sid/r', payload: 'old', retain: true }, 5));
    await using sub = await connect(broker.port, 5, 'sub');
    await subscribe(sub, 5, [{ filter: 'sid/+', qos: 0 }], [[SUBSCRIPTION_IDENTIFIER, 268_435_455]]);
    const retained = await nextPublish(sub, 5);
    expect(retained.properties).toEqual([[SUBSCRIPTION_IDENTIFIER, 268_435_455]]);
    await pub.send(rawPublish({ topic: 'sid/l', payload: 'new' }, 5));
    expect((await nextPublish(sub, 5)).properties).toEqual([[SUBSCRIPTION_IDENTIFIER, 268_435_455]]);
  });

  it('[MQTT-3.3.4-6] a client PUBLISH carrying a Subscription Identifier is a protocol error: DISCONNECT 0x82', async () => {
    await using broker = await startBroker();
    await using client = await connect(broker.port, 5, 'bad');
    await client.send(
      rawPublish({ topic: 'x', payload: 'y', properties: [[SUBSCRIPTION_IDENTIFIER, 5]] }, 5),
    );
    const frame = await client.expectFrame({ type: T.DISCONNECT });
    expect(frame.body[0]).toBe(0x82);
  });
});
