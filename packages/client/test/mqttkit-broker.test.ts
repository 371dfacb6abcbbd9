/**
 * The client against the real mqttkit broker, in-process on 127.0.0.1: every QoS in every protocol
 * level, the offline queue, reconnects after the broker is cut off or restarted, and the v5 features.
 */
import type { Hook } from '@mqttkit/broker';
import { afterEach, describe, expect, it } from 'vitest';
import type { MqttClient } from '../src/client.js';
import {
  type ConnectOptions,
  connect,
  PacketTooLargeError,
  PublishError,
  SubscribeError,
  TimeoutError,
} from '../src/index.js';
import { type BrokerFixture, nextEvent, startBroker, text, waitFor } from './fixtures.js';

const FAST_RECONNECT = { initialDelayMs: 20, maxDelayMs: 100, jitter: 'none' } as const;

let fixtures: BrokerFixture[] = [];
let clients: MqttClient[] = [];

async function broker(options: Parameters<typeof startBroker>[0] = {}): Promise<BrokerFixture> {
  const fixture = await startBroker(options);
  fixtures.push(fixture);
  return fixture;
}

async function client(url: string, options: ConnectOptions = {}): Promise<MqttClient> {
  const c = await connect(url, { reconnect: FAST_RECONNECT, ...options });
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.map((c) => c.end({ force: true })));
  await Promise.all(fixtures.map((f) => f.close()));
  clients = [];
  fixtures = [];
});

describe.each([
  { version: 3, name: 'MQTT 3.1' },
  { version: 4, name: 'MQTT 3.1.1' },
  { version: 5, name: 'MQTT 5.0' },
] as const)('$name against the mqttkit broker', ({ version }) => {
  it('round-trips QoS 0, 1 and 2 with the granted QoS and publish results', async () => {
    const b = await broker();
    const sub = await client(b.url, { protocolVersion: version });
    const pub = await client(b.url, { protocolVersion: version });
    expect(await sub.subscribe('t/#', { qos: 2 })).toEqual({
      granted: [{ topicFilter: 't/#', reasonCode: 2 }],
    });
    const received: string[] = [];
    sub.on('message', (m) => received.push(`${m.topic} ${text(m.payload)} q${m.qos}`));
    expect(await pub.publish('t/0', 'zero')).toEqual({ reasonCode: 0 });
    expect(await pub.publish('t/1', 'one', { qos: 1 })).toEqual({ reasonCode: 0 });
    expect(await pub.publish('t/2', new TextEncoder().encode('two'), { qos: 2 })).toEqual({ reasonCode: 0 });
    await waitFor(() => received.length === 3, 'three messages');
    expect(received).toEqual(['t/0 zero q0', 't/1 one q1', 't/2 two q2']);
  });

  it('delivers a retained message to a later subscriber, flagged retain', async () => {
    const b = await broker();
    const pub = await client(b.url, { protocolVersion: version });
    await pub.publish('r/x', 'kept', { qos: 1, retain: true });
    const sub = await client(b.url, { protocolVersion: version });
    const message = nextEvent(sub, 'message');
    await sub.subscribe('r/+', { qos: 1 });
    const [m] = await message;
    expect({ topic: m.topic, payload: text(m.payload), retain: m.retain }).toEqual({
      topic: 'r/x',
      payload: 'kept',
      retain: true,
    });
  });

  it('iterates messages with for await, filtered, and stops cleanly', async () => {
    const b = await broker();
    const c = await client(b.url, { protocolVersion: version });
    await c.subscribe(['s/+', 'other'], { qos: 1 });
    const iterator = c.messages('s/+');
    for (const topic of ['other', 's/1', 's/2', 's/3']) await c.publish(topic, topic, { qos: 1 });
    const seen: string[] = [];
    for await (const m of iterator) {
      seen.push(m.topic);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['s/1', 's/2', 's/3']);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('queues publishes while the broker is down and sends them after reconnecting', async () => {
    const b = await broker();
    const c = await client(b.url, {
      protocolVersion: version,
      clean: false,
      ...(version === 5 ? { properties: { sessionExpiryInterval: 60 } } : {}),
    });
    await c.subscribe('q/#', { qos: 1 });
    const offline = nextEvent(c, 'offline');
    await b.kill();
    await offline;
    expect(c.connected).toBe(false);
    const results = [
      c.publish('q/a', '1', { qos: 1 }),
      c.publish('q/b', '2'),
      c.publish('q/c', '3', { qos: 2 }),
    ];
    expect(c.queueLength).toBe(3);
    const received: string[] = [];
    c.on('message', (m) => received.push(text(m.payload)));
    const reconnected = nextEvent(c, 'connect');
    await b.listen();
    const [connack] = await reconnected;
    // MQTT 3.1 has no Session Present flag.
    expect(connack.sessionPresent).toBe(version !== 3);
    await Promise.all(results);
    await waitFor(() => received.length === 3, 'the queued messages to come back');
    expect(received).toEqual(['1', '2', '3']);
  });

  it('subscribes again when a restarted broker lost the session, and sends what was queued', async () => {
    const b = await broker();
    const c = await client(b.url, { protocolVersion: version });
    await c.subscribe('again/#', { qos: 1 });
    const offline = nextEvent(c, 'offline');
    const restarting = b.restart();
    await offline;
    const queued = c.publish('again/x', 'after restart', { qos: 1 });
    const received = nextEvent(c, 'message', 8000);
    await restarting;
    await queued;
    const [m] = await received;
    expect(text(m.payload)).toBe('after restart');
    expect([...c.subscriptions]).toEqual([['again/#', 1]]);
  });

  it('loses no QoS 1 or 2 message when the broker is cut off mid-stream (persistent session)', async () => {
    const b = await broker();
    const persistent = {
      clean: false,
      ...(version === 5 ? { properties: { sessionExpiryInterval: 300 } } : {}),
    };
    const sub = await client(b.url, { protocolVersion: version, clientId: `sub-${version}`, ...persistent });
    await sub.subscribe('flow/#', { qos: 2 });
    const pub = await client(b.url, { protocolVersion: version, clientId: `pub-${version}`, ...persistent });
    const received = new Set<string>();
    sub.on('message', (m) => received.add(text(m.payload)));
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      sent.push(pub.publish(`flow/${i % 3}`, `m${i}`, { qos: i % 2 === 0 ? 1 : 2 }));
      if (i === 150) await b.kill();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    await b.listen();
    await Promise.all(sent);
    await waitFor(() => received.size === 300, `all 300 messages (got ${received.size})`, 10_000);
  });
});

describe('MQTT 5.0 features against the mqttkit broker', () => {
  it('carries user properties in order, duplicates included, and the other message properties', async () => {
    const b = await broker();
    const sub = await client(b.url);
    const pub = await client(b.url);
    await sub.subscribe('props');
    const message = nextEvent(sub, 'message');
    const userProperties = [
      ['z', '1'],
      ['a', '2'],
      ['z', '3'],
    ] as const;
    await pub.publish('props', '{}', {
      properties: {
        userProperties,
        contentType: 'application/json',
        payloadFormatIndicator: true,
        messageExpiryInterval: 60,
      },
    });
    const [m] = await message;
    expect(m.properties).toMatchObject({
      userProperties,
      contentType: 'application/json',
      payloadFormatIndicator: true,
    });
  });

  it('answers request() through the response topic and correlation data, under the Response Information', async () => {
    const b = await broker({ responseInformation: 'replies' });
    const responder = await client(b.url);
    await responder.subscribe('svc/echo', { qos: 1 });
    responder.on('message', (m) => {
      const { responseTopic, correlationData } = m.properties ?? {};
      if (responseTopic === undefined || correlationData === undefined) return;
      responder
        .publish(responseTopic, `echo: ${text(m.payload)}`, {
          qos: 1,
          properties: { correlationData },
        })
        // The test may end the responder while this acknowledgement is in flight.
        .catch(() => undefined);
    });
    const requester = await client(b.url);
    const [first, second] = await Promise.all([
      requester.request('svc/echo', 'a', { timeoutMs: 3000 }),
      requester.request('svc/echo', 'b', { timeoutMs: 3000 }),
    ]);
    expect([text(first.payload), text(second.payload)]).toEqual(['echo: a', 'echo: b']);
    expect(first.topic).toBe(`replies/${requester.clientId}`);
    await expect(requester.request('svc/nobody', 'x', { timeoutMs: 100 })).rejects.toBeInstanceOf(
      TimeoutError,
    );
  });

  it('publishes through topic aliases and resolves the aliases the broker uses', async () => {
    const b = await broker();
    const sub = await client(b.url, { properties: { topicAliasMaximum: 4 } });
    const pub = await client(b.url);
    expect(pub.serverLimits?.topicAliasMaximum).toBeGreaterThan(0);
    await sub.subscribe('alias/+', { qos: 1 });
    const topics: string[] = [];
    sub.on('message', (m) => topics.push(m.topic));
    for (const topic of ['alias/a', 'alias/a', 'alias/b', 'alias/a'])
      await pub.publish(topic, 'x', { qos: 1 });
    await waitFor(() => topics.length === 4, 'four messages');
    expect(topics).toEqual(['alias/a', 'alias/a', 'alias/b', 'alias/a']);
  });

  it('surfaces the server DISCONNECT (0x8B on shutdown) and reconnects', async () => {
    const b = await broker();
    const c = await client(b.url);
    const disconnect = nextEvent(c, 'disconnect');
    const reconnected = nextEvent(c, 'connect', 8000);
    await b.restart();
    const [packet] = await disconnect;
    expect(packet.reasonCode).toBe(0x8b);
    await reconnected;
    expect(c.connected).toBe(true);
  });

  it('stops on DISCONNECT 0x8E when another client takes the session over, instead of taking it back', async () => {
    const b = await broker();
    const first = await client(b.url, { clientId: 'twin' });
    const disconnect = nextEvent(first, 'disconnect');
    const error = nextEvent(first, 'error');
    const closed = nextEvent(first, 'close');
    const second = await client(b.url, { clientId: 'twin' });
    expect((await disconnect)[0].reasonCode).toBe(0x8e);
    expect((await error)[0]).toMatchObject({ name: 'ConnectionClosedError', code: 'SESSION_TAKEN_OVER' });
    await closed;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(second.connected).toBe(true);
  });

  it('refuses a publish above the Maximum Packet Size or Maximum QoS before sending, and stays connected', async () => {
    const b = await broker({ limits: { maximumPacketSize: 256, maximumQoS: 1 } });
    const c = await client(b.url);
    expect(c.serverLimits).toMatchObject({ maximumPacketSize: 256, maximumQoS: 1 });
    await expect(c.publish('big', new Uint8Array(300))).rejects.toBeInstanceOf(PacketTooLargeError);
    await expect(c.publish('q2', 'x', { qos: 2 })).rejects.toMatchObject({
      name: 'PublishError',
      code: 'QOS_NOT_SUPPORTED',
    });
    // 0x10 No matching subscribers: a success code, so the promise resolves with it.
    expect(await c.publish('fine', 'x', { qos: 1 })).toEqual({ reasonCode: 0x10 });
    expect(c.connected).toBe(true);
  });

  it('respects the broker Receive Maximum with many QoS 1 publishes at once', async () => {
    const b = await broker({ limits: { receiveMaximum: 5 } });
    const c = await client(b.url);
    const all = Array.from({ length: 50 }, (_, i) => c.publish('rm', `${i}`, { qos: 1 }));
    expect(c.inflightCount).toBe(5);
    expect(c.queueLength).toBe(45);
    await Promise.all(all);
    expect(c.inflightCount).toBe(0);
  });

  it('rejects refused publishes and subscriptions with typed errors carrying the reason code', async () => {
    const deny: Hook = {
      id: 'deny-secret',
      authorizePublish: (event) =>
        event.topic.startsWith('secret') ? { deny: 0x87, reasonString: 'no secrets' } : 'allow',
      authorizeSubscribe: (event) => (event.topicFilter.startsWith('secret') ? { deny: 0x87 } : 'allow'),
    };
    const b = await broker({ hooks: [deny] });
    const c = await client(b.url, { properties: { requestProblemInformation: true } });
    const publish = c.publish('secret/x', 'x', { qos: 1 });
    await expect(publish).rejects.toBeInstanceOf(PublishError);
    await expect(publish).rejects.toMatchObject({ code: 'NOT_AUTHORIZED', reasonCode: 0x87 });
    const subscribe = c.subscribe({ 'open/#': 1, 'secret/#': 1 });
    await expect(subscribe).rejects.toBeInstanceOf(SubscribeError);
    await expect(subscribe).rejects.toMatchObject({
      outcomes: [
        { topicFilter: 'open/#', reasonCode: 1 },
        { topicFilter: 'secret/#', reasonCode: 0x87 },
      ],
    });
    expect([...c.subscriptions.keys()]).toEqual(['open/#']);
  });

  it('takes the Assigned Client Identifier when it connects with an empty one', async () => {
    const b = await broker();
    const c = await client(b.url, { clientId: '' });
    expect(c.clientId).not.toBe('');
    expect(c.connack?.properties?.assignedClientIdentifier).toBe(c.clientId);
  });

  it('ends gracefully: waits for in-flight messages, then DISCONNECT; later calls reject', async () => {
    const b = await broker();
    const c = await connect(b.url);
    const inflight = c.publish('end', 'x', { qos: 2 });
    const closed = nextEvent(c, 'close');
    await c.end();
    await expect(inflight).resolves.toEqual({ reasonCode: 0 });
    await closed;
    expect(c.closed).toBe(true);
    await expect(c.publish('end', 'late')).rejects.toMatchObject({ name: 'ConnectionClosedError' });
  });
});
