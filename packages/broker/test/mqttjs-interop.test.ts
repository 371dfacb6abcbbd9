/**
 * The PUBLISH-side features against a real client, MQTT.js 5: topic aliases both ways, properties,
 * shared subscriptions and a small Receive Maximum.
 */
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type BrokerFixture, startBroker } from './fixtures.js';

const clients: MqttClient[] = [];
let fixture: BrokerFixture | undefined;

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  await fixture?.close();
  fixture = undefined;
});

async function client(clientId: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  fixture ??= await startBroker();
  const c = await mqtt.connectAsync(fixture.url, {
    protocolVersion: 5,
    clientId,
    reconnectPeriod: 0,
    ...options,
  });
  clients.push(c);
  return c;
}

/** Resolves with the first `count` messages `c` receives, `topic` as MQTT.js resolved it. */
function messages(c: MqttClient, count: number): Promise<(IPublishPacket & { resolvedTopic: string })[]> {
  return new Promise((resolve) => {
    const got: (IPublishPacket & { resolvedTopic: string })[] = [];
    c.on('message', (topic, _payload, packet) => {
      got.push(Object.assign(packet, { resolvedTopic: topic }));
      if (got.length === count) resolve(got);
    });
  });
}

describe('MQTT.js 5 interop', () => {
  it('[MQTT-3.3.2-11] [MQTT-3.3.2-12] topic aliases both ways resolve to the right topics', async () => {
    const sub = await client('sub', { properties: { topicAliasMaximum: 3 } });
    await sub.subscribeAsync('alias/#', { qos: 1 });
    const pub = await client('pub', { autoAssignTopicAlias: true });
    const topics = Array.from({ length: 20 }, (_, i) => `alias/topic-${i % 5}`);
    const received = messages(sub, topics.length);
    for (const [i, topic] of topics.entries()) await pub.publishAsync(topic, `${i}`, { qos: 1 });
    const got = await received;
    expect(got.map((p) => `${p.resolvedTopic}=${p.payload.toString()}`)).toEqual(
      topics.map((t, i) => `${t}=${i}`),
    );
    const aliases = got.map((p) => p.properties?.topicAlias).filter((a) => a !== undefined);
    expect(aliases.length).toBeGreaterThan(0);
    expect(aliases.every((a) => a! >= 1 && a! <= 3)).toBe(true);
  });

  it('[MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-20] request / response properties arrive unchanged', async () => {
    const responder = await client('responder');
    await responder.subscribeAsync('service/request', { qos: 1 });
    const requester = await client('requester');
    await requester.subscribeAsync('reply/requester', { qos: 1 });
    let replied: Promise<unknown> | undefined;
    responder.on('message', (_topic, payload, packet) => {
      const properties = packet.properties!;
      replied = responder.publishAsync(properties.responseTopic!, `re:${payload.toString()}`, {
        qos: 1,
        properties: { correlationData: properties.correlationData! },
      });
    });
    const reply = messages(requester, 1);
    await requester.publishAsync('service/request', 'ping', {
      qos: 1,
      properties: {
        responseTopic: 'reply/requester',
        correlationData: Buffer.from([1, 2, 3]),
        contentType: 'text/plain',
        payloadFormatIndicator: true,
        userProperties: { trace: 'abc' },
      },
    });
    const [answer] = await reply;
    await replied;
    expect(answer!.payload.toString()).toBe('re:ping');
    expect(Buffer.from(answer!.properties!.correlationData!)).toEqual(Buffer.from([1, 2, 3]));
  });

  it('4.8.2 shared subscription members split the messages, each delivered once', async () => {
    const a = await client('a');
    const b = await client('b');
    await a.subscribeAsync('$share/workers/jobs', { qos: 1 });
    await b.subscribeAsync('$share/workers/jobs', { qos: 1 });
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      for (const c of [a, b]) {
        c.on('message', (_topic, payload) => {
          seen.push(payload.toString());
          if (seen.length === 20) resolve();
        });
      }
    });
    const pub = await client('pub');
    for (let i = 0; i < 20; i++) await pub.publishAsync('jobs', `${i}`, { qos: 1 });
    await done;
    expect(seen.map(Number).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('[MQTT-3.3.4-9] a Receive Maximum of 1 still delivers every QoS 2 message, in order', async () => {
    const sub = await client('sub', { properties: { receiveMaximum: 1 } });
    await sub.subscribeAsync('rm', { qos: 2 });
    const pub = await client('pub');
    const received = messages(sub, 10);
    await Promise.all(Array.from({ length: 10 }, (_, i) => pub.publishAsync('rm', `${i}`, { qos: 2 })));
    expect((await received).map((p) => p.payload.toString())).toEqual(
      Array.from({ length: 10 }, (_, i) => `${i}`),
    );
  });
});
