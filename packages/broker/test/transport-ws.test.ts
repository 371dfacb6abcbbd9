import { createServer, get as httpGet, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createTestPki,
  FrameReader,
  parseAck,
  parseConnack,
  parsePublish,
  parseSuback,
  type RawFrame,
  rawConnect,
  rawPingreq,
  rawPublish,
  rawSubscribe,
  type TestPki,
} from '@mqttkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Broker, type ClientInfo, type DisconnectCause } from '../src/index.js';
import {
  attachWebSocket,
  createWebSocketListener,
  type WebSocketListenerOptions,
} from '../src/transports/ws.js';
import { capturingLogger, connectMqttOverWebSocket, waitFor, within } from './transport-helpers.js';

let pki: TestPki;
let broker: Broker;
let wsPort: number;
const logger = capturingLogger();
const connected = new Map<string, ClientInfo>();
const disconnected = new Map<string, DisconnectCause>();

async function listen(options: WebSocketListenerOptions = {}): Promise<number> {
  return (await createWebSocketListener(broker, { port: 0, host: '127.0.0.1', ...options }).listen()).port;
}

/** A raw WebSocket client that reads MQTT frames out of whatever messages arrive. */
class RawWs {
  readonly frames: RawFrame[] = [];
  /** Kinds of the messages received: true for binary. */
  readonly binary: boolean[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #reader = new FrameReader();
  #taken = 0;

  readonly ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      this.binary.push(isBinary);
      this.frames.push(...this.#reader.push(data as Buffer));
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  static open(url: string, protocols: string | string[] = 'mqtt', options: WebSocket.ClientOptions = {}) {
    return new Promise<RawWs>((resolve, reject) => {
      const ws = new WebSocket(url, protocols, { ...options, handshakeTimeout: 5000 });
      ws.on('error', (error) => reject(error));
      ws.once('unexpected-response', (_req, res) => {
        reject(new Error(`HTTP ${res.statusCode}`));
        ws.terminate();
      });
      ws.once('open', () => resolve(new RawWs(ws)));
    });
  }

  send(bytes: Uint8Array | string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.ws.send(bytes, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** The next frame not yet taken; it must have type `type`. */
  async next(type: number, timeoutMs = 5000): Promise<RawFrame> {
    await waitFor(() => this.frames.length > this.#taken, `a frame of type ${type}`, timeoutMs);
    const frame = this.frames[this.#taken++]!;
    expect(frame.type, `frame ${this.#taken} type`).toBe(type);
    return frame;
  }

  close(): Promise<unknown> {
    this.ws.close();
    const timer = setTimeout(() => this.ws.terminate(), 1000);
    return this.closed.finally(() => clearTimeout(timer));
  }
}

/** The HTTP status an upgrade request gets: 101 when the WebSocket opens. */
function upgradeStatus(url: string, protocols?: string | string[]): Promise<number> {
  return within(
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(url, protocols ?? [], { handshakeTimeout: 5000 });
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        ws.terminate();
      });
      ws.once('open', () => {
        resolve(101);
        ws.terminate();
      });
      ws.once('error', reject);
    }),
    6000,
    `upgrade of ${url}`,
  );
}

function httpStatus(url: string): Promise<number> {
  return within(
    new Promise<number>((resolve, reject) => {
      httpGet(url, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    }),
    5000,
    `GET ${url}`,
  );
}

/** QoS 0, 1 and 2 from one MQTT.js client to another over WebSocket. */
async function roundTrip(
  url: string,
  protocolVersion: 3 | 4 | 5,
  tag: string,
  wsOptions: WebSocket.ClientOptions = {},
) {
  const options = { protocolVersion, protocolId: protocolVersion === 3 ? 'MQIsdp' : 'MQTT' } as const;
  const sub = await connectMqttOverWebSocket(url, { ...options, clientId: `${tag}-sub` }, wsOptions);
  const pub = await connectMqttOverWebSocket(url, { ...options, clientId: `${tag}-pub` }, wsOptions);
  try {
    await sub.subscribeAsync(`${tag}/#`, { qos: 2 });
    const got: string[] = [];
    const done = new Promise<void>((resolve) => {
      sub.on('message', (topic, payload, packet) => {
        got.push(`${topic}=${payload.toString()}@${packet.qos}`);
        if (got.length === 3) resolve();
      });
    });
    await pub.publishAsync(`${tag}/a`, 'zero', { qos: 0 });
    await pub.publishAsync(`${tag}/b`, 'one', { qos: 1 });
    await pub.publishAsync(`${tag}/c`, 'two', { qos: 2 });
    await within(done, 5000, `${tag} messages`);
    expect(got.sort()).toEqual([`${tag}/a=zero@0`, `${tag}/b=one@1`, `${tag}/c=two@2`]);
  } finally {
    await sub.endAsync();
    await pub.endAsync();
  }
}

beforeAll(async () => {
  pki = await createTestPki();
  broker = new Broker({
    logger,
    limits: { maximumPacketSize: 64 * 1024 },
    hooks: [
      {
        id: 'record',
        onConnected: ({ client }) => {
          connected.set(client.id, client);
        },
        onDisconnected: ({ client, cause }) => {
          disconnected.set(client.id, cause);
        },
      },
    ],
  });
  await broker.start();
  wsPort = await listen();
});

afterAll(async () => {
  // The temp certificates go even if the broker fails to close in time.
  try {
    if (broker !== undefined) await within(broker.close(), 10_000, 'broker.close');
  } finally {
    await pki?.remove();
  }
});

describe('WebSocket listener (ws)', () => {
  for (const protocolVersion of [3, 4, 5] as const) {
    it(`round-trips QoS 0/1/2 with MQTT.js v${protocolVersion} over ws://…/mqtt`, async () => {
      await roundTrip(`ws://127.0.0.1:${wsPort}/mqtt`, protocolVersion, `ws${protocolVersion}`);
      const client = connected.get(`ws${protocolVersion}-pub`);
      expect(client?.listenerId).toBe(`ws:${wsPort}`);
      expect(client?.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
      // MQTT.js offers `mqttv3.1` for MQTT 3.1 and `mqtt` otherwise; the broker answers with it.
      expect(client?.transport).toMatchObject({
        websocket: true,
        secure: false,
        path: '/mqtt',
        subprotocol: protocolVersion === 3 ? 'mqttv3.1' : 'mqtt',
      });
    });
  }

  it('[MQTT-6.0.0-2] reads a CONNECT split across three messages, and several packets from one message', async () => {
    const client = await RawWs.open(`ws://127.0.0.1:${wsPort}/mqtt`);
    try {
      const connect = rawConnect({ protocolVersion: 4, clientId: 'raw-split', keepAlive: 30 });
      await client.send(connect.subarray(0, 1));
      await client.send(connect.subarray(1, 9));
      await client.send(connect.subarray(9));
      expect(parseConnack(await client.next(2), 4).code).toBe(0);

      // SUBSCRIBE and a QoS 1 PUBLISH to the same topic in one message.
      await client.send(
        Buffer.concat([
          rawSubscribe(1, [{ filter: 'raw/t', qos: 1 }], 4),
          rawPublish({ topic: 'raw/t', qos: 1, packetId: 2, payload: 'both' }, 4),
        ]),
      );
      // SUBACK, PUBACK and the delivered PUBLISH; the last two may come in either order.
      await waitFor(() => client.frames.length >= 4, 'SUBACK, PUBACK and PUBLISH');
      const [, suback, ...rest] = client.frames;
      expect(suback && parseSuback(suback, 4)).toMatchObject({ packetId: 1, codes: [1] });
      const puback = rest.find((f) => f.type === 4);
      const publish = rest.find((f) => f.type === 3);
      expect(puback && parseAck(puback, 4).packetId).toBe(2);
      expect(publish && parsePublish(publish, 4)).toMatchObject({ topic: 'raw/t', qos: 1 });
      expect(publish && Buffer.from(parsePublish(publish, 4).payload).toString()).toBe('both');

      // Frames straddling message boundaries: PINGREQ + PUBLISH + PINGREQ cut at odd offsets.
      const stream = Buffer.concat([
        rawPingreq(),
        rawPublish({ topic: 'raw/q0', payload: 'x' }, 4),
        rawPingreq(),
      ]);
      await client.send(stream.subarray(0, 5));
      await client.send(stream.subarray(5, 8));
      await client.send(stream.subarray(8));
      await waitFor(() => client.frames.filter((f) => f.type === 13).length === 2, 'two PINGRESPs');
      // Every message from the broker was binary [MQTT-6.0.0-1].
      expect(client.binary.every(Boolean)).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('[MQTT-6.0.0-1] closes the connection when a text frame arrives', async () => {
    const client = await RawWs.open(`ws://127.0.0.1:${wsPort}/mqtt`);
    await client.send(rawConnect({ protocolVersion: 5, clientId: 'raw-text' }));
    expect(parseConnack(await client.next(2), 5).code).toBe(0);
    await client.send('this is text');
    const { code } = await within(client.closed, 3000, 'close after a text frame');
    expect(code).toBe(1003);
    await waitFor(() => disconnected.has('raw-text'), 'broker noticing the close');
    // Control: a binary frame on a fresh connection does not close it.
    const control = await RawWs.open(`ws://127.0.0.1:${wsPort}/mqtt`);
    await control.send(rawConnect({ protocolVersion: 5, clientId: 'raw-binary' }));
    expect(parseConnack(await control.next(2), 5).code).toBe(0);
    await control.send(rawPingreq());
    await control.next(13);
    await control.close();
  });

  it('answers other paths with 404, plain HTTP on the MQTT path with 426', async () => {
    expect(await upgradeStatus(`ws://127.0.0.1:${wsPort}/other`, 'mqtt')).toBe(404);
    expect(await upgradeStatus(`ws://127.0.0.1:${wsPort}/mqtt?x=1`, 'mqtt')).toBe(101);
    expect(await httpStatus(`http://127.0.0.1:${wsPort}/`)).toBe(404);
    expect(await httpStatus(`http://127.0.0.1:${wsPort}/mqtt`)).toBe(426);
  });

  it('[MQTT-6.0.0-3] refuses a handshake that does not offer the mqtt subprotocol', async () => {
    expect(await upgradeStatus(`ws://127.0.0.1:${wsPort}/mqtt`)).toBe(400);
    expect(await upgradeStatus(`ws://127.0.0.1:${wsPort}/mqtt`, 'chat')).toBe(400);
    // [MQTT-6.0.0-4] the server selects `mqtt` when the client offers it among others.
    const client = await RawWs.open(`ws://127.0.0.1:${wsPort}/mqtt`, ['chat', 'mqtt']);
    expect(client.ws.protocol).toBe('mqtt');
    await client.close();
    // Lenient listeners accept clients that offer none.
    const lenient = await listen({ allowMissingSubprotocol: true });
    expect(await upgradeStatus(`ws://127.0.0.1:${lenient}/mqtt`)).toBe(101);
    expect(await upgradeStatus(`ws://127.0.0.1:${lenient}/mqtt`, 'chat')).toBe(400);
  });

  it('closes with 1009 when a message exceeds maxPayload', async () => {
    const port = await listen({ maxPayload: 1024 });
    const client = await RawWs.open(`ws://127.0.0.1:${port}/mqtt`);
    await client.send(rawConnect({ protocolVersion: 4, clientId: 'big' }));
    expect(parseConnack(await client.next(2), 4).code).toBe(0);
    await client.send(rawPublish({ topic: 'big', payload: Buffer.alloc(900) }, 4));
    await client.send(rawPingreq());
    await client.next(13);
    await client.send(rawPublish({ topic: 'big', payload: Buffer.alloc(2000) }, 4));
    expect((await within(client.closed, 3000, 'close after a large message')).code).toBe(1009);
    await waitFor(() => disconnected.has('big'), 'broker noticing the close');
    expect(broker.isRunning).toBe(true);
  });

  it('takes the client address from X-Forwarded-For only when the proxy is trusted', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' };
    const trusted = await listen({ trustProxy: true });
    const a = await RawWs.open(`ws://127.0.0.1:${trusted}/mqtt`, 'mqtt', { headers });
    await a.send(rawConnect({ protocolVersion: 4, clientId: 'xff-trusted' }));
    await a.next(2);
    await a.close();
    expect(connected.get('xff-trusted')?.remoteAddress).toBe('198.51.100.7:0');
    expect(connected.get('xff-trusted')?.transport.proxyAddress).toMatch(/^127\.0\.0\.1:\d+$/);

    const twoHops = await listen({ trustProxy: 2 });
    const b = await RawWs.open(`ws://127.0.0.1:${twoHops}/mqtt`, 'mqtt', { headers });
    await b.send(rawConnect({ protocolVersion: 4, clientId: 'xff-two' }));
    await b.next(2);
    await b.close();
    expect(connected.get('xff-two')?.remoteAddress).toBe('203.0.113.9:0');

    const c = await RawWs.open(`ws://127.0.0.1:${wsPort}/mqtt`, 'mqtt', { headers });
    await c.send(rawConnect({ protocolVersion: 4, clientId: 'xff-untrusted' }));
    await c.next(2);
    await c.close();
    expect(connected.get('xff-untrusted')?.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(connected.get('xff-untrusted')?.transport.proxyAddress).toBeUndefined();
  });
});

describe('secure WebSocket (wss)', () => {
  it('round-trips with MQTT.js over wss://127.0.0.1/mqtt with the generated CA', async () => {
    const port = await listen({ tls: { key: pki.server.key, cert: pki.server.cert } });
    await roundTrip(`wss://127.0.0.1:${port}/mqtt`, 5, 'wss5', { ca: pki.ca.cert });
    expect(connected.get('wss5-pub')?.listenerId).toBe(`wss:${port}`);
    expect(connected.get('wss5-pub')?.transport).toMatchObject({
      websocket: true,
      secure: true,
      tls: true,
      subprotocol: 'mqtt',
    });
  });

  it('with client certificates, exposes the certificate and refuses untrusted ones', async () => {
    const port = await listen({
      tls: {
        key: pki.server.key,
        cert: pki.server.cert,
        ca: pki.ca.cert,
        requestCert: true,
        rejectUnauthorized: false,
        usernameFromCertificate: 'cn',
      },
    });
    const url = `wss://127.0.0.1:${port}/mqtt`;
    const ok = await RawWs.open(url, 'mqtt', { ca: pki.ca.cert, key: pki.client.key, cert: pki.client.cert });
    await ok.send(rawConnect({ protocolVersion: 4, clientId: 'wss-cert' }));
    await ok.next(2);
    await ok.close();
    expect(connected.get('wss-cert')?.transport).toMatchObject({
      authorized: true,
      username: 'device-1',
      certificate: { commonName: 'device-1' },
    });
    await expect(
      RawWs.open(url, 'mqtt', { ca: pki.ca.cert, key: pki.otherClient.key, cert: pki.otherClient.cert }),
    ).rejects.toThrow('HTTP 403');
    await expect(RawWs.open(url, 'mqtt', { ca: pki.ca.cert })).rejects.toThrow('HTTP 403');
  });
});

describe('attachWebSocket', () => {
  it('serves MQTT on an existing HTTP server without taking its other requests', async () => {
    const server: Server = createServer((req, res) => {
      res.writeHead(req.url === '/health' ? 200 : 418).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const listener = attachWebSocket(broker, server, { path: '/ws/mqtt' });
      expect(await listener.listen()).toEqual({ host: '127.0.0.1', port });
      expect(listener.id).toBe(`ws:${port}`);
      await roundTrip(`ws://127.0.0.1:${port}/ws/mqtt`, 4, 'attached');
      expect(connected.get('attached-pub')?.listenerId).toBe(`ws:${port}`);
      expect(await httpStatus(`http://127.0.0.1:${port}/health`)).toBe(200);
      expect(await upgradeStatus(`ws://127.0.0.1:${port}/mqtt`, 'mqtt')).toBe(404);
      await listener.close();
      // Detached: the path is no longer served (and no other upgrade handler answers 101).
      expect(await upgradeStatus(`ws://127.0.0.1:${port}/ws/mqtt`, 'mqtt').catch(() => 0)).not.toBe(101);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
