/**
 * MQTT over WebSocket: the Node transport (`ws` package) and the browser transport (the WHATWG
 * WebSocket API, played here by the `ws` package's class on `globalThis`), against the mqttkit broker
 * behind a `ws` server that pipes each socket into `broker.handleConnection`.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebSocketStream, WebSocket, WebSocketServer } from 'ws';
import { connect as connectBrowser } from '../src/browser.js';
import type { MqttClient } from '../src/client.js';
import { connect } from '../src/index.js';
import { type BrokerFixture, startBroker, text, waitFor } from './fixtures.js';

let fixture: BrokerFixture | undefined;
let clients: MqttClient[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  await Promise.all(clients.map((c) => c.end({ force: true })));
  clients = [];
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await fixture?.close();
  fixture = undefined;
});

async function roundTrip(pub: MqttClient, sub: MqttClient, prefix: string): Promise<void> {
  await sub.subscribe(`${prefix}/#`, { qos: 2 });
  const got: string[] = [];
  sub.on('message', (m) => got.push(`${m.topic}=${text(m.payload)}@${m.qos}`));
  await pub.publish(`${prefix}/0`, 'a');
  await pub.publish(`${prefix}/1`, 'b', { qos: 1 });
  await pub.publish(`${prefix}/2`, 'c', { qos: 2 });
  await waitFor(() => got.length === 3, 'three messages over WebSocket');
  expect(got).toEqual([`${prefix}/0=a@0`, `${prefix}/1=b@1`, `${prefix}/2=c@2`]);
}

describe.each([4, 5] as const)('WebSocket, protocol level %i', (protocolVersion) => {
  it('round-trips every QoS through the Node transport', async () => {
    fixture = await startBroker();
    const sub = await connect(fixture.wsUrl, { protocolVersion });
    const pub = await connect(fixture.wsUrl, { protocolVersion });
    clients.push(sub, pub);
    await roundTrip(pub, sub, `ws${protocolVersion}`);
  });

  it('round-trips every QoS through the browser transport (global WebSocket)', async () => {
    fixture = await startBroker();
    const globals = globalThis as { WebSocket?: unknown };
    const previous = globals.WebSocket;
    globals.WebSocket = WebSocket;
    cleanups.push(() => {
      globals.WebSocket = previous;
    });
    const sub = await connectBrowser(fixture.wsUrl, { protocolVersion });
    const pub = await connectBrowser(fixture.wsUrl, { protocolVersion });
    clients.push(sub, pub);
    await roundTrip(pub, sub, `browser${protocolVersion}`);
  });
});

describe('WebSocket details', () => {
  it('asks for subprotocol mqtt, uses the path and sends the headers', async () => {
    fixture = await startBroker();
    const broker = fixture.broker;
    const seen: IncomingMessage[] = [];
    const http = createServer();
    const wss = new WebSocketServer({
      server: http,
      handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
    });
    wss.on('connection', (ws, request) => {
      seen.push(request);
      broker.handleConnection(createWebSocketStream(ws), { listenerId: 'ws-details', remoteAddress: 'ws' });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          wss.close();
          http.close(() => resolve());
          http.closeAllConnections();
        }),
    );
    const { port } = http.address() as AddressInfo;
    const client = await connect(`ws://127.0.0.1:${port}`, {
      ws: { path: '/custom', headers: { 'x-token': 'abc' } },
    });
    clients.push(client);
    expect(seen[0]?.url).toBe('/custom');
    expect(seen[0]?.headers['sec-websocket-protocol']).toBe('mqtt');
    expect(seen[0]?.headers['x-token']).toBe('abc');
  });

  it('refuses non-WebSocket URLs in the browser entry', async () => {
    await expect(connectBrowser('mqtt://127.0.0.1:1883')).rejects.toThrow(
      /browsers can only use ws:\/\/ and wss:\/\//,
    );
  });
});
