/**
 * Retained messages: set, replace, clear; the RETAIN flag on delivery; expiry of retained messages.
 * Spec ids: 5.0 numbering, with 3.1.1's in parentheses where it differs.
 */
import { rawPublish } from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../src/index.js';
import { startBroker } from './fixtures.js';
import {
  collect,
  connect,
  dropRecorder,
  expectDisconnect,
  nextAck,
  nextPublish,
  subscribe,
  sync,
  T,
  text,
} from './raw-helpers.js';

const MESSAGE_EXPIRY_INTERVAL = 0x02;

/** A clock the test moves by hand, so expiry needs no sleeping. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = Date.now();
  return { now: () => now, advance: (ms) => (now += ms) };
}

describe.each([4, 5] as const)('retained messages, MQTT v%i', (version) => {
  const v = `v${version}`;

  it('[MQTT-3.3.1-5] [MQTT-3.3.1-9] (3.1.1 [MQTT-3.3.1-5], [MQTT-3.3.1-6], [MQTT-3.3.1-8]) a retained message reaches a new subscriber with RETAIN 1', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, version, `p-${v}`);
    await pub.send(rawPublish({ topic: 'r/a', payload: 'kept', retain: true, qos: 1, packetId: 1 }, version));
    await nextAck(pub, version, T.PUBACK);
    await using sub = await connect(broker.port, version, `s-${v}`);
    await subscribe(sub, version, [{ filter: 'r/#', qos: 2 }]);
    const got = await nextPublish(sub, version);
    expect([got.topic, text(got), got.retain, got.qos]).toEqual(['r/a', 'kept', true, 1]);
  });

  it('[MQTT-3.3.1-5] (3.1.1 [MQTT-3.3.1-7]) a new retained message replaces the old one, at any QoS', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, version, `p-${v}`);
    await pub.send(rawPublish({ topic: 'r/b', payload: 'old', retain: true, qos: 2, packetId: 1 }, version));
    await pub.send(rawPublish({ topic: 'r/b', payload: 'new', retain: true }, version));
    await nextAck(pub, version, T.PUBREC);
    await using sub = await connect(broker.port, version, `s-${v}`);
    await subscribe(sub, version, [{ filter: 'r/b', qos: 2 }]);
    const got = await nextPublish(sub, version);
    expect([text(got), got.qos, got.retain]).toEqual(['new', 0, true]);
    await sub.expectNoFrame(200);
  });

  it('[MQTT-3.3.1-6] [MQTT-3.3.1-7] (3.1.1 [MQTT-3.3.1-10], [MQTT-3.3.1-11]) an empty retained message clears the topic and is forwarded as normal', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, version, `p-${v}`);
    await using early = await connect(broker.port, version, `e-${v}`);
    await pub.send(rawPublish({ topic: 'r/c', payload: 'x', retain: true }, version));
    await subscribe(early, version, [{ filter: 'r/c', qos: 0 }]);
    expect((await nextPublish(early, version)).retain).toBe(true);
    await pub.send(rawPublish({ topic: 'r/c', payload: '', retain: true }, version));
    const cleared = await nextPublish(early, version);
    expect([cleared.payload.length, cleared.retain]).toEqual([0, false]);
    expect(broker.broker.router.counts().retained).toBe(0);
    await using late = await connect(broker.port, version, `l-${v}`);
    await subscribe(late, version, [{ filter: 'r/#', qos: 0 }]);
    await late.expectNoFrame(300);
  });

  it('[MQTT-3.3.1-8] (3.1.1 [MQTT-3.3.1-12]) a PUBLISH with RETAIN 0 neither stores nor replaces nor removes', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, version, `p-${v}`);
    await pub.send(rawPublish({ topic: 'r/d', payload: 'keep', retain: true }, version));
    await pub.send(rawPublish({ topic: 'r/d', payload: 'transient' }, version));
    await pub.send(rawPublish({ topic: 'r/d', payload: '' }, version));
    await pub.send(rawPublish({ topic: 'r/e', payload: 'never' }, version));
    await using sub = await connect(broker.port, version, `s-${v}`);
    await subscribe(sub, version, [{ filter: 'r/+', qos: 0 }]);
    const got = await nextPublish(sub, version);
    expect([got.topic, text(got)]).toEqual(['r/d', 'keep']);
    await sub.expectNoFrame(200);
  });

  it('[MQTT-3.3.1-12] (3.1.1 [MQTT-3.3.1-9]) a message forwarded on an established subscription has RETAIN 0', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, version, `s-${v}`);
    await subscribe(sub, version, [{ filter: 'live', qos: 1 }]);
    await using pub = await connect(broker.port, version, `p-${v}`);
    await pub.send(rawPublish({ topic: 'live', payload: 'x', retain: true, qos: 1, packetId: 1 }, version));
    const frame = await sub.expectFrame({ type: T.PUBLISH });
    expect(frame.flags & 1).toBe(0);
  });

  it('[MQTT-3.8.4-8] (3.1.1 [MQTT-3.8.4-6]) a retained message goes out at the lower of its QoS and the granted QoS', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, version, `p-${v}`);
    await pub.send(rawPublish({ topic: 'rq/2', payload: 'two', retain: true, qos: 2, packetId: 1 }, version));
    await pub.send(rawPublish({ topic: 'rq/0', payload: 'zero', retain: true }, version));
    await nextAck(pub, version, T.PUBREC);
    await using sub = await connect(broker.port, version, `s-${v}`);
    await subscribe(sub, version, [{ filter: 'rq/#', qos: 1 }]);
    const got = await collect(sub, version, 2);
    expect(got.map((p) => [p.topic, p.qos, p.retain]).sort()).toEqual([
      ['rq/0', 0, true],
      ['rq/2', 1, true],
    ]);
  });

  it('[MQTT-3.8.4-4] (3.1.1 [MQTT-3.8.4-3]) resubscribing re-sends the retained messages', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, version, `p-${v}`);
    await pub.send(rawPublish({ topic: 'again', payload: 'r', retain: true }, version));
    await using sub = await connect(broker.port, version, `s-${v}`);
    await subscribe(sub, version, [{ filter: 'again', qos: 0 }]);
    expect(text(await nextPublish(sub, version))).toBe('r');
    await subscribe(sub, version, [{ filter: 'again', qos: 0 }], undefined, 2);
    expect((await nextPublish(sub, version)).retain).toBe(true);
  });
});

describe('retained messages, MQTT 5.0', () => {
  it('3.2.2.3.5 with Retain Available 0, a PUBLISH with RETAIN 1 gets DISCONNECT 0x9A [MQTT-3.2.2-14]', async () => {
    await using broker = await startBroker({ limits: { retainAvailable: false } });
    await using client = await connect(broker.port, 5, 'c');
    expect(client.connack.properties).toContainEqual([0x25, 0]);
    await client.send(rawPublish({ topic: 'x', payload: 'y', retain: true }, 5));
    expect(await expectDisconnect(client)).toBe(0x9a);
  });

  it('[MQTT-3.3.2-5] 3.3.1.3 a retained message whose Message Expiry Interval passed is discarded', async () => {
    const clock = manualClock();
    await using broker = await startBroker({ clock });
    await using pub = await connect(broker.port, 5, 'p');
    await pub.send(
      rawPublish(
        { topic: 'exp/a', payload: 'short', retain: true, properties: [[MESSAGE_EXPIRY_INTERVAL, 2]] },
        5,
      ),
    );
    await pub.send(
      rawPublish(
        { topic: 'exp/b', payload: 'long', retain: true, properties: [[MESSAGE_EXPIRY_INTERVAL, 60]] },
        5,
      ),
    );
    await pub.send(rawPublish({ topic: 'exp/c', payload: 'forever', retain: true }, 5));
    await pub.send(rawPublish({ topic: 'exp/sync', payload: '', qos: 1, packetId: 1 }, 5));
    await nextAck(pub, 5, T.PUBACK);
    clock.advance(2_000);
    await using sub = await connect(broker.port, 5, 's');
    await subscribe(sub, 5, [{ filter: 'exp/#', qos: 0 }]);
    const got = await collect(sub, 5, 2);
    expect(got.map((p) => p.topic).sort()).toEqual(['exp/b', 'exp/c']);
    await sub.expectNoFrame(200);
    expect(broker.broker.router.counts().retained).toBe(2);
  });

  it('[MQTT-3.3.2-6] a retained message carries the Message Expiry Interval minus the time it waited', async () => {
    const clock = manualClock();
    await using broker = await startBroker({ clock });
    await using pub = await connect(broker.port, 5, 'p');
    await pub.send(
      rawPublish(
        {
          topic: 'left',
          payload: 'x',
          retain: true,
          qos: 1,
          packetId: 1,
          properties: [[MESSAGE_EXPIRY_INTERVAL, 100]],
        },
        5,
      ),
    );
    await nextAck(pub, 5, T.PUBACK);
    clock.advance(30_000);
    await using sub = await connect(broker.port, 5, 's');
    await subscribe(sub, 5, [{ filter: 'left', qos: 1 }]);
    expect((await nextPublish(sub, 5)).properties).toEqual([[MESSAGE_EXPIRY_INTERVAL, 70]]);
  });

  it('a full retained store keeps what it has, counts and reports the message it could not retain', async () => {
    const recorder = dropRecorder();
    await using broker = await startBroker({ limits: { maximumRetainedMessages: 1 }, hooks: [recorder] });
    await using pub = await connect(broker.port, 5, 'p');
    await pub.send(rawPublish({ topic: 'full/a', payload: '1', retain: true }, 5));
    await pub.send(rawPublish({ topic: 'full/b', payload: '2', retain: true }, 5));
    await pub.send(rawPublish({ topic: 'full/a', payload: '3', retain: true }, 5));
    await sync(pub);
    expect(recorder.drops.map((drop) => `${drop.topic}:${drop.reason}`)).toEqual([
      'full/b:retained-store-full',
    ]);
    expect(broker.broker.stats.messagesDropped).toBe(1);
    await using sub = await connect(broker.port, 5, 's');
    await subscribe(sub, 5, [{ filter: 'full/+', qos: 0 }]);
    const got = await nextPublish(sub, 5);
    expect(`${got.topic}=${text(got)}`).toBe('full/a=3');
    await sub.expectNoFrame(200);
  });
});
