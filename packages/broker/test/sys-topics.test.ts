/**
 * Topics beginning with `$` (section 4.7.2) and the broker's own `$SYS` tree.
 */
import { parseAck, rawPublish } from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import { startBroker } from './fixtures.js';
import { collect, connect, nextPublish, subscribe, sync, T, text } from './raw-helpers.js';

describe('$ topics', () => {
  it.each([4, 5] as const)(
    '[MQTT-4.7.2-1] filters starting with a wildcard do not match $ topics (v%i)',
    async (version) => {
      await using broker = await startBroker();
      await using wild = await connect(broker.port, version, 'wild');
      await subscribe(wild, version, [
        { filter: '#', qos: 0 },
        { filter: '+/x', qos: 0 },
        { filter: '+', qos: 0 },
      ]);
      await using dollar = await connect(broker.port, version, 'dollar');
      await subscribe(dollar, version, [
        { filter: '$app/#', qos: 0 },
        { filter: '$app/+', qos: 0 },
      ]);
      await using pub = await connect(broker.port, version, 'pub');
      await pub.send(rawPublish({ topic: '$app/x', payload: 'hidden' }, version));
      await pub.send(rawPublish({ topic: '$app', payload: 'hidden too' }, version));
      await pub.send(rawPublish({ topic: 'app/x', payload: 'visible' }, version));
      const got = await collect(dollar, version, 1);
      expect(got.map((p) => `${p.topic}=${text(p)}`)).toEqual(['$app/x=hidden']);
      // '$app/#' also matches '$app' (the parent level), once.
      expect(`${(await nextPublish(dollar, version)).topic}`).toBe('$app');
      expect(text(await nextPublish(wild, version))).toBe('visible');
      await wild.expectNoFrame(200);
    },
  );

  it('[MQTT-4.7.2-1] retained $ topics are not sent for a wildcard-first subscription either', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: '$app/state', payload: 'r', retain: true }, 5));
    await pub.send(rawPublish({ topic: 'app/state', payload: 'r', retain: true }, 5));
    await sync(pub);
    await using sub = await connect(broker.port, 5, 'sub');
    await subscribe(sub, 5, [{ filter: '#', qos: 0 }]);
    expect((await nextPublish(sub, 5)).topic).toBe('app/state');
    await sub.expectNoFrame(200);
    await subscribe(sub, 5, [{ filter: '$app/+', qos: 0 }], undefined, 2);
    expect((await nextPublish(sub, 5)).topic).toBe('$app/state');
  });

  it('4.7.2 clients may not publish to $SYS: v5 PUBACK / PUBREC 0x87, nothing routed', async () => {
    await using broker = await startBroker();
    await using watcher = await connect(broker.port, 5, 'watcher');
    await subscribe(watcher, 5, [{ filter: '$SYS/#', qos: 2 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: '$SYS/broker/uptime', payload: 'fake', qos: 1, packetId: 1 }, 5));
    expect(parseAck(await pub.expectFrame({ type: T.PUBACK }), 5).reasonCode).toBe(0x87);
    await pub.send(rawPublish({ topic: '$SYS', payload: 'fake', qos: 2, packetId: 2 }, 5));
    expect(parseAck(await pub.expectFrame({ type: T.PUBREC }), 5).reasonCode).toBe(0x87);
    await pub.send(rawPublish({ topic: '$SYS/x', payload: 'fake', retain: true }, 5));
    await sync(pub);
    await watcher.expectNoFrame(200);
    expect(broker.broker.router.counts().retained).toBe(0);
    // '$SYSTEM' is not the $SYS tree.
    await pub.send(rawPublish({ topic: '$SYSTEM/x', payload: 'ok', qos: 1, packetId: 3 }, 5));
    expect(parseAck(await pub.expectFrame({ type: T.PUBACK }), 5).reasonCode).toBe(0x10);
  });

  it('4.7.2 a 3.1.1 client publishing to $SYS gets a plain PUBACK and the message is dropped', async () => {
    await using broker = await startBroker();
    await using watcher = await connect(broker.port, 4, 'watcher');
    await subscribe(watcher, 4, [{ filter: '$SYS/#', qos: 1 }]);
    await using pub = await connect(broker.port, 4, 'pub');
    await pub.send(rawPublish({ topic: '$SYS/x', payload: 'fake', qos: 1, packetId: 1 }, 4));
    expect(parseAck(await pub.expectFrame({ type: T.PUBACK }), 4)).toMatchObject({ packetId: 1 });
    await watcher.expectNoFrame(200);
  });

  it('the broker itself publishes to $SYS, and $SYS/# subscribers get it', async () => {
    await using broker = await startBroker();
    await using watcher = await connect(broker.port, 5, 'watcher');
    await using wild = await connect(broker.port, 5, 'wild');
    await subscribe(watcher, 5, [{ filter: '$SYS/#', qos: 0 }]);
    await subscribe(wild, 5, [{ filter: '#', qos: 0 }]);
    expect(broker.broker.publish({ topic: '$SYS/broker/version', payload: '1.2.3', retain: true })).toBe(1);
    const got = await nextPublish(watcher, 5);
    expect([got.topic, text(got)]).toEqual(['$SYS/broker/version', '1.2.3']);
    await wild.expectNoFrame(200);
  });
});

describe('broker.publish (the embedding application)', () => {
  it('may publish into $SYS (it is trusted), and a subscriber gets it', async () => {
    await using broker = await startBroker();
    await using watcher = await connect(broker.port, 5, 'watcher');
    await subscribe(watcher, 5, [{ filter: '$SYS/#', qos: 0 }]);
    expect(broker.broker.publish({ topic: '$SYS/app/state', payload: 'up' })).toBe(1);
    expect(text(await nextPublish(watcher, 5))).toBe('up');
  });

  it.each(['a/+', 'a/#', '', 'nul\u0000here'])(
    '[MQTT-3.3.2-2] [MQTT-4.7.3-1] an invalid topic name %j throws a TypeError and reaches nobody',
    async (topic) => {
      await using broker = await startBroker();
      await using watcher = await connect(broker.port, 5, 'watcher');
      await subscribe(watcher, 5, [{ filter: '#', qos: 0 }]);
      expect(() => broker.broker.publish({ topic, payload: 'x' })).toThrow(TypeError);
      await watcher.expectNoFrame(200);
    },
  );

  it('a topic longer than limits.maximumTopicLength throws', async () => {
    await using broker = await startBroker({ limits: { maximumTopicLength: 8 } });
    expect(() => broker.broker.publish({ topic: 'a/b/c/d/e/f', payload: 'x' })).toThrow(TypeError);
    expect(broker.broker.publish({ topic: 'a/b', payload: 'x' })).toBe(0);
  });
});
