import { describe, expect, it } from 'vitest';
import { RawClient } from './raw-client.js';
import { rawConnack, rawConnect, rawPingreq, rawPuback, rawPublish } from './raw-packets.js';
import { parseConnect, parsePublish } from './raw-reader.js';
import { FakeBroker } from './servers.js';

/** A fake broker and a raw client connected to it, both disposed at the end of the test. */
async function pair() {
  const broker = await FakeBroker.start();
  const client = await RawClient.connect(broker.port);
  const server = await broker.nextConnection();
  return {
    broker,
    client,
    server,
    async [Symbol.asyncDispose]() {
      await client[Symbol.asyncDispose]();
      await broker.close();
    },
  };
}

describe('RawConnection between RawClient and FakeBroker on 127.0.0.1', () => {
  it('a CONNECT written a few bytes at a time arrives as one frame', async () => {
    await using p = await pair();
    let chunks = 0;
    p.server.socket.on('data', () => chunks++);
    const bytes = rawConnect({ protocolVersion: 5, clientId: 'slow', properties: [[0x11, 30]] });
    await p.client.sendSlowly(bytes, 3, 5);
    const connect = parseConnect(await p.server.expectFrame({ type: 1 }));
    expect(connect.clientId).toBe('slow');
    expect(connect.properties).toEqual([[0x11, 30]]);
    // The writes really were split on the wire, not coalesced into one segment.
    expect(chunks).toBeGreaterThan(1);
  });

  it('keeps frames in order and loses none between expectFrame calls', async () => {
    await using p = await pair();
    await p.server.send(
      Buffer.concat([
        rawConnack({ code: 0 }, 4),
        rawPublish({ topic: 'a', payload: '1' }, 4),
        rawPublish({ topic: 'b', payload: '2' }, 4),
      ]),
    );
    expect((await p.client.expectFrame({ type: 2 })).type).toBe(2);
    await p.server.send(rawPuback(1, 4));
    expect(parsePublish(await p.client.expectFrame({ type: 3 }), 4).topic).toBe('a');
    expect(parsePublish(await p.client.expectFrame({ type: 3 }), 4).topic).toBe('b');
    expect((await p.client.expectFrame()).type).toBe(4);
    expect(p.client.received.map((f) => f.type)).toEqual([2, 3, 3, 4]);
    expect(p.client.pending).toEqual([]);
  });

  it('names the expected and the arrived packet when the type differs', async () => {
    await using p = await pair();
    await p.server.send(rawPuback(10, 4));
    await expect(p.client.expectFrame({ type: 2, timeoutMs: 1000 })).rejects.toThrow(
      'RawClient → 127.0.0.1:' +
        p.broker.port +
        ': expected a CONNACK frame, got PUBACK (flags 0x0, 2 body bytes: 00 0a)',
    );
  });

  it('times out with a readable message, mentioning a partial frame', async () => {
    await using p = await pair();
    await expect(p.client.expectFrame({ type: 2, timeoutMs: 50 })).rejects.toThrow(
      /expected a CONNACK frame within 50 ms, but nothing arrived; no frame was received before/,
    );
    await p.server.send(rawConnack({}, 4).subarray(0, 3));
    await expect(p.client.expectFrame({ timeoutMs: 50 })).rejects.toThrow(
      /expected a frame within 50 ms, but nothing arrived; 3 bytes of an incomplete frame are buffered/,
    );
  });

  it('fails at once when the peer closes while a frame is awaited', async () => {
    await using p = await pair();
    const started = Date.now();
    const waiting = p.client.expectFrame({ type: 2, timeoutMs: 5000 });
    p.server.destroy();
    await expect(waiting).rejects.toThrow(/expected a CONNACK frame, but the connection closed/);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('expectClose resolves when the peer closes and rejects while it stays open', async () => {
    await using p = await pair();
    await p.server.send(rawPingreq());
    await expect(p.client.expectClose(50)).rejects.toThrow(
      /expected the connection to close within 50 ms, but it stayed open; frames received meanwhile: PINGREQ/,
    );
    await p.server.close();
    const info = await p.client.expectClose(2000);
    expect(info.hadError).toBe(false);
    expect(p.client.isClosed).toBe(true);
    // The frame that arrived before the close is still there to read.
    expect((await p.client.expectFrame({ type: 12 })).type).toBe(12);
  });

  it('a reset is seen as a close with an error', async () => {
    await using p = await pair();
    p.server.reset();
    const info = await p.client.expectClose(2000);
    expect(info.hadError).toBe(true);
    expect(info.error?.message).toMatch(/ECONNRESET/);
  });

  it('expectNoFrame passes on silence and names a frame that arrives', async () => {
    await using p = await pair();
    await p.client.expectNoFrame(30);
    await p.server.send(rawPuback(3, 4));
    await expect(p.client.expectNoFrame(1000)).rejects.toThrow(/expected no frame for 1000 ms, got PUBACK/);
    // The frame is left for the test to inspect.
    expect(p.client.pending).toHaveLength(1);
  });

  it('reports bytes that cannot be split into frames', async () => {
    await using p = await pair();
    await p.server.send(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01));
    await expect(p.client.expectFrame({ timeoutMs: 1000 })).rejects.toThrow(
      /the bytes received are not MQTT frames: malformed Remaining Length/,
    );
  });

  it('send on a closed connection rejects instead of hanging', async () => {
    await using p = await pair();
    p.client.destroy();
    await p.client.closed;
    await expect(p.client.send(rawPingreq())).rejects.toThrow(
      /cannot send 2 bytes, the connection is closed/,
    );
  });

  it('await using closes the socket at the end of the block', async () => {
    const broker = await FakeBroker.start();
    try {
      let outside: RawClient;
      {
        await using client = await RawClient.connect(broker.port);
        outside = client;
        expect(client.isClosed).toBe(false);
      }
      expect(outside.isClosed).toBe(true);
      await (await broker.nextConnection()).expectClose(2000);
    } finally {
      await broker.close();
    }
  });
});
