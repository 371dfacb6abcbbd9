import { connect as netConnect } from 'node:net';
import {
  createTestPki,
  parseConnack,
  parseSuback,
  RawClient,
  rawConnect,
  rawPublish,
  rawSubscribe,
  type TestPki,
} from '@mqttkit/testkit';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker, type ClientInfo } from '../src/index.js';
import type { Listener } from '../src/transports/listener.js';
import { createTcpListener } from '../src/transports/tcp.js';
import { createTlsListener } from '../src/transports/tls.js';
import { createWebSocketListener } from '../src/transports/ws.js';
import { connectMqttOverWebSocket, waitFor, within } from './transport-helpers.js';

let pki: TestPki;
let broker: Broker;
let listeners: Record<'tcp' | 'tls' | 'ws' | 'wss', { listener: Listener; port: number }>;
const connected = new Map<string, ClientInfo>();
const clients: MqttClient[] = [];

/** Resolves true when a TCP connection to the port is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  pki = await createTestPki();
  broker = new Broker({
    hooks: [
      {
        id: 'record',
        onConnected: ({ client }) => {
          connected.set(client.id, client);
        },
      },
    ],
  });
  await broker.start();
  const host = '127.0.0.1';
  const tls = { key: pki.server.key, cert: pki.server.cert };
  const made = {
    tcp: createTcpListener(broker, { port: 0, host }),
    tls: createTlsListener(broker, { port: 0, host, ...tls, maximumConnections: 2 }),
    ws: createWebSocketListener(broker, { port: 0, host }),
    wss: createWebSocketListener(broker, { port: 0, host, path: '/secure', tls }),
  };
  const ports = await Promise.all(Object.values(made).map((listener) => listener.listen()));
  listeners = {
    tcp: { listener: made.tcp, port: ports[0]!.port },
    tls: { listener: made.tls, port: ports[1]!.port },
    ws: { listener: made.ws, port: ports[2]!.port },
    wss: { listener: made.wss, port: ports[3]!.port },
  };
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.endAsync(true)));
  // The temp certificates go even if the broker fails to close in time.
  try {
    if (broker !== undefined) await within(broker.close(), 10_000, 'broker.close');
  } finally {
    await pki?.remove();
  }
});

describe('several listeners on one broker', () => {
  it('delivers a message published over TCP to subscribers on TLS, WebSocket and secure WebSocket', async () => {
    const { tcp, tls, ws, wss } = listeners;
    const base = { reconnectPeriod: 0, connectTimeout: 5000 };
    const overTls = await mqtt.connectAsync(`mqtts://127.0.0.1:${tls.port}`, {
      ...base,
      ca: pki.ca.cert,
      clientId: 'multi-tls',
    });
    const overWs = await connectMqttOverWebSocket(`ws://127.0.0.1:${ws.port}/mqtt`, {
      clientId: 'multi-ws',
      protocolVersion: 5,
    });
    const overWss = await connectMqttOverWebSocket(
      `wss://127.0.0.1:${wss.port}/secure`,
      { clientId: 'multi-wss', protocolVersion: 4 },
      { ca: pki.ca.cert },
    );
    const publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${tcp.port}`, {
      ...base,
      clientId: 'multi-tcp',
    });
    clients.push(overTls, overWs, overWss, publisher);

    const received = new Map<string, string>();
    for (const [name, client] of [
      ['tls', overTls],
      ['ws', overWs],
      ['wss', overWss],
    ] as const) {
      await client.subscribeAsync('multi/+', { qos: 1 });
      client.on('message', (topic, payload) => received.set(name, `${topic}=${payload.toString()}`));
    }
    await publisher.publishAsync('multi/x', 'from tcp', { qos: 1 });
    await waitFor(() => received.size === 3, 'the message on all three subscribers');
    expect(Object.fromEntries(received)).toEqual({
      tls: 'multi/x=from tcp',
      ws: 'multi/x=from tcp',
      wss: 'multi/x=from tcp',
    });

    // Each client is attributed to the listener it came through.
    expect(
      ['multi-tcp', 'multi-tls', 'multi-ws', 'multi-wss'].map((id) => connected.get(id)?.listenerId),
    ).toEqual([`tcp:${tcp.port}`, `tls:${tls.port}`, `ws:${ws.port}`, `wss:${wss.port}`]);
    expect([tcp, tls, ws, wss].map(({ listener }) => listener.protocol)).toEqual(['tcp', 'tls', 'ws', 'wss']);
  });

  it('applies each listener its own connection limit', async () => {
    const { tls, tcp } = listeners;
    // `multi-tls` holds one of the TLS listener's two slots; a second client takes the other.
    const second = await mqtt.connectAsync(`mqtts://127.0.0.1:${tls.port}`, {
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ca: pki.ca.cert,
      clientId: 'multi-tls-2',
    });
    clients.push(second);
    await expect(
      within(
        mqtt.connectAsync(`mqtts://127.0.0.1:${tls.port}`, {
          reconnectPeriod: 0,
          connectTimeout: 3000,
          ca: pki.ca.cert,
          clientId: 'multi-tls-3',
        }),
        5000,
        'third TLS client',
      ),
    ).rejects.toThrow();
    // The TCP listener has no limit of its own.
    const more = await mqtt.connectAsync(`mqtt://127.0.0.1:${tcp.port}`, {
      reconnectPeriod: 0,
      clientId: 'multi-tcp-2',
    });
    clients.push(more);
    expect(more.connected).toBe(true);
  });

  it('closes every listener when the broker closes', async () => {
    const ports = Object.values(listeners).map(({ port }) => port);
    expect(await Promise.all(ports.map(accepts))).toEqual([true, true, true, true]);
    await within(broker.close(), 10_000, 'broker.close');
    expect(await Promise.all(ports.map(accepts))).toEqual([false, false, false, false]);
  });
});

describe('per-listener limits', () => {
  it('each listener enforces its own maximumPacketSize and maximumQoS; broker-wide keys are refused', async () => {
    const broker = new Broker();
    await broker.start();
    try {
      const open = await createTcpListener(broker, { port: 0, host: '127.0.0.1', id: 'open' }).listen();
      const strict = await createTcpListener(broker, {
        port: 0,
        host: '127.0.0.1',
        id: 'strict',
        limits: { maximumPacketSize: 64, maximumQoS: 0 },
      }).listen();
      expect(() =>
        createTcpListener(broker, { port: 0, limits: { maximumRetainedMessages: 1 } as never }),
      ).toThrow(/broker-wide/);

      const onStrict = await RawClient.connect(strict.port);
      await onStrict.send(rawConnect({ protocolVersion: 5, clientId: 'strict' }));
      const connack = parseConnack(await onStrict.expectFrame({ type: 2 }), 5);
      // The CONNACK advertises the listener's limits, not the broker's (section 3.2.2.3).
      expect(connack.properties).toContainEqual([0x27, 64]);
      expect(connack.properties).toContainEqual([0x24, 0]);
      await onStrict.send(rawSubscribe(1, [{ filter: 'a', qos: 2 }], 5));
      expect(parseSuback(await onStrict.expectFrame({ type: 9 }), 5).codes).toEqual([0]);
      // A packet above this listener's maximum closes with 0x95; the other listener still takes it.
      await onStrict.send(rawPublish({ topic: 'a', payload: 'x'.repeat(100), qos: 0 }, 5));
      const disconnect = await onStrict.expectFrame({ type: 14 });
      expect(disconnect.body[0]).toBe(0x95);
      await onStrict.expectClose();

      const onOpen = await RawClient.connect(open.port);
      await onOpen.send(rawConnect({ protocolVersion: 5, clientId: 'open' }));
      expect(parseConnack(await onOpen.expectFrame({ type: 2 }), 5).properties).toContainEqual([
        0x27,
        1024 * 1024,
      ]);
      await onOpen.send(rawSubscribe(1, [{ filter: 'a', qos: 2 }], 5));
      expect(parseSuback(await onOpen.expectFrame({ type: 9 }), 5).codes).toEqual([2]);
      await onOpen.send(rawPublish({ topic: 'a', payload: 'x'.repeat(100), qos: 0 }, 5));
      expect((await onOpen.expectFrame({ type: 3 })).body.length).toBeGreaterThan(100);
      onOpen.destroy();
    } finally {
      await broker.close();
    }
  });
});
