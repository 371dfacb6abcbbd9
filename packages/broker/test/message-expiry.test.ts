/**
 * MQTT 5.0 Message Expiry Interval on queued messages (3.3.2.3.3): expired copies are not delivered,
 * forwarded ones carry what is left, and a message already sent is never expired. A hand-driven clock
 * replaces waiting.
 */
import { rawPuback, rawPublish } from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../src/index.js';
import { startBroker } from './fixtures.js';
import { collect, connect, dropRecorder, nextAck, nextPublish, subscribe, T, text } from './raw-helpers.js';

const MESSAGE_EXPIRY_INTERVAL = 0x02;
const SESSION = [[0x11, 600]] as const;

function manualClock(): Clock & { advance(ms: number): void } {
  let now = Date.now();
  return { now: () => now, advance: (ms) => (now += ms) };
}

describe('message expiry', () => {
  it('[MQTT-3.3.2-6] a message forwarded at once keeps its Message Expiry Interval', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, 5, 'sub');
    await subscribe(sub, 5, [{ filter: 'e', qos: 0 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(
      rawPublish({ topic: 'e', payload: 'x', properties: [[MESSAGE_EXPIRY_INTERVAL, 3600]] }, 5),
    );
    expect((await nextPublish(sub, 5)).properties).toEqual([[MESSAGE_EXPIRY_INTERVAL, 3600]]);
  });

  it('[MQTT-3.3.2-5] [MQTT-3.3.2-6] queued for an offline session: expired copies are dropped (counted), the others carry the time left', async () => {
    const clock = manualClock();
    const recorder = dropRecorder();
    await using broker = await startBroker({ clock, hooks: [recorder] });
    const away = await connect(broker.port, 5, 'away', { properties: SESSION });
    await subscribe(away, 5, [{ filter: 'q', qos: 1 }]);
    await away.close();
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(
      rawPublish(
        { topic: 'q', payload: 'short', qos: 1, packetId: 1, properties: [[MESSAGE_EXPIRY_INTERVAL, 5]] },
        5,
      ),
    );
    await pub.send(
      rawPublish(
        { topic: 'q', payload: 'long', qos: 1, packetId: 2, properties: [[MESSAGE_EXPIRY_INTERVAL, 100]] },
        5,
      ),
    );
    await pub.send(rawPublish({ topic: 'q', payload: 'none', qos: 1, packetId: 3 }, 5));
    for (let i = 0; i < 3; i++) await nextAck(pub, 5, T.PUBACK);
    clock.advance(30_000);
    await using back = await connect(broker.port, 5, 'away', { clean: false, properties: SESSION });
    const got = await collect(back, 5, 2);
    expect(got.map((p) => [text(p), p.properties])).toEqual([
      ['long', [[MESSAGE_EXPIRY_INTERVAL, 70]]],
      ['none', []],
    ]);
    await back.expectNoFrame(200);
    expect(recorder.drops).toEqual([{ clientId: 'away', topic: 'q', qos: 1, reason: 'expired' }]);
  });

  it('[MQTT-3.3.2-5] a message waiting behind a full in-flight window expires there', async () => {
    const clock = manualClock();
    await using broker = await startBroker({ clock });
    await using sub = await connect(broker.port, 5, 'sub', { properties: [[0x21, 1]] });
    await subscribe(sub, 5, [{ filter: 'w', qos: 1 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: 'w', payload: 'first', qos: 1, packetId: 1 }, 5));
    await pub.send(
      rawPublish(
        { topic: 'w', payload: 'expires', qos: 1, packetId: 2, properties: [[MESSAGE_EXPIRY_INTERVAL, 10]] },
        5,
      ),
    );
    await pub.send(rawPublish({ topic: 'w', payload: 'last', qos: 1, packetId: 3 }, 5));
    const first = await nextPublish(sub, 5);
    for (let i = 0; i < 3; i++) await nextAck(pub, 5, T.PUBACK);
    clock.advance(10_000);
    await sub.send(rawPuback(first.packetId!, 5));
    expect(text(await nextPublish(sub, 5))).toBe('last');
    expect(broker.broker.stats.messagesDropped).toBe(1);
  });

  it('[MQTT-4.3.3-7] [MQTT-4.4.0-1] a message already sent is resent on reconnect even after its expiry passed', async () => {
    const clock = manualClock();
    await using broker = await startBroker({ clock });
    const sub = await connect(broker.port, 5, 'sub', { properties: SESSION });
    await subscribe(sub, 5, [{ filter: 'r', qos: 2 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(
      rawPublish(
        { topic: 'r', payload: 'one', qos: 1, packetId: 1, properties: [[MESSAGE_EXPIRY_INTERVAL, 5]] },
        5,
      ),
    );
    await pub.send(
      rawPublish(
        { topic: 'r', payload: 'two', qos: 2, packetId: 2, properties: [[MESSAGE_EXPIRY_INTERVAL, 5]] },
        5,
      ),
    );
    const sentOne = await nextPublish(sub, 5);
    const sentTwo = await nextPublish(sub, 5);
    await sub.close();
    clock.advance(60_000);
    await using back = await connect(broker.port, 5, 'sub', { clean: false, properties: SESSION });
    const again = [await nextPublish(back, 5), await nextPublish(back, 5)];
    expect(again.map((p) => [text(p), p.dup, p.packetId])).toEqual([
      ['one', true, sentOne.packetId],
      ['two', true, sentTwo.packetId],
    ]);
  });
});
