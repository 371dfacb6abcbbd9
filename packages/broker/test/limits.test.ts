/**
 * Limits on connections (maximum connections, packet size at CONNECT) and the graceful shutdown of
 * `broker.close()`: v5 clients get DISCONNECT 0x8B Server shutting down, 3.x sockets are closed.
 */
import { parseConnack, parseDisconnect, RawClient, rawConnect, rawPingreq } from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import { startBroker } from './fixtures.js';
import {
  clientClosed,
  delay,
  EventRecorder,
  mqttConnect,
  rawConnectWithAck,
  within,
} from './lifecycle-helpers.js';

describe('limits.maximumConnections', () => {
  it('refuses the CONNECT beyond the limit with 0x89 Server busy (5.0) or 0x03 Server unavailable (3.1.1)', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events], limits: { maximumConnections: 2 } });
    const a = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'a' });
    const b = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'b' });
    await using _a = a.client;
    await using _b = b.client;
    expect([a.connack.code, b.connack.code]).toEqual([0, 0]);

    const v5 = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'c5' });
    await using _c5 = v5.client;
    expect(v5.connack.code).toBe(0x89);
    expect(v5.connack.sessionPresent).toBe(false);
    await v5.client.expectClose();
    const v4 = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'c4' });
    await using _c4 = v4.client;
    expect(v4.connack.code).toBe(0x03);
    await v4.client.expectClose();

    // A place frees up when a client leaves.
    a.client.destroy();
    await events.next('disconnected', (e) => e.client.id === 'a');
    const d = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'd' });
    await using _d = d.client;
    expect(d.connack.code).toBe(0);
  });

  it('a client taking over its own client id at the limit is not refused', async () => {
    await using broker = await startBroker({ limits: { maximumConnections: 1 } });
    const first = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'only' });
    await using _a = first.client;
    const again = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'only' });
    await using _b = again.client;
    expect(again.connack.code).toBe(0);
    expect(parseDisconnect(await first.client.expectFrame({ type: 14 }), 5).reasonCode).toBe(0x8e);
    const other = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'other' });
    await using _c = other.client;
    expect(other.connack.code).toBe(0x89);
  });
});

describe('stats', () => {
  it('count open sockets and connected clients separately, both go back down, totals do not', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const stats = broker.broker.stats;
    await using idle = await RawClient.connect(broker.port);
    const a = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'sa' });
    const b = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'sb' });
    expect([stats.connections, stats.clientsConnected, stats.clientsTotal]).toEqual([3, 2, 2]);
    // A takeover replaces a client: the count stays.
    const b2 = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'sb' });
    await events.next('disconnected', (e) => e.client.id === 'sb');
    expect([stats.clientsConnected, stats.clientsTotal, stats.clientsMaximum]).toEqual([2, 3, 2]);
    for (const client of [a.client, b.client, b2.client]) client.destroy();
    idle.destroy();
    await expect.poll(() => [stats.connections, stats.clientsConnected]).toEqual([0, 0]);
    expect(broker.broker.connectionCount).toBe(0);
    // Sockets opened since start: the idle one (no CONNECT), a, b and b2; closing does not lower it.
    expect(stats.connectionsTotal).toBe(4);
  });
});

describe('packet size at CONNECT', () => {
  it('a CONNECT larger than limits.maximumPacketSize closes the connection', async () => {
    await using broker = await startBroker({ limits: { maximumPacketSize: 128 } });
    await using client = await RawClient.connect(broker.port);
    await client.send(
      rawConnect({ protocolVersion: 4, clientId: 'big', username: 'u', password: 'p'.repeat(200) }),
    );
    await client.expectClose();
    expect(client.received.filter((f) => f.type === 2 && f.body[1] === 0)).toEqual([]);
  });
});

describe('broker.close()', () => {
  it('sends v5 clients DISCONNECT 0x8B, closes 3.x sockets without a packet, and resolves with clients still connected', async () => {
    const events = new EventRecorder();
    const broker = await startBroker({ hooks: [events] });
    const v5 = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'stay5' });
    const v4 = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'stay4' });
    const v3 = await rawConnectWithAck(broker.port, { protocolVersion: 3, clientId: 'stay3' });
    await using _5 = v5.client;
    await using _4 = v4.client;
    await using _3 = v3.client;
    // A socket that never sent CONNECT is closed too, without a packet.
    await using idle = await RawClient.connect(broker.port);
    await within(broker.close(), 5000, 'broker.close()');
    const disconnect = parseDisconnect(await v5.client.expectFrame({ type: 14 }), 5);
    expect(disconnect.reasonCode).toBe(0x8b);
    await v5.client.expectClose();
    await v4.client.expectClose();
    await v3.client.expectClose();
    await idle.expectClose();
    expect(v4.client.pending).toEqual([]);
    expect(v3.client.pending).toEqual([]);
    expect(idle.received).toEqual([]);
    expect(
      events
        .all('disconnected')
        .map((e) => [e.client.id, e.cause])
        .sort(),
    ).toEqual([
      ['stay3', 'server-shutdown'],
      ['stay4', 'server-shutdown'],
      ['stay5', 'server-shutdown'],
    ]);
    // Called again it resolves at once; the port no longer accepts.
    await within(broker.close(), 5000, 'broker.close()');
    await expect(RawClient.connect(broker.port, { timeoutMs: 1000 })).rejects.toThrow();
  });

  it('MQTT.js clients see the server go away', async () => {
    const broker = await startBroker();
    const v5 = await mqttConnect(broker.url, { protocolVersion: 5, clientId: 'js5' });
    const v4 = await mqttConnect(broker.url, { protocolVersion: 4, clientId: 'js4' });
    const reasons: number[] = [];
    v5.on('disconnect', (packet) => reasons.push(packet.reasonCode ?? 0));
    const closed = Promise.all([clientClosed(v5), clientClosed(v4)]);
    await within(broker.close(), 5000, 'broker.close()');
    await closed;
    expect(reasons).toEqual([0x8b]);
    v5.end(true);
    v4.end(true);
  });

  it('[MQTT-3.1.2-8] publishes the wills of the connections it closes; a delayed will is left for the next start', async () => {
    const events = new EventRecorder();
    const broker = await startBroker({ hooks: [events] });
    await using now = await RawClient.connect(broker.port);
    await now.send(
      rawConnect({
        protocolVersion: 5,
        clientId: 'w-now',
        will: { topic: 'bye/now', payload: 'x', qos: 1, retain: true },
      }),
    );
    expect(parseConnack(await now.expectFrame({ type: 2 }), 5).code).toBe(0);
    await using later = await RawClient.connect(broker.port);
    await later.send(
      rawConnect({
        protocolVersion: 5,
        clientId: 'w-later',
        properties: [[0x11, 600]],
        will: { topic: 'bye/later', payload: 'y', qos: 0, retain: false, properties: [[0x18, 300]] },
      }),
    );
    expect(parseConnack(await later.expectFrame({ type: 2 }), 5).code).toBe(0);
    await within(broker.close(), 5000, 'broker.close()');
    const wills = events.all('published').filter((e) => e.isWill);
    expect(wills.map((e) => e.message.topic)).toEqual(['bye/now']);
    const gone = events.all('disconnected');
    expect(gone.find((e) => e.client.id === 'w-now')?.willPublished).toBe(true);
    expect(broker.broker.wills.pendingCount).toBe(0);
  });

  it('stops the broker’s timers: a short session expiry does not fire after close', async () => {
    const events = new EventRecorder();
    const broker = await startBroker({ hooks: [events] });
    const { client } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'exp',
      properties: [[0x11, 1]],
    });
    await using _ = client;
    await within(broker.close(), 5000, 'broker.close()');
    await client.expectClose();
    await delay(1500);
    expect(events.all('sessionExpired')).toEqual([]);
  });

  it('a connection still authenticating is closed too', async () => {
    const broker = await startBroker({ hooks: [{ id: 'never', authenticate: () => new Promise(() => {}) }] });
    await using client = await RawClient.connect(broker.port);
    await client.send(rawConnect({ protocolVersion: 5, clientId: 'waiting' }));
    await client.send(rawPingreq());
    await within(broker.close(), 5000, 'broker.close()');
    await client.expectClose();
    // No CONNACK was sent, so no DISCONNECT either [MQTT-3.14.0-1].
    expect(client.received).toEqual([]);
  });
});
