/**
 * Maximum Packet Size both ways: the broker's limit on what it receives, the client's limit on what
 * the broker sends (5.0 sections 3.1.2.11.4 and 3.2.2.3.6), and payloads beyond 64 KiB.
 */
import { parseAck, rawPublish } from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import { startBroker } from './fixtures.js';
import {
  collect,
  connect,
  dropRecorder,
  expectDisconnect,
  nextPublish,
  subscribe,
  sync,
  T,
  text,
} from './raw-helpers.js';

const MAXIMUM_PACKET_SIZE = 0x27;
const REASON_STRING = 0x1f;

/** Total size of a PUBLISH frame with a 1-byte topic, no packet id and (v5) no properties. */
function publishSize(payloadLength: number, version: 4 | 5): number {
  const remaining = 2 + 1 + (version === 5 ? 1 : 0) + payloadLength;
  return 1 + (remaining < 128 ? 1 : remaining < 16_384 ? 2 : 3) + remaining;
}

describe('inbound: the broker’s Maximum Packet Size', () => {
  it('[MQTT-3.2.2-15] a packet above the advertised Maximum Packet Size gets DISCONNECT 0x95; one at the limit is accepted', async () => {
    await using broker = await startBroker({ limits: { maximumPacketSize: 200 } });
    await using pub = await connect(broker.port, 5, 'pub');
    expect(pub.connack.properties).toContainEqual([MAXIMUM_PACKET_SIZE, 200]);
    await using sub = await connect(broker.port, 5, 'sub');
    await subscribe(sub, 5, [{ filter: 't', qos: 0 }]);
    let fill = 0;
    while (publishSize(fill + 1, 5) <= 200) fill++;
    const atLimit = Buffer.alloc(fill, 'a');
    expect(publishSize(atLimit.length, 5)).toBe(200);
    await pub.send(rawPublish({ topic: 't', payload: atLimit }, 5));
    expect((await nextPublish(sub, 5)).payload.length).toBe(atLimit.length);
    await pub.send(rawPublish({ topic: 't', payload: Buffer.concat([atLimit, Buffer.from('b')]) }, 5));
    expect(await expectDisconnect(pub)).toBe(0x95);
  });

  it('an MQTT 3.1.1 client sending a packet above the limit is disconnected (no DISCONNECT in 3.1.1)', async () => {
    await using broker = await startBroker({ limits: { maximumPacketSize: 100 } });
    await using pub = await connect(broker.port, 4, 'pub');
    await pub.send(rawPublish({ topic: 't', payload: Buffer.alloc(200) }, 4));
    await pub.expectClose();
    expect(pub.pending).toEqual([]);
  });
});

describe('outbound: the client’s Maximum Packet Size', () => {
  it('[MQTT-3.1.2-24] [MQTT-3.1.2-25] a PUBLISH larger than the client accepts is discarded, counted and reported; later ones flow', async () => {
    const recorder = dropRecorder();
    await using broker = await startBroker({ hooks: [recorder] });
    await using sub = await connect(broker.port, 5, 'small', { properties: [[MAXIMUM_PACKET_SIZE, 64]] });
    await subscribe(sub, 5, [{ filter: 't', qos: 2 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: 't', payload: Buffer.alloc(100, 'x') }, 5));
    await pub.send(rawPublish({ topic: 't', payload: Buffer.alloc(100, 'y'), qos: 1, packetId: 1 }, 5));
    await pub.send(rawPublish({ topic: 't', payload: Buffer.alloc(100, 'z'), qos: 2, packetId: 2 }, 5));
    await pub.send(rawPublish({ topic: 't', payload: 'fits', qos: 1, packetId: 3 }, 5));
    const got = await collect(sub, 5, 1);
    expect(got.map(text)).toEqual(['fits']);
    for (const frame of sub.received) expect(frame.body.length + 2).toBeLessThanOrEqual(64);
    expect(broker.broker.stats.messagesDropped).toBe(3);
    expect(recorder.drops.map((drop) => `${drop.qos}:${drop.reason}`)).toEqual([
      '0:packet-too-large',
      '1:packet-too-large',
      '2:packet-too-large',
    ]);
    // "As if it had completed sending": nothing is left in flight or queued for the discarded ones.
    await sync(sub);
    const session = broker.broker.sessions.get('small')!;
    expect([session.inflightCount, session.queuedCount]).toEqual([0, 0]);
  });

  it('[MQTT-3.1.2-25] discarded QoS 1 messages do not use up a Receive Maximum 1 window', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, 5, 'small', {
      properties: [
        [MAXIMUM_PACKET_SIZE, 40],
        [0x21, 1],
      ],
    });
    await subscribe(sub, 5, [{ filter: 't', qos: 1 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    for (let i = 1; i <= 3; i++)
      await pub.send(rawPublish({ topic: 't', payload: Buffer.alloc(60), qos: 1, packetId: i }, 5));
    await pub.send(rawPublish({ topic: 't', payload: 'ok', qos: 1, packetId: 4 }, 5));
    expect(text(await nextPublish(sub, 5))).toBe('ok');
  });

  it('[MQTT-3.4.2-2] a reason string that would push a PUBACK past the client’s Maximum Packet Size is left out', async () => {
    await using broker = await startBroker();
    await using tiny = await connect(broker.port, 5, 'tiny', { properties: [[MAXIMUM_PACKET_SIZE, 20]] });
    await tiny.send(rawPublish({ topic: '$SYS/x', payload: 'y', qos: 1, packetId: 1 }, 5));
    const frame = await tiny.expectFrame({ type: T.PUBACK });
    expect(frame.body.length + 2).toBeLessThanOrEqual(20);
    expect(parseAck(frame, 5)).toEqual({ packetId: 1, reasonCode: 0x87, properties: [] });
    await using roomy = await connect(broker.port, 5, 'roomy');
    await roomy.send(rawPublish({ topic: '$SYS/x', payload: 'y', qos: 1, packetId: 1 }, 5));
    const ack = parseAck(await roomy.expectFrame({ type: T.PUBACK }), 5);
    expect(ack.reasonCode).toBe(0x87);
    expect(ack.properties.map(([id]) => id)).toEqual([REASON_STRING]);
  });
});

describe.each([4, 5] as const)('payloads beyond 64 KiB, MQTT v%i', (version) => {
  it('3.3.3 a PUBLISH payload is not limited to 65,535 bytes, in and out, at QoS 0, 1 and 2', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, version, `s${version}`);
    await subscribe(sub, version, [{ filter: 'big', qos: 2 }]);
    await using pub = await connect(broker.port, version, `p${version}`);
    const sizes = [65_535, 65_536, 300_000];
    for (const [i, size] of sizes.entries()) {
      const qos = i as 0 | 1 | 2;
      await pub.send(
        rawPublish(
          { topic: 'big', payload: Buffer.alloc(size, i + 1), qos, ...(qos > 0 ? { packetId: i } : {}) },
          version,
        ),
      );
    }
    const got = await collect(sub, version, 3);
    expect(got.map((p) => [p.qos, p.payload.length, p.payload[size(p) - 1]])).toEqual([
      [0, 65_535, 1],
      [1, 65_536, 2],
      [2, 300_000, 3],
    ]);
  });
});

function size(p: { payload: Buffer }): number {
  return p.payload.length;
}
