/**
 * MQTT 5.0 Topic Aliases (section 3.3.2.3.4) in both directions.
 */
import { rawPublish } from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import { startBroker } from './fixtures.js';
import {
  collect,
  connect,
  expectDisconnect,
  nextAck,
  nextPublish,
  subscribe,
  T,
  text,
} from './raw-helpers.js';

const TOPIC_ALIAS = 0x23;
const TOPIC_ALIAS_MAXIMUM = 0x22;

describe('inbound topic aliases (client → broker)', () => {
  it('[MQTT-3.3.2-12] an alias set with a topic is then used with an empty topic, and can be remapped', async () => {
    await using broker = await startBroker({ limits: { topicAliasMaximum: 4 } });
    await using sub = await connect(broker.port, 5, 'sub');
    await subscribe(sub, 5, [{ filter: 'alias/#', qos: 1 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    expect(pub.connack.properties).toContainEqual([TOPIC_ALIAS_MAXIMUM, 4]);
    await pub.send(rawPublish({ topic: 'alias/long/name', payload: '1', properties: [[TOPIC_ALIAS, 4]] }, 5));
    await pub.send(
      rawPublish({ topic: '', payload: '2', qos: 1, packetId: 1, properties: [[TOPIC_ALIAS, 4]] }, 5),
    );
    await pub.send(rawPublish({ topic: 'alias/other', payload: '3', properties: [[TOPIC_ALIAS, 4]] }, 5));
    await pub.send(rawPublish({ topic: '', payload: '4', properties: [[TOPIC_ALIAS, 4]] }, 5));
    expect((await nextAck(pub, 5, T.PUBACK)).reasonCode).toBe(0);
    const got = await collect(sub, 5, 4);
    expect(got.map((p) => `${p.topic}=${text(p)}`)).toEqual([
      'alias/long/name=1',
      'alias/long/name=2',
      'alias/other=3',
      'alias/other=4',
    ]);
    // The publisher's alias is its own: subscribers never see it.
    expect(got.every((p) => p.properties.every(([id]) => id !== TOPIC_ALIAS))).toBe(true);
  });

  it('[MQTT-3.3.2-8] a Topic Alias of 0 is answered with DISCONNECT 0x94 Topic Alias invalid', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: 'x', payload: 'y', properties: [[TOPIC_ALIAS, 0]] }, 5));
    expect(await expectDisconnect(pub)).toBe(0x94);
  });

  it('[MQTT-3.3.2-9] a Topic Alias above the Topic Alias Maximum in CONNACK is answered with DISCONNECT 0x94', async () => {
    await using broker = await startBroker({ limits: { topicAliasMaximum: 2 } });
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: 'x', payload: 'ok', properties: [[TOPIC_ALIAS, 2]] }, 5));
    await pub.send(rawPublish({ topic: 'x', payload: 'no', properties: [[TOPIC_ALIAS, 3]] }, 5));
    expect(await expectDisconnect(pub)).toBe(0x94);
  });

  it('[MQTT-3.2.2-18] with Topic Alias Maximum 0 the broker advertises none and refuses any alias with 0x94', async () => {
    await using broker = await startBroker({ limits: { topicAliasMaximum: 0 } });
    await using pub = await connect(broker.port, 5, 'pub');
    expect(pub.connack.properties.some(([id]) => id === TOPIC_ALIAS_MAXIMUM)).toBe(false);
    await pub.send(rawPublish({ topic: 'x', payload: 'y', properties: [[TOPIC_ALIAS, 1]] }, 5));
    expect(await expectDisconnect(pub)).toBe(0x94);
  });

  it('3.3.4 an empty topic with an alias that was never set is a protocol error: DISCONNECT 0x82', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: '', payload: 'y', properties: [[TOPIC_ALIAS, 1]] }, 5));
    expect(await expectDisconnect(pub)).toBe(0x82);
  });

  it('3.3.2.1 an empty topic without an alias is a protocol error: DISCONNECT 0x82', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: '', payload: 'y' }, 5));
    expect(await expectDisconnect(pub)).toBe(0x82);
  });

  it('[MQTT-3.3.2-7] alias mappings do not outlive the connection', async () => {
    await using broker = await startBroker();
    const first = await connect(broker.port, 5, 'pub', { properties: [[0x11, 60]] });
    await first.send(rawPublish({ topic: 'remember/me', payload: 'y', properties: [[TOPIC_ALIAS, 1]] }, 5));
    await first.close();
    await using again = await connect(broker.port, 5, 'pub', { clean: false, properties: [[0x11, 60]] });
    await again.send(rawPublish({ topic: '', payload: 'y', properties: [[TOPIC_ALIAS, 1]] }, 5));
    expect(await expectDisconnect(again)).toBe(0x82);
  });
});

describe('outbound topic aliases (broker → client)', () => {
  it('[MQTT-3.1.2-27] a client that sent no Topic Alias Maximum never gets an alias', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, 5, 'sub');
    await subscribe(sub, 5, [{ filter: 'na', qos: 0 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    for (let i = 0; i < 3; i++) await pub.send(rawPublish({ topic: 'na', payload: `${i}` }, 5));
    const got = await collect(sub, 5, 3);
    expect(got.map((p) => [p.topic, p.properties])).toEqual([
      ['na', []],
      ['na', []],
      ['na', []],
    ]);
  });

  it('[MQTT-3.1.2-26] [MQTT-3.3.2-11] aliases go only up to the client’s Topic Alias Maximum; known ones replace the topic', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, 5, 'sub', { properties: [[TOPIC_ALIAS_MAXIMUM, 2]] });
    await subscribe(sub, 5, [{ filter: 'ta/+', qos: 1 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    const topics = ['ta/a', 'ta/b', 'ta/c', 'ta/a', 'ta/b', 'ta/c'];
    for (const [i, topic] of topics.entries()) {
      await pub.send(rawPublish({ topic, payload: `${i}`, qos: 1, packetId: i + 1 }, 5));
    }
    const got = await collect(sub, 5, topics.length);
    const aliasOf = (p: (typeof got)[number]) => p.properties.find(([id]) => id === TOPIC_ALIAS)?.[1];
    const aliases = got.map(aliasOf);
    expect(
      aliases.every(
        (alias) => alias === undefined || (typeof alias === 'number' && alias >= 1 && alias <= 2),
      ),
    ).toBe(true);
    // The client resolves aliases as the spec says; the result must be the topics as published, in order.
    const table = new Map<number, string>();
    const resolved = got.map((p) => {
      const alias = aliasOf(p) as number | undefined;
      if (p.topic.length > 0) {
        if (alias !== undefined) table.set(alias, p.topic);
        return p.topic;
      }
      expect(alias).toBeDefined();
      return table.get(alias!);
    });
    expect(resolved).toEqual(topics);
    // With two aliases for three topics, some repeat went out as an empty topic and one topic without alias.
    expect(got.filter((p) => p.topic === '').length).toBeGreaterThan(0);
    expect(got.some((p) => aliasOf(p) === undefined)).toBe(true);
  });

  it('[MQTT-3.3.2-7] outbound aliases start afresh on a new connection', async () => {
    await using broker = await startBroker();
    const first = await connect(broker.port, 5, 'sub', {
      properties: [
        [0x11, 60],
        [TOPIC_ALIAS_MAXIMUM, 5],
      ],
    });
    await subscribe(first, 5, [{ filter: 'fresh', qos: 0 }]);
    await using pub = await connect(broker.port, 5, 'pub');
    await pub.send(rawPublish({ topic: 'fresh', payload: '1' }, 5));
    expect((await nextPublish(first, 5)).topic).toBe('fresh');
    await first.close();
    await using again = await connect(broker.port, 5, 'sub', {
      clean: false,
      properties: [
        [0x11, 60],
        [TOPIC_ALIAS_MAXIMUM, 5],
      ],
    });
    await pub.send(rawPublish({ topic: 'fresh', payload: '2' }, 5));
    expect((await nextPublish(again, 5)).topic).toBe('fresh');
  });
});
