/**
 * PUBLISH in and out at QoS 0, 1 and 2 with their acknowledgement flows, byte for byte, for MQTT 3.1.1
 * and 5.0 (and a 3.1 sanity run). Spec ids: 5.0 numbering first, 3.1.1's where it differs.
 */
import {
  parsePublish,
  type RawClient,
  type RawVersion,
  rawPingreq,
  rawPuback,
  rawPubcomp,
  rawPublish,
  rawPubrec,
  rawPubrel,
} from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import { startBroker } from './fixtures.js';
import { collect, connect, nextAck, nextPublish, receiveAndAck, subscribe, T, text } from './raw-helpers.js';

/** The body of a successful PUBACK-family packet: 3.1.1 has only the id; 5.0 may add a 0x00 reason code. */
function isSuccessAckBody(body: Buffer, packetId: number, version: RawVersion): boolean {
  const id = [packetId >> 8, packetId & 0xff];
  const forms = version === 5 ? [id, [...id, 0], [...id, 0, 0]] : [id];
  return forms.some((form) => Buffer.from(form).equals(body));
}

async function expectSuccessAck(
  client: RawClient,
  version: RawVersion,
  type: number,
  packetId: number,
): Promise<void> {
  const frame = await client.expectFrame({ type });
  // PUBREL has fixed-header flags 0b0010 [MQTT-3.6.1-1]; the others 0.
  expect(frame.flags).toBe(type === T.PUBREL ? 2 : 0);
  expect(isSuccessAckBody(frame.body, packetId, version), `body ${frame.body.toString('hex')}`).toBe(true);
}

describe.each([4, 5] as const)('QoS flows, MQTT v%i', (version) => {
  const v = `v${version}`;

  it('[MQTT-4.3.2-4] [MQTT-2.2.1-5] a QoS 1 PUBLISH is answered with PUBACK carrying its Packet Identifier', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, version, `sub-${v}`);
    await subscribe(sub, version, [{ filter: 'q1/#', qos: 1 }]);
    await using pub = await connect(broker.port, version, `pub-${v}`);
    await pub.send(rawPublish({ topic: 'q1/a', payload: 'one', qos: 1, packetId: 0x1234 }, version));
    await expectSuccessAck(pub, version, T.PUBACK, 0x1234);
    const got = await nextPublish(sub, version);
    expect(text(got)).toBe('one');
    expect(got.qos).toBe(1);
  });

  it('[MQTT-4.3.2-5] after PUBACK the same Packet Identifier is a new message', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, version, `sub-${v}`);
    await subscribe(sub, version, [{ filter: 'q1', qos: 0 }]);
    await using pub = await connect(broker.port, version, `pub-${v}`);
    for (const payload of ['first', 'second']) {
      await pub.send(
        rawPublish({ topic: 'q1', payload, qos: 1, packetId: 9, dup: payload === 'second' }, version),
      );
      await expectSuccessAck(pub, version, T.PUBACK, 9);
      expect(text(await nextPublish(sub, version))).toBe(payload);
    }
  });

  it('[MQTT-4.3.3-8] [MQTT-4.3.3-11] QoS 2 inbound: PUBREC, then PUBCOMP for PUBREL, same Packet Identifier', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, version, `pub-${v}`);
    await using sub = await connect(broker.port, version, `sub-${v}`);
    await subscribe(sub, version, [{ filter: 'q2', qos: 2 }]);
    await pub.send(rawPublish({ topic: 'q2', payload: 'x', qos: 2, packetId: 0xabcd }, version));
    await expectSuccessAck(pub, version, T.PUBREC, 0xabcd);
    await pub.send(rawPubrel(0xabcd, version));
    await expectSuccessAck(pub, version, T.PUBCOMP, 0xabcd);
    expect(text(await receiveAndAck(sub, version))).toBe('x');
  });

  it('[MQTT-4.3.3-10] (3.1.1 [MQTT-4.3.3-2]) a QoS 2 PUBLISH resent with DUP before PUBREL gets PUBREC and is not routed twice', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, version, `sub-${v}`);
    await subscribe(sub, version, [{ filter: 'once', qos: 2 }]);
    await using pub = await connect(broker.port, version, `pub-${v}`);
    await pub.send(rawPublish({ topic: 'once', payload: 'exactly', qos: 2, packetId: 5 }, version));
    await expectSuccessAck(pub, version, T.PUBREC, 5);
    await pub.send(
      rawPublish({ topic: 'once', payload: 'exactly', qos: 2, packetId: 5, dup: true }, version),
    );
    await expectSuccessAck(pub, version, T.PUBREC, 5);
    // Even without DUP, the id is still awaiting PUBREL: the same message.
    await pub.send(rawPublish({ topic: 'once', payload: 'exactly', qos: 2, packetId: 5 }, version));
    await expectSuccessAck(pub, version, T.PUBREC, 5);
    await pub.send(rawPubrel(5, version));
    await expectSuccessAck(pub, version, T.PUBCOMP, 5);
    expect(text(await receiveAndAck(sub, version))).toBe('exactly');
    await sub.expectNoFrame(300);
    expect(broker.broker.stats.messagesSent).toBe(1);
  });

  it('[MQTT-4.3.3-12] after PUBCOMP the same Packet Identifier carries a new message', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, version, `sub-${v}`);
    await subscribe(sub, version, [{ filter: 'again', qos: 0 }]);
    await using pub = await connect(broker.port, version, `pub-${v}`);
    for (const payload of ['a', 'b']) {
      await pub.send(rawPublish({ topic: 'again', payload, qos: 2, packetId: 77 }, version));
      await expectSuccessAck(pub, version, T.PUBREC, 77);
      await pub.send(rawPubrel(77, version));
      await expectSuccessAck(pub, version, T.PUBCOMP, 77);
      expect(text(await nextPublish(sub, version))).toBe(payload);
    }
  });

  it('[MQTT-4.3.3-11] PUBREL for an unknown Packet Identifier is answered with PUBCOMP (5.0: 0x92 Packet Identifier not found)', async () => {
    await using broker = await startBroker();
    await using client = await connect(broker.port, version, `c-${v}`);
    await client.send(rawPubrel(321, version));
    const pubcomp = await nextAck(client, version, T.PUBCOMP);
    expect(pubcomp.packetId).toBe(321);
    expect(pubcomp.reasonCode).toBe(version === 5 ? 0x92 : 0);
    // The connection stays usable.
    await client.send(rawPingreq());
    await client.expectFrame({ type: T.PINGRESP });
  });

  it('[MQTT-4.3.1-1] QoS 0 is forwarded with DUP 0 and no Packet Identifier, and is not acknowledged', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, version, `sub-${v}`);
    await subscribe(sub, version, [{ filter: 'q0', qos: 2 }]);
    await using pub = await connect(broker.port, version, `pub-${v}`);
    await pub.send(rawPublish({ topic: 'q0', payload: 'zero' }, version));
    const frame = await sub.expectFrame({ type: T.PUBLISH });
    expect(frame.flags).toBe(0);
    // Topic (2 + 2 bytes), no packet id, (v5: empty property block), payload.
    const expected = Buffer.concat([
      Buffer.from([0, 2, 0x71, 0x30]),
      version === 5 ? Buffer.from([0]) : Buffer.alloc(0),
      Buffer.from('zero'),
    ]);
    expect(frame.body.toString('hex')).toBe(expected.toString('hex'));
    await pub.expectNoFrame(200);
  });

  it('[MQTT-4.3.2-1] [MQTT-4.3.2-2] QoS 1 outbound: non-zero Packet Identifier, DUP 0; PUBACK completes it', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, version, `sub-${v}`);
    await subscribe(sub, version, [{ filter: 'out1', qos: 1 }]);
    await using pub = await connect(broker.port, version, `pub-${v}`);
    await pub.send(rawPublish({ topic: 'out1', payload: 'p', qos: 1, packetId: 1 }, version));
    const frame = await sub.expectFrame({ type: T.PUBLISH });
    expect(frame.flags).toBe(0b0010); // QoS 1, DUP 0, RETAIN 0
    const got = parsePublish(frame, version);
    expect(got.packetId).toBeGreaterThan(0);
    await sub.send(rawPuback(got.packetId!, version));
    await pub.send(rawPublish({ topic: 'out1', payload: 'q', qos: 1, packetId: 2 }, version));
    const second = await nextPublish(sub, version);
    expect(second.dup).toBe(false);
    await sub.send(rawPuback(second.packetId!, version));
    await sub.expectNoFrame(200);
    expect(broker.broker.sessions.get(`sub-${v}`)!.inflightCount).toBe(0);
  });

  it('[MQTT-4.3.3-1..5] QoS 2 outbound: PUBLISH, PUBREC → PUBREL with the same id, PUBCOMP completes it', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, version, `sub-${v}`);
    await subscribe(sub, version, [{ filter: 'out2', qos: 2 }]);
    await using pub = await connect(broker.port, version, `pub-${v}`);
    await pub.send(rawPublish({ topic: 'out2', payload: 'p', qos: 2, packetId: 1 }, version));
    const frame = await sub.expectFrame({ type: T.PUBLISH });
    expect(frame.flags).toBe(0b0100); // QoS 2, DUP 0
    const got = parsePublish(frame, version);
    await sub.send(rawPubrec(got.packetId!, version));
    await expectSuccessAck(sub, version, T.PUBREL, got.packetId!);
    // A repeated PUBREC (e.g. the PUBREL was lost) gets the PUBREL again, never the PUBLISH [MQTT-4.3.3-6].
    await sub.send(rawPubrec(got.packetId!, version));
    await expectSuccessAck(sub, version, T.PUBREL, got.packetId!);
    await sub.send(rawPubcomp(got.packetId!, version));
    await sub.expectNoFrame(200);
    expect(broker.broker.sessions.get(`sub-${v}`)!.inflightCount).toBe(0);
  });

  it('[MQTT-2.2.1-4] (3.1.1 [MQTT-2.3.1-4]) outbound Packet Identifiers are non-zero and unique while in flight', async () => {
    await using broker = await startBroker({ limits: { maximumInflight: 64 } });
    await using sub = await connect(broker.port, version, `sub-${v}`);
    await subscribe(sub, version, [{ filter: 'ids/+', qos: 2 }]);
    await using pub = await connect(broker.port, version, `pub-${v}`);
    for (let i = 1; i <= 20; i++) {
      await pub.send(
        rawPublish({ topic: `ids/${i}`, payload: `${i}`, qos: (i % 2) + 1, packetId: i }, version),
      );
    }
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) ids.push((await nextPublish(sub, version)).packetId!);
    expect(ids.every((id) => id > 0 && id <= 0xffff)).toBe(true);
    expect(new Set(ids).size).toBe(20);
  });

  it('[MQTT-3.8.4-8] (3.1.1 [MQTT-3.8.4-6]) delivery QoS is the minimum of published and granted QoS', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, version, `sub-${v}`);
    expect(
      await subscribe(sub, version, [
        { filter: 'g0', qos: 0 },
        { filter: 'g1', qos: 1 },
        { filter: 'g2', qos: 2 },
      ]),
    ).toEqual([0, 1, 2]);
    await using pub = await connect(broker.port, version, `pub-${v}`);
    const cases: [topic: string, published: 0 | 1 | 2, delivered: number][] = [
      ['g0', 2, 0],
      ['g0', 1, 0],
      ['g1', 2, 1],
      ['g1', 0, 0],
      ['g2', 1, 1],
      ['g2', 0, 0],
    ];
    let id = 1;
    for (const [topic, qos] of cases) {
      await pub.send(
        rawPublish(
          { topic, payload: `${topic}@${qos}`, qos, ...(qos > 0 ? { packetId: id++ } : {}) },
          version,
        ),
      );
    }
    for (const [topic, qos, delivered] of cases) {
      const got = await receiveAndAck(sub, version);
      expect([got.topic, text(got), got.qos]).toEqual([topic, `${topic}@${qos}`, delivered]);
      if (delivered === 0) expect(got.packetId).toBeUndefined();
    }
  });

  it('[MQTT-3.3.1-3] the DUP flag of an incoming PUBLISH is not propagated to subscribers', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, version, `sub-${v}`);
    await subscribe(sub, version, [{ filter: 'dup', qos: 1 }]);
    await using pub = await connect(broker.port, version, `pub-${v}`);
    await pub.send(rawPublish({ topic: 'dup', payload: 'd', qos: 1, packetId: 3, dup: true }, version));
    const got = await nextPublish(sub, version);
    expect(got.dup).toBe(false);
  });

  it('[MQTT-4.6.0-5] [MQTT-4.6.0-6] messages on one topic at one QoS reach a subscriber in publish order', async () => {
    await using broker = await startBroker({ limits: { maximumInflight: 5 } });
    await using sub = await connect(broker.port, version, `sub-${v}`);
    await subscribe(sub, version, [{ filter: 'order/+', qos: 2 }]);
    await using pub = await connect(broker.port, version, `pub-${v}`);
    for (const qos of [0, 1, 2] as const) {
      for (let i = 0; i < 30; i++) {
        await pub.send(
          rawPublish(
            { topic: `order/${qos}`, payload: `${i}`, qos, ...(qos > 0 ? { packetId: i + 1 } : {}) },
            version,
          ),
        );
        if (qos === 2) await pub.send(rawPubrel(i + 1, version));
      }
    }
    const seen: Record<number, number[]> = { 0: [], 1: [], 2: [] };
    for (const got of await collect(sub, version, 90))
      seen[Number(got.topic.slice(6))]!.push(Number(text(got)));
    const inOrder = Array.from({ length: 30 }, (_, i) => i);
    expect(seen).toEqual({ 0: inOrder, 1: inOrder, 2: inOrder });
  });
});

describe.each([4, 5] as const)('QoS flows across a reconnect, MQTT v%i', (version) => {
  const persistent = version === 5 ? { clean: false, properties: [[0x11, 300]] as const } : { clean: false };

  it('[MQTT-4.4.0-1] unacknowledged PUBLISHes are resent with DUP and their Packet Identifiers; a released QoS 2 gets only its PUBREL [MQTT-4.3.3-6]', async () => {
    await using broker = await startBroker();
    const sub = await connect(broker.port, version, 'sub', persistent);
    await subscribe(sub, version, [{ filter: 'redo/+', qos: 2 }]);
    await using pub = await connect(broker.port, version, 'pub');
    await pub.send(rawPublish({ topic: 'redo/1', payload: 'one', qos: 1, packetId: 1 }, version));
    await pub.send(rawPublish({ topic: 'redo/2', payload: 'two', qos: 2, packetId: 2 }, version));
    await pub.send(rawPublish({ topic: 'redo/3', payload: 'three', qos: 2, packetId: 3 }, version));
    const one = await nextPublish(sub, version);
    const two = await nextPublish(sub, version);
    const three = await nextPublish(sub, version);
    await sub.send(rawPubrec(two.packetId!, version));
    await expectSuccessAck(sub, version, T.PUBREL, two.packetId!);
    await sub.close();
    await using back = await connect(broker.port, version, 'sub', persistent);
    expect(back.connack.sessionPresent).toBe(true);
    const frames = [await back.expectFrame(), await back.expectFrame(), await back.expectFrame()];
    const publishes = frames.filter((f) => f.type === T.PUBLISH).map((f) => parsePublish(f, version));
    expect(publishes.map((p) => [text(p), p.packetId, p.dup])).toEqual([
      ['one', one.packetId, true],
      ['three', three.packetId, true],
    ]);
    const pubrel = frames.find((f) => f.type === T.PUBREL)!;
    expect(pubrel.body.subarray(0, 2).readUInt16BE(0)).toBe(two.packetId);
    await back.send(rawPuback(one.packetId!, version));
    await back.send(rawPubcomp(two.packetId!, version));
    await back.send(rawPubrec(three.packetId!, version));
    await expectSuccessAck(back, version, T.PUBREL, three.packetId!);
    await back.send(rawPubcomp(three.packetId!, version));
    await back.expectNoFrame(200);
    expect(broker.broker.sessions.get('sub')!.inflightCount).toBe(0);
  });

  it('[MQTT-4.3.3-10] a QoS 2 PUBLISH resent after a reconnect, before PUBREL, is not routed twice', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, version, 'sub');
    await subscribe(sub, version, [{ filter: 'x2', qos: 2 }]);
    const pub = await connect(broker.port, version, 'pub', persistent);
    await pub.send(rawPublish({ topic: 'x2', payload: 'once', qos: 2, packetId: 12 }, version));
    await expectSuccessAck(pub, version, T.PUBREC, 12);
    await pub.close();
    await using again = await connect(broker.port, version, 'pub', persistent);
    await again.send(rawPublish({ topic: 'x2', payload: 'once', qos: 2, packetId: 12, dup: true }, version));
    await expectSuccessAck(again, version, T.PUBREC, 12);
    await again.send(rawPubrel(12, version));
    await expectSuccessAck(again, version, T.PUBCOMP, 12);
    expect(text(await receiveAndAck(sub, version))).toBe('once');
    await sub.expectNoFrame(300);
  });
});

describe('QoS flows, MQTT 5.0 only', () => {
  it('[MQTT-3.4.2-1] a QoS 1 PUBLISH nobody subscribes to gets PUBACK 0x10 No matching subscribers', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: 'nobody', payload: 'x', qos: 1, packetId: 4 }, 5));
    const puback = await nextAck(pub, 5, T.PUBACK);
    expect(puback).toMatchObject({ packetId: 4, reasonCode: 0x10 });
    await pub.send(rawPublish({ topic: 'nobody', payload: 'x', qos: 2, packetId: 5 }, 5));
    expect(await nextAck(pub, 5, T.PUBREC)).toMatchObject({ packetId: 5, reasonCode: 0x10 });
  });

  it('[MQTT-4.3.3-4] [MQTT-4.4.0-2] a PUBREC with a reason code ≥ 0x80 ends the flow: no PUBREL, the message is not resent', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, 5, 'sub', { properties: [[0x21, 1]] });
    await subscribe(sub, 5, [{ filter: 'refuse', qos: 2 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: 'refuse', payload: '1', qos: 2, packetId: 1 }, 5));
    await pub.send(rawPublish({ topic: 'refuse', payload: '2', qos: 2, packetId: 2 }, 5));
    const first = await nextPublish(sub, 5);
    await sub.send(rawPubrec(first.packetId!, 5, 0x80));
    // The refused message freed its slot in the Receive Maximum 1 window (section 4.9): the next comes.
    const second = await nextPublish(sub, 5);
    expect(text(second)).toBe('2');
    expect(second.dup).toBe(false);
  });

  it('PUBREC for a Packet Identifier not in flight is answered with PUBREL 0x92 Packet Identifier not found', async () => {
    await using broker = await startBroker();
    await using client = await connect(broker.port, 5, 'c');
    await client.send(rawPubrec(999, 5));
    expect(await nextAck(client, 5, T.PUBREL)).toMatchObject({ packetId: 999, reasonCode: 0x92 });
  });

  it('PUBREC for an unknown Packet Identifier from a 3.1.1 client is answered with a plain PUBREL', async () => {
    await using broker = await startBroker();
    await using client = await connect(broker.port, 4, 'c4');
    await client.send(rawPubrec(999, 4));
    await expectSuccessAck(client, 4, T.PUBREL, 999);
  });

  it('a PUBACK for an unknown Packet Identifier is ignored and the connection stays open', async () => {
    await using broker = await startBroker();
    await using client = await connect(broker.port, 5, 'c');
    await client.send(rawPuback(42, 5));
    await client.send(rawPubcomp(43, 5));
    await client.send(rawPingreq());
    await client.expectFrame({ type: T.PINGRESP });
  });
});

describe('QoS flows, MQTT 3.1 sanity', () => {
  it('QoS 1 and 2 in and out over protocol level 3 (MQIsdp)', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, 3, 'sub31');
    expect(await subscribe(sub, 3, [{ filter: 'v31/#', qos: 2 }])).toEqual([2]);
    await using pub = await connect(broker.port, 3, 'pub31');
    await pub.send(rawPublish({ topic: 'v31/a', payload: 'one', qos: 1, packetId: 1 }, 3));
    await expectSuccessAck(pub, 3, T.PUBACK, 1);
    await pub.send(rawPublish({ topic: 'v31/b', payload: 'two', qos: 2, packetId: 2 }, 3));
    await expectSuccessAck(pub, 3, T.PUBREC, 2);
    await pub.send(rawPubrel(2, 3));
    await expectSuccessAck(pub, 3, T.PUBCOMP, 2);
    const one = await receiveAndAck(sub, 3);
    const two = await receiveAndAck(sub, 3);
    expect([one.topic, one.qos, text(one), two.topic, two.qos, text(two)]).toEqual([
      'v31/a',
      1,
      'one',
      'v31/b',
      2,
      'two',
    ]);
  });
});
