/**
 * The client against Debian's Mosquitto, the C reference broker: every QoS in 3.1, 3.1.1 and 5.0,
 * a stop and restart on the same port with a persistent session (no QoS 1/2 message lost),
 * resubscribe after a restart without persistence, the v5 features, and WebSocket. (Mosquitto 2.0.11
 * sends no DISCONNECT on shutdown or session takeover, so server DISCONNECTs are tested against the
 * mqttkit broker and the FakeBroker.)
 * Skipped, visibly, when mosquitto is not installed and CI is unset; CI must have it.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, type MosquittoBroker, missingMosquittoTools, startMosquitto } from '@mqttkit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { MqttClient } from '../src/client.js';
import { type ConnectOptions, connect } from '../src/index.js';
import { nextEvent, text, waitFor } from './fixtures.js';

const missing = missingMosquittoTools();
if (missing.length > 0 && process.env.CI) {
  throw new Error(`CI is set but the mosquitto tools are missing: ${missing.join(', ')}`);
}
const title = missing.length === 0 ? 'Mosquitto' : `Mosquitto (skipped: ${missing.join(', ')} not installed)`;

const FAST_RECONNECT = { initialDelayMs: 50, maxDelayMs: 200, jitter: 'none' } as const;

let brokers: MosquittoBroker[] = [];
let clients: MqttClient[] = [];
let dirs: string[] = [];

afterEach(async () => {
  await Promise.all(clients.map((c) => c.end({ force: true })));
  await Promise.all(brokers.map((b) => b.stop()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  clients = [];
  brokers = [];
  dirs = [];
});

async function mosquitto(options: Parameters<typeof startMosquitto>[0] = {}): Promise<MosquittoBroker> {
  const broker = await startMosquitto(options);
  brokers.push(broker);
  return broker;
}

async function client(port: number, options: ConnectOptions = {}): Promise<MqttClient> {
  const c = await connect(`mqtt://127.0.0.1:${port}`, { reconnect: FAST_RECONNECT, ...options });
  clients.push(c);
  return c;
}

describe.skipIf(missing.length > 0)(title, () => {
  describe.each([3, 4, 5] as const)('protocol level %i', (protocolVersion) => {
    it('round-trips QoS 0, 1 and 2', async () => {
      const m = await mosquitto();
      const sub = await client(m.port, { protocolVersion });
      const pub = await client(m.port, { protocolVersion });
      expect((await sub.subscribe('m/#', { qos: 2 })).granted).toEqual([
        { topicFilter: 'm/#', reasonCode: 2 },
      ]);
      const got: string[] = [];
      sub.on('message', (msg) => got.push(`${msg.topic}=${text(msg.payload)}@${msg.qos}`));
      await pub.publish('m/0', 'a');
      await pub.publish('m/1', 'b', { qos: 1 });
      await pub.publish('m/2', 'c', { qos: 2 });
      await waitFor(() => got.length === 3, 'three messages from mosquitto');
      expect(got).toEqual(['m/0=a@0', 'm/1=b@1', 'm/2=c@2']);
    });

    it('loses no QoS 1/2 message across a stop and restart on the same port (persistent session)', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'mqttkit-client-mosquitto-'));
      dirs.push(dir);
      // Started as root, mosquitto drops to its own user: it must be able to write its database here.
      await chmod(dir, 0o777);
      // With its default in-flight window of 20, mosquitto 2.0.11 never delivers QoS 1 messages queued
      // beyond the window to a 3.x persistent subscriber after a restart (the same with MQTT.js as the
      // subscriber): a wider window keeps this test about the client.
      const config = [
        'persistence true',
        `persistence_location ${dir}/`,
        'max_queued_messages 10000',
        'max_inflight_messages 1000',
      ];
      const first = await mosquitto({ config });
      const persistent = {
        clean: false,
        ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 600 } } : {}),
      };
      const sub = await client(first.port, {
        protocolVersion,
        clientId: `keep-sub-${protocolVersion}`,
        ...persistent,
      });
      await sub.subscribe('keep/#', { qos: 2 });
      const pub = await client(first.port, {
        protocolVersion,
        clientId: `keep-pub-${protocolVersion}`,
        ...persistent,
      });
      const received = new Set<string>();
      sub.on('message', (msg) => received.add(text(msg.payload)));
      const sent: Promise<unknown>[] = [];
      for (let i = 0; i < 100; i++) sent.push(pub.publish('keep/a', `m${i}`, { qos: i % 2 === 0 ? 1 : 2 }));
      const offline = nextEvent(pub, 'offline');
      await first.stop();
      await offline;
      for (let i = 100; i < 200; i++) sent.push(pub.publish('keep/b', `m${i}`, { qos: i % 2 === 0 ? 1 : 2 }));
      const second = await mosquitto({ port: first.port, config });
      expect(second.port).toBe(first.port);
      await Promise.all(sent);
      await waitFor(() => received.size === 200, `all 200 messages (got ${received.size})`, 15_000);
    });
  });

  it('subscribes again after a restart without persistence', async () => {
    const first = await mosquitto();
    const c = await client(first.port, { protocolVersion: 4 });
    await c.subscribe('back/#', { qos: 1 });
    const offline = nextEvent(c, 'offline');
    await first.stop();
    await offline;
    const queued = c.publish('back/x', 'hello again', { qos: 1 });
    const message = nextEvent(c, 'message', 10_000);
    await mosquitto({ port: first.port });
    await queued;
    expect(text((await message)[0].payload)).toBe('hello again');
  });

  describe('MQTT 5.0', () => {
    it('carries user properties in order and answers request() (mosquitto gives no Response Information)', async () => {
      const m = await mosquitto();
      const responder = await client(m.port);
      await responder.subscribe('svc/+', { qos: 1 });
      responder.on('message', (msg) => {
        const { responseTopic, correlationData, userProperties } = msg.properties ?? {};
        if (responseTopic === undefined) return;
        responder
          .publish(responseTopic, JSON.stringify(userProperties), {
            qos: 1,
            properties: {
              ...(correlationData === undefined ? {} : { correlationData }),
              ...(userProperties === undefined ? {} : { userProperties }),
            },
          })
          // The test may end the responder while this acknowledgement is in flight.
          .catch(() => undefined);
      });
      const requester = await client(m.port);
      const userProperties = [
        ['b', '1'],
        ['a', '2'],
        ['b', '3'],
      ] as const;
      const response = await requester.request('svc/props', '', {
        timeoutMs: 5000,
        properties: { userProperties },
      });
      expect(response.topic).toBe(`mqttkit/response/${requester.clientId}`);
      expect(response.properties?.userProperties).toEqual(userProperties);
      expect(JSON.parse(text(response.payload))).toEqual(userProperties);
    });

    it('publishes through topic aliases within the Topic Alias Maximum mosquitto announces', async () => {
      const m = await mosquitto();
      const sub = await client(m.port);
      const pub = await client(m.port);
      expect(pub.serverLimits?.topicAliasMaximum).toBeGreaterThan(0);
      await sub.subscribe('al/#');
      const topics: string[] = [];
      sub.on('message', (msg) => topics.push(msg.topic));
      const sequence = Array.from({ length: 30 }, (_, i) => `al/${i % 13}`);
      for (const topic of sequence) await pub.publish(topic, 'x', { qos: 1 });
      await waitFor(() => topics.length === sequence.length, 'every aliased message');
      expect(topics).toEqual(sequence);
    });
  });

  it('round-trips over WebSocket (mosquitto websockets listener)', async () => {
    const wsPort = await findFreePort();
    const m = await mosquitto({ config: [`listener ${wsPort} 127.0.0.1`, 'protocol websockets'] });
    const sub = await connect(`ws://127.0.0.1:${wsPort}`);
    clients.push(sub);
    const pub = await client(m.port);
    await sub.subscribe('ws/#', { qos: 1 });
    const message = nextEvent(sub, 'message');
    await pub.publish('ws/x', 'over websocket', { qos: 1 });
    expect(text((await message)[0].payload)).toBe('over websocket');
  });
});
