/**
 * Backpressure (design decision 5, shared/README points 3 and 4): a subscriber that stops reading costs
 * itself, never the broker's memory or the other subscribers of a topic, and every message it misses
 * is counted.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { rawPublish } from '@mqttkit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker, type BrokerOptions } from '../src/index.js';
import { collect, connect, dropRecorder, subscribe, sync } from './raw-helpers.js';

/**
 * A broker behind a TCP server of our own, so the test can watch the broker side of each socket (its
 * `writableLength` is what the broker has buffered for that client).
 */
async function startWatchedBroker(options: BrokerOptions) {
  const broker = new Broker(options);
  await broker.start();
  const sockets: Socket[] = [];
  const server: Server = createServer({ noDelay: true }, (socket) => {
    sockets.push(socket);
    broker.handleConnection(socket, { listenerId: 'test', remoteAddress: `${socket.remotePort}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const close = async () => {
    await broker.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { broker, port, sockets, close };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('backpressure', () => {
  it('a subscriber that stops reading: its buffer stays bounded, QoS 0 to it is dropped and counted, a healthy subscriber gets everything', async () => {
    const limit = 256 * 1024;
    const recorder = dropRecorder();
    const watched = await startWatchedBroker({
      limits: { maximumOutgoingBufferBytes: limit },
      hooks: [recorder],
    });
    cleanups.push(watched.close);
    const slow = await connect(watched.port, 4, 'slow');
    const slowSocket = watched.sockets.at(-1)!;
    const healthy = await connect(watched.port, 4, 'healthy');
    const pub = await connect(watched.port, 4, 'pub');
    cleanups.push(async () => {
      for (const client of [slow, healthy, pub]) client.destroy();
    });
    await subscribe(slow, 4, [{ filter: 'firehose', qos: 0 }]);
    await subscribe(healthy, 4, [{ filter: 'firehose', qos: 0 }]);
    slow.socket.pause();

    const count = 5000;
    const payload = Buffer.alloc(4096, 'x');
    // The publisher goes as fast as the healthy subscriber reads (batches well under the buffer limit,
    // since broker and clients share this process's event loop); the slow one never reads.
    const batch = 25;
    let received = 0;
    let maxBuffered = 0;
    for (let sent = 0; sent < count; sent += batch) {
      for (let i = 0; i < batch; i++) await pub.send(rawPublish({ topic: 'firehose', payload }, 4));
      received += (await collect(healthy, 4, batch)).length;
      maxBuffered = Math.max(maxBuffered, slowSocket.writableLength);
    }
    await sync(pub);

    // One slow subscriber never slows a topic: the healthy one gets every message.
    expect(received).toBe(count);
    // The broker never buffers more than the limit (plus the one frame that crossed it) for the slow one.
    // It did reach the limit (the kernel's socket buffers filled first), so the bound was exercised.
    expect(maxBuffered).toBeGreaterThan(limit - payload.length);
    expect(maxBuffered).toBeLessThanOrEqual(limit + payload.length + 64);
    const stats = watched.broker.stats;
    expect(stats.messagesDropped).toBeGreaterThan(0);
    expect(
      recorder.drops.every(
        (drop) => drop.clientId === 'slow' && drop.reason === 'congested' && drop.qos === 0,
      ),
    ).toBe(true);
    expect(recorder.drops.length).toBe(stats.messagesDropped);

    // No silent drops: what the slow subscriber gets once it reads again plus what was dropped is all.
    slow.socket.resume();
    const delivered = count - stats.messagesDropped;
    expect((await collect(slow, 4, delivered)).length).toBe(delivered);
    await slow.expectNoFrame(200);
  });

  it('QoS 1 to a subscriber that never acknowledges: in flight + queue stay within their limits, the rest is dropped and counted', async () => {
    const recorder = dropRecorder();
    const watched = await startWatchedBroker({
      limits: { maximumInflight: 10, maximumQueuedMessages: 100 },
      hooks: [recorder],
    });
    cleanups.push(watched.close);
    const stuck = await connect(watched.port, 4, 'stuck');
    const pub = await connect(watched.port, 4, 'pub');
    cleanups.push(async () => {
      for (const client of [stuck, pub]) client.destroy();
    });
    await subscribe(stuck, 4, [{ filter: 'work', qos: 1 }]);
    const count = 2000;
    for (let i = 0; i < count; i++) {
      await pub.send(rawPublish({ topic: 'work', payload: `${i}`, qos: 1, packetId: (i % 65535) + 1 }, 4));
    }
    await sync(pub, true);
    const session = watched.broker.sessions.get('stuck')!;
    expect([session.inflightCount, session.queuedCount]).toEqual([10, 100]);
    expect(watched.broker.stats.messagesDropped).toBe(count - 110);
    expect(new Set(recorder.drops.map((drop) => drop.reason))).toEqual(new Set(['queue-full']));
    // Acknowledging drains the queue in order.
    const first = await collect(stuck, 4, 10);
    expect(first.map((p) => p.payload.toString())).toEqual(Array.from({ length: 10 }, (_, i) => `${i}`));
    const rest = await collect(stuck, 4, 100);
    expect(rest.map((p) => p.payload.toString())).toEqual(Array.from({ length: 100 }, (_, i) => `${i + 10}`));
    await stuck.expectNoFrame(200);
  });

  it('a queue held back by a full outgoing buffer resumes when the socket drains (smallest allowed buffer)', async () => {
    const watched = await startWatchedBroker({
      limits: { maximumOutgoingBufferBytes: 64 * 1024, queueQoS0Offline: true },
    });
    cleanups.push(watched.close);
    const away = await connect(watched.port, 5, 'away', { properties: [[0x11, 60]] });
    await subscribe(away, 5, [{ filter: 't', qos: 0 }]);
    await away.close();
    const pub = await connect(watched.port, 5, 'pub');
    cleanups.push(async () => pub.destroy());
    for (let i = 0; i < 200; i++)
      await pub.send(rawPublish({ topic: 't', payload: Buffer.alloc(2000, i) }, 5));
    await sync(pub);
    expect(watched.broker.sessions.get('away')!.queuedCount).toBe(200);
    const back = await connect(watched.port, 5, 'away', { clean: false, properties: [[0x11, 60]] });
    cleanups.push(async () => back.destroy());
    const got = await collect(back, 5, 200);
    expect(got.map((p) => p.payload[0])).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('limits.maximumOutgoingBufferBytes below 64 KiB is refused: no drain event would wake a held-back queue', () => {
    expect(() => new Broker({ limits: { maximumOutgoingBufferBytes: 1000 } })).toThrow(RangeError);
  });

  it('QoS 1 queued behind a turn that filled the outgoing buffer is sent once the socket takes it', async () => {
    const watched = await startWatchedBroker({ limits: { maximumOutgoingBufferBytes: 64 * 1024 } });
    cleanups.push(watched.close);
    const sub = await connect(watched.port, 5, 'sub');
    const pub = await connect(watched.port, 5, 'pub');
    cleanups.push(async () => {
      for (const client of [sub, pub]) client.destroy();
    });
    await subscribe(sub, 5, [{ filter: 't', qos: 1 }]);
    // One write: 40 QoS 0 messages of 2 KB fill the buffer within the turn, then 5 QoS 1 messages queue.
    const burst = Buffer.concat([
      ...Array.from({ length: 40 }, () => rawPublish({ topic: 't', payload: Buffer.alloc(2000) }, 5)),
      ...Array.from({ length: 5 }, (_, i) =>
        rawPublish({ topic: 't', payload: `q${i}`, qos: 1, packetId: i + 1 }, 5),
      ),
    ]);
    await pub.send(burst);
    await sync(pub, true);
    const got = await collect(sub, 5, 45 - watched.broker.stats.messagesDropped);
    expect(got.filter((p) => p.qos === 1).map((p) => p.payload.toString())).toEqual([
      'q0',
      'q1',
      'q2',
      'q3',
      'q4',
    ]);
  });
});
