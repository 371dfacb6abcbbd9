/**
 * Last will (MQTT 3.1.1 sections 3.1.2.5-3.1.2.7 and 3.1.3.2-3; MQTT 5.0 sections 3.1.2.5-3.1.2.7,
 * 3.1.3.2 and 3.14.2.1): when a will is published and when it is not, its QoS and retain flag, its
 * v5 properties, and the Will Delay Interval.
 */
import {
  parsePublish,
  propertyValues,
  type RawClient,
  type RawConnectOptions,
  type RawVersion,
  type RawWill,
  rawConnect,
  rawDisconnect,
  rawPuback,
  rawPublish,
  rawSubscribe,
} from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import type { Hook } from '../src/index.js';
import { startBroker } from './fixtures.js';
import {
  EventRecorder,
  mqttConnect,
  nextMessage,
  noMessage,
  rawConnectWithAck,
} from './lifecycle-helpers.js';

let watchers = 0;

/** A raw subscriber on `filter`, connected and subscribed (ids short enough for MQTT 3.1). */
async function watcher(port: number, version: RawVersion, filter: string, qos = 2): Promise<RawClient> {
  const { client } = await rawConnectWithAck(port, {
    protocolVersion: version,
    clientId: `watch-${++watchers}`,
  });
  await client.send(rawSubscribe(1, [{ filter, qos }], version));
  await client.expectFrame({ type: 9 });
  return client;
}

/** Connect a raw client that carries `will`. */
async function withWill(
  port: number,
  version: RawVersion,
  clientId: string,
  will: RawWill,
  extra: Partial<RawConnectOptions> = {},
) {
  const { client, connack } = await rawConnectWithAck(port, {
    protocolVersion: version,
    clientId,
    will,
    ...extra,
  });
  expect(connack.code).toBe(0);
  return client;
}

const simpleWill = (topic: string, payload = 'gone'): RawWill => ({ topic, payload, qos: 0, retain: false });

describe('when the will is published', () => {
  for (const version of [3, 4, 5] as const) {
    it(`[MQTT-3.1.2-8] v${version}: published when the network connection closes without DISCONNECT`, async () => {
      await using broker = await startBroker();
      await using watch = await watcher(broker.port, version, 'will/#');
      const client = await withWill(
        broker.port,
        version,
        `drop${version}`,
        simpleWill(`will/drop${version}`),
      );
      client.destroy();
      const publish = parsePublish(await watch.expectFrame({ type: 3 }), version);
      expect([publish.topic, publish.payload.toString()]).toEqual([`will/drop${version}`, 'gone']);
    });
  }

  it('[MQTT-3.1.2-8] published after a TCP reset', async () => {
    await using broker = await startBroker();
    await using watch = await watcher(broker.port, 4, 'will/#');
    const client = await withWill(broker.port, 4, 'reset', simpleWill('will/reset'));
    client.reset();
    expect(parsePublish(await watch.expectFrame({ type: 3 }), 4).topic).toBe('will/reset');
  });

  it('[MQTT-3.1.2-8] published when the keepalive runs out', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    await using watch = await watcher(broker.port, 4, 'will/#');
    await using client = await withWill(broker.port, 4, 'sleepy', simpleWill('will/sleepy'), {
      keepAlive: 1,
    });
    const publish = parsePublish(await watch.expectFrame({ type: 3, timeoutMs: 5000 }), 4);
    expect(publish.topic).toBe('will/sleepy');
    await client.expectClose();
    const gone = await events.next('disconnected', (e) => e.client.id === 'sleepy');
    expect([gone.cause, gone.willPublished]).toEqual(['keepalive-timeout', true]);
  });

  it('[MQTT-3.1.2-8] published when the broker closes the connection for a protocol error (3.1.1 second CONNECT)', async () => {
    await using broker = await startBroker();
    await using watch = await watcher(broker.port, 4, 'will/#');
    await using client = await withWill(broker.port, 4, 'rude', simpleWill('will/rude'));
    await client.send(rawConnect({ protocolVersion: 4, clientId: 'rude' }));
    await client.expectClose();
    expect(parsePublish(await watch.expectFrame({ type: 3 }), 4).topic).toBe('will/rude');
  });

  it('[MQTT-3.1.2-8] published when the broker closes the connection for a malformed packet (5.0)', async () => {
    await using broker = await startBroker();
    await using watch = await watcher(broker.port, 5, 'will/#');
    await using client = await withWill(broker.port, 5, 'broken', simpleWill('will/broken'));
    // PUBLISH with both QoS bits set [MQTT-3.3.1-4].
    await client.send(Buffer.from([0x36, 0x04, 0x00, 0x01, 0x61, 0x00]));
    await client.expectClose();
    expect(parsePublish(await watch.expectFrame({ type: 3 }), 5).topic).toBe('will/broken');
  });

  it('[MQTT-3.1.4-2] published when another connection takes the client id over (3.1.1)', async () => {
    await using broker = await startBroker();
    await using watch = await watcher(broker.port, 4, 'will/#');
    await using old = await withWill(broker.port, 4, 'twin', simpleWill('will/twin', 'old one'));
    const fresh = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'twin' });
    await using _ = fresh.client;
    await old.expectClose();
    const publish = parsePublish(await watch.expectFrame({ type: 3 }), 4);
    expect([publish.topic, publish.payload.toString()]).toEqual(['will/twin', 'old one']);
  });

  it('[MQTT-3.1.4-3] 5.0: published on takeover (no Will Delay)', async () => {
    await using broker = await startBroker();
    await using watch = await watcher(broker.port, 5, 'will/#');
    await using old = await withWill(broker.port, 5, 'twin5', simpleWill('will/twin5'));
    const fresh = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'twin5' });
    await using _ = fresh.client;
    expect(parsePublish(await watch.expectFrame({ type: 3 }), 5).topic).toBe('will/twin5');
    await old.expectClose();
  });

  it('5.0: DISCONNECT with 0x04 (Disconnect with Will Message) publishes the will', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    await using watch = await watcher(broker.port, 5, 'will/#');
    await using client = await withWill(broker.port, 5, 'polite-will', simpleWill('will/polite'));
    await client.send(rawDisconnect(5, 0x04));
    await client.expectClose();
    expect(parsePublish(await watch.expectFrame({ type: 3 }), 5).topic).toBe('will/polite');
    const gone = await events.next('disconnected', (e) => e.client.id === 'polite-will');
    expect([gone.cause, gone.reasonCode, gone.willPublished]).toEqual(['client-disconnect', 0x04, true]);
  });

  it('[MQTT-3.14.4-3] 5.0: a DISCONNECT reporting an error (0x80) is not a normal disconnection: the will is published', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    await using watch = await watcher(broker.port, 5, 'will/#');
    await using client = await withWill(broker.port, 5, 'failing', simpleWill('will/failing'));
    await client.send(rawDisconnect(5, 0x80));
    await client.expectClose();
    expect(parsePublish(await watch.expectFrame({ type: 3 }), 5).topic).toBe('will/failing');
    const gone = await events.next('disconnected', (e) => e.client.id === 'failing');
    expect([gone.cause, gone.reasonCode, gone.willPublished]).toEqual(['client-disconnect', 0x80, true]);
  });

  it('5.0: a DISCONNECT that is itself a protocol error (expiry 0 → 600) is not valid: the will is published', async () => {
    await using broker = await startBroker();
    await using watch = await watcher(broker.port, 5, 'will/#');
    await using client = await withWill(broker.port, 5, 'bad-bye', simpleWill('will/bad-bye'));
    await client.send(rawDisconnect(5, 0x00, [[0x11, 600]]));
    await client.expectFrame({ type: 14 });
    await client.expectClose();
    expect(parsePublish(await watch.expectFrame({ type: 3 }), 5).topic).toBe('will/bad-bye');
  });

  it('is published once, however the connection then ends', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    await using watch = await watcher(broker.port, 5, 'will/#');
    await using client = await withWill(broker.port, 5, 'once', simpleWill('will/once'));
    await client.send(rawConnect({ protocolVersion: 5, clientId: 'once' }));
    await client.expectClose();
    await watch.expectFrame({ type: 3 });
    await watch.expectNoFrame(300);
    expect(events.all('published').filter((e) => e.isWill)).toHaveLength(1);
  });
});

describe('when the will is not published', () => {
  for (const version of [3, 4, 5] as const) {
    it(`[MQTT-3.1.2-10] v${version}: a normal DISCONNECT discards the will`, async () => {
      const events = new EventRecorder();
      await using broker = await startBroker({ hooks: [events] });
      await using watch = await watcher(broker.port, version, 'will/#');
      await using client = await withWill(
        broker.port,
        version,
        `polite${version}`,
        simpleWill(`will/polite${version}`),
      );
      await client.send(rawDisconnect(version));
      await client.expectClose();
      const gone = await events.next('disconnected', (e) => e.client.id === `polite${version}`);
      expect([gone.cause, gone.willPublished]).toEqual(['client-disconnect', false]);
      await watch.expectNoFrame(300);
    });
  }

  it('[MQTT-3.1.2-12] without the Will Flag nothing is published when the connection drops', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const { client } = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'nowill' });
    client.destroy();
    const gone = await events.next('disconnected', (e) => e.client.id === 'nowill');
    expect(gone.willPublished).toBe(false);
    expect(events.all('published')).toEqual([]);
  });

  it('a will the authorizePublish hook denies is not published (the hook sees isWill)', async () => {
    const seen: boolean[] = [];
    const acl: Hook = {
      id: 'acl',
      authorizePublish: (event) => {
        seen.push(event.isWill);
        return event.topic.startsWith('will/forbidden') ? 'deny' : 'allow';
      },
    };
    await using broker = await startBroker({ hooks: [acl] });
    await using watch = await watcher(broker.port, 4, 'will/#');
    const denied = await withWill(broker.port, 4, 'deny-will', simpleWill('will/forbidden'));
    denied.destroy();
    const allowed = await withWill(broker.port, 4, 'allow-will', simpleWill('will/allowed'));
    allowed.destroy();
    expect(parsePublish(await watch.expectFrame({ type: 3 }), 4).topic).toBe('will/allowed');
    await watch.expectNoFrame(200);
    expect(seen).toEqual([true, true]);
  });
});

describe('will QoS, retain and properties', () => {
  it('[MQTT-3.1.2-16] [MQTT-3.1.2-17] will QoS is honoured and a retained will is kept as a retained message', async () => {
    await using broker = await startBroker();
    await using watch = await watcher(broker.port, 4, 'will/#', 2);
    const client = await withWill(broker.port, 4, 'heavy', {
      topic: 'will/heavy',
      payload: 'bye',
      qos: 1,
      retain: true,
    });
    client.destroy();
    const live = parsePublish(await watch.expectFrame({ type: 3 }), 4);
    expect([live.topic, live.qos, live.payload.toString()]).toEqual(['will/heavy', 1, 'bye']);
    // To an existing subscription the retain flag is 0 [MQTT-3.3.1-9].
    expect(live.retain).toBe(false);
    await watch.send(rawPuback(live.packetId!, 4));
    // A later subscriber gets it as a retained message [MQTT-3.3.1-8].
    await using late = await watcher(broker.port, 4, 'will/heavy', 1);
    const retained = parsePublish(await late.expectFrame({ type: 3 }), 4);
    expect([retained.topic, retained.retain, retained.qos, retained.payload.toString()]).toEqual([
      'will/heavy',
      true,
      1,
      'bye',
    ]);
  });

  it('will QoS 2 is delivered at the lower of the will QoS and the subscription QoS', async () => {
    await using broker = await startBroker();
    await using q0 = await watcher(broker.port, 4, 'will/q', 0);
    await using q2 = await watcher(broker.port, 4, 'will/q', 2);
    const client = await withWill(broker.port, 4, 'qos2', {
      topic: 'will/q',
      payload: 'x',
      qos: 2,
      retain: false,
    });
    client.destroy();
    expect(parsePublish(await q0.expectFrame({ type: 3 }), 4).qos).toBe(0);
    expect(parsePublish(await q2.expectFrame({ type: 3 }), 4).qos).toBe(2);
  });

  it('[MQTT-3.1.2-16] a will with Will Retain 0 does not replace a retained message', async () => {
    await using broker = await startBroker();
    broker.broker.publish({ topic: 'will/r', payload: 'retained', retain: true });
    const client = await withWill(broker.port, 4, 'not-retained', simpleWill('will/r', 'will'));
    client.destroy();
    await using watch = await watcher(broker.port, 4, 'will/r', 0);
    const first = parsePublish(await watch.expectFrame({ type: 3 }), 4);
    // The subscription may also see the will itself live; the retained one must still be 'retained'.
    const frames = [first];
    while (watch.pending.length > 0) frames.push(parsePublish(await watch.expectFrame({ type: 3 }), 4));
    expect(frames.filter((p) => p.retain).map((p) => p.payload.toString())).toEqual(['retained']);
  });

  it('[MQTT-3.1.3-10] 5.0 will properties pass through unchanged, user properties in order', async () => {
    await using broker = await startBroker();
    await using watch = await watcher(broker.port, 5, 'will/#');
    const correlation = Buffer.from([0, 1, 2, 0xff]);
    const client = await withWill(broker.port, 5, 'props', {
      topic: 'will/props',
      payload: '{"state":"offline"}',
      qos: 1,
      retain: false,
      properties: [
        [0x01, 1],
        [0x02, 3600],
        [0x03, 'application/json'],
        [0x08, 'reply/here'],
        [0x09, correlation],
        [0x26, ['b', '2']],
        [0x26, ['a', '1']],
        [0x26, ['b', '3']],
      ],
    });
    client.destroy();
    const publish = parsePublish(await watch.expectFrame({ type: 3 }), 5);
    expect(publish.payload.toString()).toBe('{"state":"offline"}');
    expect(propertyValues(publish.properties, 0x01)).toEqual([1]);
    expect(propertyValues(publish.properties, 0x03)).toEqual(['application/json']);
    expect(propertyValues(publish.properties, 0x08)).toEqual(['reply/here']);
    expect(propertyValues(publish.properties, 0x09)).toEqual([correlation]);
    expect(propertyValues(publish.properties, 0x26)).toEqual([
      ['b', '2'],
      ['a', '1'],
      ['b', '3'],
    ]);
    // Message Expiry counts down from publication; it is never more than the will asked for.
    const expiry = propertyValues(publish.properties, 0x02);
    expect(expiry).toHaveLength(1);
    expect(expiry[0]).toBeGreaterThan(3590);
    expect(expiry[0]).toBeLessThanOrEqual(3600);
    // Will Delay Interval is a will property only; it is not forwarded.
    expect(propertyValues(publish.properties, 0x18)).toEqual([]);
  });

  it('MQTT.js: a v5 will with properties arrives as sent', async () => {
    await using broker = await startBroker();
    const watch = await mqttConnect(broker.url, { protocolVersion: 5, clientId: 'js-watch' });
    await watch.subscribeAsync('js-will/#', { qos: 1 });
    const dying = await mqttConnect(broker.url, {
      protocolVersion: 5,
      clientId: 'js-dying',
      will: {
        topic: 'js-will/status',
        payload: Buffer.from('offline'),
        qos: 1,
        retain: false,
        properties: { contentType: 'text/plain', userProperties: { k: 'v' }, responseTopic: 'js-will/reply' },
      },
    });
    const arrived = nextMessage(watch);
    dying.end(true);
    const { topic, payload, packet } = await arrived;
    expect([topic, payload.toString(), packet.qos]).toEqual(['js-will/status', 'offline', 1]);
    expect(packet.properties?.contentType).toBe('text/plain');
    expect(packet.properties?.userProperties).toEqual({ k: 'v' });
    expect(packet.properties?.responseTopic).toBe('js-will/reply');
    await watch.endAsync();
  });
});

describe('Will Delay Interval (5.0)', () => {
  const delayed = (topic: string, seconds: number): RawWill => ({
    topic,
    payload: 'late',
    qos: 0,
    retain: false,
    properties: [[0x18, seconds]],
  });

  it('[MQTT-3.1.3-9] the will is published after the delay, not before', async () => {
    await using broker = await startBroker();
    await using watch = await watcher(broker.port, 5, 'will/#');
    const client = await withWill(broker.port, 5, 'delay1', delayed('will/delay1', 1), {
      properties: [[0x11, 60]],
    });
    const dropped = Date.now();
    client.destroy();
    await watch.expectNoFrame(600);
    const publish = parsePublish(await watch.expectFrame({ type: 3, timeoutMs: 5000 }), 5);
    const elapsed = Date.now() - dropped;
    expect(publish.topic).toBe('will/delay1');
    expect(elapsed).toBeGreaterThanOrEqual(800);
    expect(elapsed).toBeLessThan(3000);
  });

  it('[MQTT-3.1.3-9] the will is not published when the client reconnects before the delay', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    await using watch = await watcher(broker.port, 5, 'will/#');
    const client = await withWill(broker.port, 5, 'back', delayed('will/back', 1), {
      properties: [[0x11, 60]],
    });
    client.destroy();
    await events.next('disconnected', (e) => e.client.id === 'back');
    const again = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'back',
      clean: false,
      properties: [[0x11, 60]],
    });
    await using _ = again.client;
    expect(again.connack.sessionPresent).toBe(true);
    await watch.expectNoFrame(1800);
  });

  it('[MQTT-3.1.3-9] a takeover with Clean Start 0 before the delay cancels the will', async () => {
    await using broker = await startBroker();
    await using watch = await watcher(broker.port, 5, 'will/#');
    await using old = await withWill(broker.port, 5, 'swap', delayed('will/swap', 1), {
      properties: [[0x11, 60]],
    });
    const fresh = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'swap',
      clean: false,
      properties: [[0x11, 60]],
    });
    await using _ = fresh.client;
    await old.expectFrame({ type: 14 });
    await watch.expectNoFrame(1800);
  });

  it('[MQTT-3.1.2-8] the will is published when the session ends before the delay (Session Expiry 1 s, delay 30 s)', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    await using watch = await watcher(broker.port, 5, 'will/#');
    const client = await withWill(broker.port, 5, 'short-session', delayed('will/short-session', 30), {
      properties: [[0x11, 1]],
    });
    const dropped = Date.now();
    client.destroy();
    const publish = parsePublish(await watch.expectFrame({ type: 3, timeoutMs: 5000 }), 5);
    const elapsed = Date.now() - dropped;
    expect(publish.topic).toBe('will/short-session');
    expect(elapsed).toBeGreaterThanOrEqual(700);
    expect(elapsed).toBeLessThan(3000);
    await events.next('sessionExpired', (e) => e.clientId === 'short-session');
  });

  it('[MQTT-3.1.2-8] with Session Expiry 0 the session ends with the connection, so a delayed will goes out at once', async () => {
    await using broker = await startBroker();
    await using watch = await watcher(broker.port, 5, 'will/#');
    const client = await withWill(broker.port, 5, 'no-session', delayed('will/no-session', 30));
    const dropped = Date.now();
    client.destroy();
    expect(parsePublish(await watch.expectFrame({ type: 3 }), 5).topic).toBe('will/no-session');
    expect(Date.now() - dropped).toBeLessThan(1000);
  });

  it('[MQTT-3.1.2-8] a takeover with Clean Start 1 ends the old session: its delayed will goes out at once', async () => {
    await using broker = await startBroker();
    await using watch = await watcher(broker.port, 5, 'will/#');
    await using old = await withWill(broker.port, 5, 'reset-session', delayed('will/reset-session', 30), {
      properties: [[0x11, 60]],
    });
    const fresh = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'reset-session',
      clean: true,
    });
    await using _ = fresh.client;
    expect(parsePublish(await watch.expectFrame({ type: 3, timeoutMs: 2000 }), 5).topic).toBe(
      'will/reset-session',
    );
    await old.expectClose();
  });

  it('DISCONNECT 0x04 with a Will Delay publishes after the delay', async () => {
    await using broker = await startBroker();
    await using watch = await watcher(broker.port, 5, 'will/#');
    await using client = await withWill(broker.port, 5, 'polite-late', delayed('will/polite-late', 1), {
      properties: [[0x11, 60]],
    });
    await client.send(rawDisconnect(5, 0x04));
    await watch.expectNoFrame(600);
    expect(parsePublish(await watch.expectFrame({ type: 3, timeoutMs: 5000 }), 5).topic).toBe(
      'will/polite-late',
    );
  });
});

describe('MQTT.js wills end to end', () => {
  for (const protocolVersion of [3, 4, 5] as const) {
    it(`v${protocolVersion}: a killed client's will reaches a subscriber; a clean end sends none`, async () => {
      await using broker = await startBroker();
      const watch = await mqttConnect(broker.url, { protocolVersion, clientId: `js-w-${protocolVersion}` });
      await watch.subscribeAsync('status/#', { qos: 1 });
      const will = {
        topic: `status/${protocolVersion}`,
        payload: Buffer.from('dead'),
        qos: 1 as const,
        retain: false,
      };
      const polite = await mqttConnect(broker.url, {
        protocolVersion,
        clientId: `js-p-${protocolVersion}`,
        will,
      });
      await polite.endAsync();
      await noMessage(watch, 300);
      const killed = await mqttConnect(broker.url, {
        protocolVersion,
        clientId: `js-k-${protocolVersion}`,
        will,
      });
      const arrived = nextMessage(watch);
      killed.end(true);
      const { topic, payload } = await arrived;
      expect([topic, payload.toString()]).toEqual([`status/${protocolVersion}`, 'dead']);
      await watch.endAsync();
    });
  }
});

// A will rides on the connection, not on a 3.1.1 QoS 0 publish that came before it.
it('a will is not confused with the client’s last PUBLISH', async () => {
  await using broker = await startBroker();
  await using watch = await watcher(broker.port, 4, 'mix/#');
  const client = await withWill(broker.port, 4, 'mixer', simpleWill('mix/will', 'w'));
  await client.send(rawPublish({ topic: 'mix/msg', payload: 'm' }, 4));
  expect(parsePublish(await watch.expectFrame({ type: 3 }), 4).topic).toBe('mix/msg');
  client.destroy();
  expect(parsePublish(await watch.expectFrame({ type: 3 }), 4).topic).toBe('mix/will');
});
