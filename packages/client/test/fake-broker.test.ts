/**
 * Scripted faults with testkit's FakeBroker: refusals, silence, a dead connection, server DISCONNECTs,
 * dropped connections, and how the client's promises and events behave around them.
 */
import {
  type AcceptedConnection,
  FakeBroker,
  findFreePort,
  parseConnect,
  parsePublish,
  rawConnack,
  rawDisconnect,
  rawPingresp,
  rawPuback,
} from '@mqttkit/testkit';
import { CONNACK_REASON_CODES } from '@mqttkit/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MqttClient } from '../src/client.js';
import {
  ConnectionClosedError,
  ConnectionRefusedError,
  type ConnectOptions,
  connect,
  NetworkError,
  NotAuthorizedError,
  TimeoutError,
} from '../src/index.js';
import { nextEvent } from './fixtures.js';

const FAST_RECONNECT = { initialDelayMs: 20, maxDelayMs: 50, jitter: 'none' } as const;
const PINGREQ = 12;
const PUBLISH = 3;
const DISCONNECT = 14;

let fake: FakeBroker;
let clients: MqttClient[] = [];

beforeEach(async () => {
  fake = await FakeBroker.start();
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.end({ force: true })));
  clients = [];
  await fake.close();
});

/** Connects a client to the fake broker, answering its CONNACK with `connack`. */
async function accepted(
  options: ConnectOptions = {},
  connack: Parameters<FakeBroker['acceptConnect']>[0] = {},
): Promise<{ client: MqttClient; peer: AcceptedConnection }> {
  const connecting = connect(`mqtt://127.0.0.1:${fake.port}`, { reconnect: FAST_RECONNECT, ...options });
  const peer = await fake.acceptConnect(connack);
  const client = await connecting;
  clients.push(client);
  return { client, peer };
}

describe('CONNACK refusals become typed errors', () => {
  const refusals = CONNACK_REASON_CODES.filter((code) => code >= 0x80);

  it.each(refusals.map((code) => [`0x${code.toString(16)}`, code] as const))(
    'v5 reason code %s',
    async (_, code) => {
      const connecting = connect(`mqtt://127.0.0.1:${fake.port}`, { reconnect: FAST_RECONNECT });
      await fake.acceptConnect({ code, properties: [[0x1f, 'scripted']] });
      const error = await connecting.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(
        code === 0x86 || code === 0x87 ? NotAuthorizedError : ConnectionRefusedError,
      );
      expect(error).toMatchObject({ reasonCode: code, reasonString: 'scripted' });
      expect((error as Error).message).toMatch(
        /^connection refused by the server: .+ \(0x[0-9a-f]{2}\): scripted$/,
      );
      // A refused first connection is not retried.
      await expect(fake.nextConnection(100)).rejects.toThrow(/none came/);
    },
  );

  it.each([1, 2, 3, 4, 5])(
    '3.1.1 return code %i, with the v5 reason code of the same meaning',
    async (code) => {
      const connecting = connect(`mqtt://127.0.0.1:${fake.port}`, { protocolVersion: 4 });
      await fake.acceptConnect({ code });
      const error = await connecting.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(code >= 4 ? NotAuthorizedError : ConnectionRefusedError);
      expect(error).toMatchObject({ returnCode: code, reasonCode: [0, 0x84, 0x85, 0x88, 0x86, 0x87][code] });
    },
  );
});

describe('connection faults', () => {
  it('rejects with TimeoutError when no CONNACK comes', async () => {
    const connecting = connect(`mqtt://127.0.0.1:${fake.port}`, { connectTimeoutMs: 150 });
    const connection = await fake.nextConnection();
    await connection.expectFrame({ type: 1 });
    await expect(connecting).rejects.toMatchObject({
      name: 'TimeoutError',
      operation: 'connect',
      timeoutMs: 150,
    });
    await connection.expectClose(1000);
  });

  it('rejects with NetworkError when nothing listens', async () => {
    const port = await findFreePort();
    await expect(connect(`mqtt://127.0.0.1:${port}`)).rejects.toBeInstanceOf(NetworkError);
  });

  it('pings, keeps a connection that answers, and reconnects when PINGRESP stops', async () => {
    const { client, peer } = await accepted({ keepAlive: 1, pingTimeoutMs: 300 });
    await peer.connection.expectFrame({ type: PINGREQ, timeoutMs: 2000 });
    await peer.connection.send(rawPingresp());
    await peer.connection.expectFrame({ type: PINGREQ, timeoutMs: 2000 });
    expect(peer.connection.isClosed).toBe(false);
    // No answer this time: the client must give up on the connection within pingTimeoutMs.
    const offline = nextEvent(client, 'offline', 3000);
    await peer.connection.expectClose(1500);
    const [error] = await offline;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ operation: 'keepalive', code: 'KEEP_ALIVE_TIMEOUT' });
    const reconnected = nextEvent(client, 'connect');
    await fake.acceptConnect();
    await reconnected;
  });

  it('reconnects with backoff after a dropped connection and re-sends the unacknowledged PUBLISH with DUP', async () => {
    const { client, peer } = await accepted({ protocolVersion: 4, clean: false, clientId: 'resend' });
    const published = client.publish('a/b', 'payload', { qos: 1 });
    const first = parsePublish(await peer.connection.expectFrame({ type: PUBLISH }), 4);
    expect(first.dup).toBe(false);
    const reconnect = nextEvent(client, 'reconnect');
    peer.connection.destroy();
    const [info] = await reconnect;
    expect(info).toMatchObject({ attempt: 1, delayMs: 20 });
    const again = await fake.acceptConnect({ sessionPresent: true });
    expect(again.connect).toMatchObject({ clientId: 'resend', clean: false });
    const resent = parsePublish(await again.connection.expectFrame({ type: PUBLISH }), 4);
    expect(resent).toMatchObject({ topic: 'a/b', packetId: first.packetId, dup: true, qos: 1 });
    await again.connection.send(rawPuback(first.packetId!, 4));
    await expect(published).resolves.toEqual({ reasonCode: 0 });
  });

  it('stops after a server DISCONNECT 0x8E (session taken over) instead of fighting for the session', async () => {
    const { client, peer } = await accepted();
    const pending = client.publish('t', 'x', { qos: 1 });
    await peer.connection.expectFrame({ type: PUBLISH });
    const disconnect = nextEvent(client, 'disconnect');
    const error = nextEvent(client, 'error');
    const closed = nextEvent(client, 'close');
    await peer.connection.send(rawDisconnect(5, 0x8e, [[0x1f, 'another client']]));
    expect((await disconnect)[0]).toMatchObject({
      reasonCode: 0x8e,
      properties: { reasonString: 'another client' },
    });
    const [reason] = await error;
    expect(reason).toBeInstanceOf(ConnectionClosedError);
    expect(reason).toMatchObject({ code: 'SESSION_TAKEN_OVER', reasonCode: 0x8e });
    await closed;
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(fake.nextConnection(200)).rejects.toThrow(/none came/);
  });

  it('reconnects after a server DISCONNECT 0x8B (server shutting down)', async () => {
    const { client, peer } = await accepted();
    const offline = nextEvent(client, 'offline');
    await peer.connection.send(rawDisconnect(5, 0x8b));
    expect((await offline)[0]).toMatchObject({ code: 'SERVER_SHUTTING_DOWN' });
    const reconnected = nextEvent(client, 'connect');
    await fake.acceptConnect();
    await reconnected;
  });

  it('closes when a reconnect is refused for credentials, rejecting what was pending', async () => {
    const { client, peer } = await accepted();
    peer.connection.destroy();
    await nextEvent(client, 'offline');
    const queued = client.publish('t', 'x', { qos: 1 });
    const error = nextEvent(client, 'error');
    const closed = nextEvent(client, 'close');
    await fake.acceptConnect({ code: 0x86 });
    expect((await error)[0]).toBeInstanceOf(NotAuthorizedError);
    await closed;
    await expect(queued).rejects.toMatchObject({
      name: 'ConnectionClosedError',
      cause: { reasonCode: 0x86 },
    });
  });

  it('retries a refusal that may pass (0x89 Server busy)', async () => {
    const { client, peer } = await accepted();
    peer.connection.destroy();
    await fake.acceptConnect({ code: 0x89 });
    const reconnected = nextEvent(client, 'connect');
    await fake.acceptConnect();
    await reconnected;
  });

  it('gives up after maxAttempts, with an error and a close', async () => {
    const { client } = await accepted({ reconnect: { initialDelayMs: 5, maxAttempts: 2, jitter: 'none' } });
    const error = nextEvent(client, 'error', 3000);
    const closed = nextEvent(client, 'close', 3000);
    await fake.close();
    expect((await error)[0].message).toMatch(/gave up reconnecting after 2 attempts/);
    await closed;
    fake = await FakeBroker.start();
  });

  it('ends gracefully: waits for the PUBACK, then sends DISCONNECT', async () => {
    const { client, peer } = await accepted({ protocolVersion: 4 });
    const published = client.publish('t', 'x', { qos: 1 });
    const ended = client.end();
    const frame = parsePublish(await peer.connection.expectFrame({ type: PUBLISH }), 4);
    await peer.connection.expectNoFrame(50);
    await peer.connection.send(rawPuback(frame.packetId!, 4));
    await peer.connection.expectFrame({ type: DISCONNECT });
    await ended;
    await expect(published).resolves.toEqual({ reasonCode: 0 });
  });

  it('ends at once with force, rejecting unacknowledged messages', async () => {
    const { client, peer } = await accepted();
    const published = client.publish('t', 'x', { qos: 1 });
    await peer.connection.expectFrame({ type: PUBLISH });
    await client.end({ force: true, reasonCode: 0x04 });
    const disconnect = await peer.connection.expectFrame({ type: DISCONNECT });
    expect(disconnect.body[0]).toBe(0x04);
    await expect(published).rejects.toMatchObject({
      name: 'ConnectionClosedError',
      message: 'the client was ended',
    });
  });

  it('sends CONNECT with will, credentials and the v5 defaults', async () => {
    const connecting = connect(`mqtt://user:pw@127.0.0.1:${fake.port}`, {
      clientId: 'dev',
      keepAlive: 10,
      will: { topic: 'status/dev', payload: 'offline', qos: 1, retain: true },
    });
    const connection = await fake.nextConnection();
    const parsed = parseConnect(await connection.expectFrame({ type: 1 }));
    expect(parsed).toMatchObject({
      protocolLevel: 5,
      clientId: 'dev',
      keepAlive: 10,
      username: 'user',
      clean: true,
    });
    expect(parsed.password?.toString()).toBe('pw');
    expect(parsed.will).toMatchObject({ topic: 'status/dev', qos: 1, retain: true });
    // Maximum Packet Size (16 MiB) and Request Response Information, added by default in v5.
    expect(parsed.properties).toEqual([
      [0x19, 1],
      [0x27, 16 * 1024 * 1024],
    ]);
    await connection.send(rawConnack({}, 5));
    clients.push(await connecting);
  });
});
