import { parseConnack, RawClient, rawConnect, rawPublish } from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import { startBroker } from './fixtures.js';
import { connect, nextPublish, subscribe, T, text } from './raw-helpers.js';

describe('per-client rate limits slow a client down without losing anything', () => {
  it('maximumPublishRate: 60 PUBLISHes at 20/s all arrive, over about two seconds', async () => {
    await using broker = await startBroker({ limits: { maximumPublishRate: 20 } });
    await using sub = await connect(broker.port, 5, 'sub');
    expect(await subscribe(sub, 5, [{ filter: 'rate/#', qos: 0 }])).toEqual([0]);
    await using pub = await connect(broker.port, 5, 'pub');
    const started = Date.now();
    const burst = Buffer.concat(
      Array.from({ length: 60 }, (_, i) => rawPublish({ topic: 'rate/p', payload: `m${i}`, qos: 0 }, 5)),
    );
    await pub.send(burst);
    const received: string[] = [];
    for (let i = 0; i < 60; i++) received.push(text(await nextPublish(sub, 5, 10_000)));
    const elapsed = Date.now() - started;
    expect(received).toEqual(Array.from({ length: 60 }, (_, i) => `m${i}`));
    // One second of burst (20), then 40 more at 20/s: about 2 s. Loose bound, never a tight timing.
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(broker.broker.stats.throttled).toBeGreaterThan(0);
    expect(broker.broker.stats.messagesDropped).toBe(0);
  });

  it('maximumInboundBytesRate: 40 KB at 10 KB/s all arrive, over about three seconds', async () => {
    await using broker = await startBroker({ limits: { maximumInboundBytesRate: 10_000 } });
    await using sub = await connect(broker.port, 4, 'sub');
    expect(await subscribe(sub, 4, [{ filter: 'bytes', qos: 1 }])).toEqual([1]);
    await using pub = await connect(broker.port, 4, 'pub');
    const started = Date.now();
    const payload = 'x'.repeat(4000);
    await pub.send(
      Buffer.concat(Array.from({ length: 10 }, () => rawPublish({ topic: 'bytes', payload, qos: 0 }, 4))),
    );
    let bytes = 0;
    for (let i = 0; i < 10; i++) bytes += (await nextPublish(sub, 4, 10_000)).payload.length;
    expect(bytes).toBe(40_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(broker.broker.stats.throttled).toBeGreaterThan(0);
  });
});

describe('maximumConnectionRate', () => {
  for (const [version, code] of [
    [5, 0x9f],
    [4, 0x03],
  ] as const) {
    it(`refuses CONNECTs above the rate with ${code === 0x9f ? '0x9F Connection rate exceeded' : '3.1.1 0x03 Server unavailable'} (v${version})`, async () => {
      await using broker = await startBroker({ limits: { maximumConnectionRate: 2 } });
      const codes: number[] = [];
      const clients: RawClient[] = [];
      for (let i = 0; i < 5; i++) {
        const client = await RawClient.connect(broker.port);
        clients.push(client);
        await client.send(rawConnect({ protocolVersion: version, clientId: `c${i}` }));
        codes.push(parseConnack(await client.expectFrame({ type: T.CONNACK }), version).code);
      }
      expect(codes.slice(0, 2)).toEqual([0, 0]);
      expect(codes.slice(2)).toEqual([code, code, code]);
      for (const client of clients.slice(2)) await client.expectClose();
      expect(broker.broker.stats.connectionsRateLimited).toBe(3);
      for (const client of clients) client.destroy();
    });
  }
});

describe('rate limits and keepalive', () => {
  it('a client held back by the byte rate is not closed for keepalive [MQTT-3.1.2-24]', async () => {
    await using broker = await startBroker({ limits: { maximumInboundBytesRate: 1000 } });
    const client = await RawClient.connect(broker.port);
    await client.send(rawConnect({ protocolVersion: 5, clientId: 'slow', keepAlive: 1 }));
    expect(parseConnack(await client.expectFrame({ type: T.CONNACK }), 5).code).toBe(0);
    await using sub = await connect(broker.port, 5, 'sub');
    expect(await subscribe(sub, 5, [{ filter: 'ka', qos: 0 }])).toEqual([0]);
    // 3.5 KB at 1 KB/s is held for about 2.5 s, beyond the 1.5 s keepalive window, then handled at once.
    await client.send(
      Buffer.concat(
        Array.from({ length: 7 }, (_, i) =>
          rawPublish({ topic: 'ka', payload: `${i}`.repeat(500), qos: 0 }, 5),
        ),
      ),
    );
    for (let i = 0; i < 7; i++) expect(text(await nextPublish(sub, 5, 10_000))).toBe(`${i}`.repeat(500));
    expect(client.isClosed).toBe(false);
    client.destroy();
  });
});
