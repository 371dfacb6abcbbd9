/**
 * Flow control: the outbound in-flight window (the client's Receive Maximum in 5.0, the configured
 * `maximumInflight` for 3.x), the bounded queue behind it with its full policy, and the broker's own
 * Receive Maximum for inbound QoS 2.
 */
import {
  type RawVersion,
  rawPingreq,
  rawPuback,
  rawPubcomp,
  rawPublish,
  rawPubrec,
  rawPubrel,
  rawSubscribe,
} from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import { startBroker } from './fixtures.js';
import {
  collect,
  connect,
  dropRecorder,
  expectDisconnect,
  nextAck,
  nextPublish,
  subscribe,
  T,
  text,
} from './raw-helpers.js';

describe('outbound in-flight window', () => {
  it('[MQTT-3.3.4-9] [MQTT-4.9.0-2] a v5 client with Receive Maximum 2 never has more than 2 unacknowledged PUBLISHes', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, 5, 'sub', { properties: [[0x21, 2]] });
    await subscribe(sub, 5, [{ filter: 'w/#', qos: 1 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    for (let i = 1; i <= 5; i++)
      await pub.send(rawPublish({ topic: 'w/a', payload: `${i}`, qos: 1, packetId: i }, 5));
    const first = await nextPublish(sub, 5);
    const second = await nextPublish(sub, 5);
    expect([text(first), text(second)]).toEqual(['1', '2']);
    await sub.expectNoFrame(300);
    await sub.send(rawPuback(second.packetId!, 5));
    const third = await nextPublish(sub, 5);
    expect(text(third)).toBe('3');
    await sub.expectNoFrame(200);
    await sub.send(rawPuback(first.packetId!, 5));
    await sub.send(rawPuback(third.packetId!, 5));
    const rest = await collect(sub, 5, 2);
    expect(rest.map(text)).toEqual(['4', '5']);
    expect(broker.broker.sessions.get('sub')!.queuedCount).toBe(0);
  });

  it('[MQTT-4.9.0-2] a QoS 2 message holds its slot until PUBCOMP, not PUBREC', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, 5, 'sub', { properties: [[0x21, 1]] });
    await subscribe(sub, 5, [{ filter: 'w2', qos: 2 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    for (let i = 1; i <= 2; i++) {
      await pub.send(rawPublish({ topic: 'w2', payload: `${i}`, qos: 2, packetId: i }, 5));
      await pub.send(rawPubrel(i, 5));
    }
    const first = await nextPublish(sub, 5);
    await sub.send(rawPubrec(first.packetId!, 5));
    expect((await nextAck(sub, 5, T.PUBREL)).packetId).toBe(first.packetId);
    await sub.expectNoFrame(300);
    await sub.send(rawPubcomp(first.packetId!, 5));
    expect(text(await nextPublish(sub, 5))).toBe('2');
  });

  it('[MQTT-3.3.4-10] [MQTT-4.9.0-3] with the window full the broker still answers PINGREQ, SUBSCRIBE and sends QoS 0', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, 5, 'sub', { properties: [[0x21, 1]] });
    await subscribe(sub, 5, [{ filter: 'full/#', qos: 1 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    for (let i = 1; i <= 3; i++)
      await pub.send(rawPublish({ topic: 'full/1', payload: `${i}`, qos: 1, packetId: i }, 5));
    await nextPublish(sub, 5);
    await sub.send(rawPingreq());
    await sub.expectFrame({ type: T.PINGRESP });
    await sub.send(rawSubscribe(7, [{ filter: 'other', qos: 0 }], 5));
    await sub.expectFrame({ type: T.SUBACK });
    await pub.send(rawPublish({ topic: 'full/0', payload: 'qos0' }, 5));
    const zero = await nextPublish(sub, 5);
    expect([zero.qos, text(zero)]).toEqual([0, 'qos0']);
  });

  it.each([3, 4] as const)(
    'MQTT v%i clients get limits.maximumInflight in flight at most',
    async (version: RawVersion) => {
      await using broker = await startBroker({ limits: { maximumInflight: 3 } });
      await using sub = await connect(broker.port, version, `sub${version}`);
      await subscribe(sub, version, [{ filter: 'w3', qos: 2 }]);
      await using pub = await connect(broker.port, version, `pub${version}`);
      for (let i = 1; i <= 6; i++)
        await pub.send(rawPublish({ topic: 'w3', payload: `${i}`, qos: 1, packetId: i }, version));
      const sent = [
        await nextPublish(sub, version),
        await nextPublish(sub, version),
        await nextPublish(sub, version),
      ];
      await sub.expectNoFrame(300);
      expect(broker.broker.sessions.get(`sub${version}`)!.queuedCount).toBe(3);
      for (const publish of sent) await sub.send(rawPuback(publish.packetId!, version));
      expect((await collect(sub, version, 3)).map(text)).toEqual(['4', '5', '6']);
    },
  );

  it('a v5 Receive Maximum above limits.maximumInflight is capped by the broker (it may send fewer [4.9])', async () => {
    await using broker = await startBroker({ limits: { maximumInflight: 2 } });
    await using sub = await connect(broker.port, 5, 'sub', { properties: [[0x21, 100]] });
    await subscribe(sub, 5, [{ filter: 'cap', qos: 1 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    for (let i = 1; i <= 4; i++)
      await pub.send(rawPublish({ topic: 'cap', payload: `${i}`, qos: 1, packetId: i }, 5));
    await nextPublish(sub, 5);
    await nextPublish(sub, 5);
    await sub.expectNoFrame(300);
  });
});

describe('bounded queue behind the window', () => {
  async function overflow(policy: 'drop-new' | 'drop-oldest') {
    const recorder = dropRecorder();
    const broker = await startBroker({
      limits: { maximumInflight: 1, maximumQueuedMessages: 2, queueFullPolicy: policy },
      hooks: [recorder],
    });
    const sub = await connect(broker.port, 4, 'slow');
    await subscribe(sub, 4, [{ filter: 'q', qos: 1 }]);
    const pub = await connect(broker.port, 4, 'pub');
    for (let i = 1; i <= 5; i++) {
      await pub.send(rawPublish({ topic: 'q', payload: `${i}`, qos: 1, packetId: i }, 4));
      // Every publish is acknowledged to the publisher: the drop is the subscriber's alone.
      expect((await nextAck(pub, 4, T.PUBACK)).packetId).toBe(i);
    }
    const received = await collect(sub, 4, 3);
    await sub.expectNoFrame(200);
    const result = {
      received: received.map(text),
      dropped: broker.broker.stats.messagesDropped,
      drops: recorder.drops.map((drop) => `${drop.clientId}:${drop.topic}:${drop.qos}:${drop.reason}`),
    };
    await sub.close();
    await pub.close();
    await broker.close();
    return result;
  }

  it('queueFullPolicy drop-new: messages finding the queue full are dropped, counted and reported', async () => {
    expect(await overflow('drop-new')).toEqual({
      received: ['1', '2', '3'],
      dropped: 2,
      drops: ['slow:q:1:queue-full', 'slow:q:1:queue-full'],
    });
  });

  it('queueFullPolicy drop-oldest: the oldest queued message makes room, counted and reported', async () => {
    expect(await overflow('drop-oldest')).toEqual({
      received: ['1', '4', '5'],
      dropped: 2,
      drops: ['slow:q:1:queue-full', 'slow:q:1:queue-full'],
    });
  });

  it('the queue bound holds for an offline persistent session; what is kept is delivered on reconnect', async () => {
    const recorder = dropRecorder();
    await using broker = await startBroker({ limits: { maximumQueuedMessages: 3 }, hooks: [recorder] });
    const sub = await connect(broker.port, 5, 'offline', { clean: true, properties: [[0x11, 60]] });
    await subscribe(sub, 5, [{ filter: 'off', qos: 1 }]);
    await sub.close();
    await using pub = await connect(broker.port, 5, 'pub');
    for (let i = 1; i <= 5; i++) {
      await pub.send(rawPublish({ topic: 'off', payload: `${i}`, qos: 1, packetId: i }, 5));
      await nextAck(pub, 5, T.PUBACK);
    }
    expect(broker.broker.stats.messagesDropped).toBe(2);
    await using back = await connect(broker.port, 5, 'offline', { clean: false, properties: [[0x11, 60]] });
    expect(back.connack.sessionPresent).toBe(true);
    expect((await collect(back, 5, 3)).map(text)).toEqual(['1', '2', '3']);
    expect(recorder.drops.map((drop) => drop.reason)).toEqual(['queue-full', 'queue-full']);
  });
});

describe('inbound Receive Maximum', () => {
  it('[MQTT-3.3.4-7] more unacknowledged QoS 2 PUBLISHes than the broker’s Receive Maximum → DISCONNECT 0x93', async () => {
    await using broker = await startBroker({ limits: { receiveMaximum: 2 } });
    await using pub = await connect(broker.port, 5, 'greedy');
    expect(pub.connack.properties).toContainEqual([0x21, 2]);
    await pub.send(rawPublish({ topic: 'r', payload: '1', qos: 2, packetId: 1 }, 5));
    await pub.send(rawPublish({ topic: 'r', payload: '2', qos: 2, packetId: 2 }, 5));
    await nextAck(pub, 5, T.PUBREC);
    await nextAck(pub, 5, T.PUBREC);
    // Two awaiting PUBREL is the maximum; releasing one makes room for another.
    await pub.send(rawPubrel(1, 5));
    await nextAck(pub, 5, T.PUBCOMP);
    await pub.send(rawPublish({ topic: 'r', payload: '3', qos: 2, packetId: 3 }, 5));
    await nextAck(pub, 5, T.PUBREC);
    // A resend of one already held is not a new one.
    await pub.send(rawPublish({ topic: 'r', payload: '3', qos: 2, packetId: 3, dup: true }, 5));
    await nextAck(pub, 5, T.PUBREC);
    await pub.send(rawPublish({ topic: 'r', payload: '4', qos: 2, packetId: 4 }, 5));
    expect(await expectDisconnect(pub)).toBe(0x93);
  });

  it('QoS 1 PUBLISHes are acknowledged at once and never count against the Receive Maximum', async () => {
    await using broker = await startBroker({ limits: { receiveMaximum: 2 } });
    await using pub = await connect(broker.port, 5, 'fast');
    for (let i = 1; i <= 10; i++)
      await pub.send(rawPublish({ topic: 'r1', payload: `${i}`, qos: 1, packetId: i }, 5));
    for (let i = 1; i <= 10; i++) expect((await nextAck(pub, 5, T.PUBACK)).packetId).toBe(i);
  });
});
