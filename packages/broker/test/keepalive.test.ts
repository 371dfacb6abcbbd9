/**
 * Keep Alive (MQTT 3.1.1 section 3.1.2.10, MQTT 5.0 sections 3.1.2.10 and 3.2.2.3.14): the broker
 * closes a connection after 1.5 x Keep Alive without a complete control packet, PINGREQ gets
 * PINGRESP, and a v5 client is given a Server Keep Alive when the configured maximum is lower.
 * Timing assertions are loose on purpose (the window, never an exact instant).
 */
import {
  parseConnack,
  parseDisconnect,
  RawClient,
  rawConnect,
  rawPingreq,
  rawPublish,
} from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import { startBroker } from './fixtures.js';
import { delay, EventRecorder, propertyOf, rawConnectWithAck } from './lifecycle-helpers.js';

describe('keepalive timeout', () => {
  it('[MQTT-3.1.2-24] 3.1.1: Keep Alive 1 s: closed after about 1.5 s without a packet, not before 1 s', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const { client } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'idle',
      keepAlive: 1,
    });
    await using _ = client;
    const started = Date.now();
    await client.expectClose(5000);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(3000);
    // 3.1.1 has no server DISCONNECT.
    expect(client.pending).toEqual([]);
    const gone = await events.next('disconnected', (e) => e.client.id === 'idle');
    expect(gone.cause).toBe('keepalive-timeout');
  });

  it('[MQTT-3.1.2-22] 5.0: Keep Alive 1 s: DISCONNECT 0x8D Keep Alive timeout after about 1.5 s, then close', async () => {
    await using broker = await startBroker();
    const { client } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'idle5',
      keepAlive: 1,
    });
    await using _ = client;
    const started = Date.now();
    const disconnect = await client.expectFrame({ type: 14, timeoutMs: 5000 });
    const elapsed = Date.now() - started;
    expect(parseDisconnect(disconnect, 5).reasonCode).toBe(0x8d);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(3000);
    await client.expectClose();
  });

  it('[MQTT-3.12.4-1] PINGREQ is answered with PINGRESP and keeps the connection open', async () => {
    await using broker = await startBroker();
    const { client } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'pinger',
      keepAlive: 1,
    });
    await using _ = client;
    const until = Date.now() + 3000;
    let pings = 0;
    while (Date.now() < until) {
      await client.send(rawPingreq());
      const pingresp = await client.expectFrame({ type: 13 });
      expect(pingresp.body.length).toBe(0);
      pings++;
      await delay(600);
    }
    expect(pings).toBeGreaterThanOrEqual(4);
    expect(client.isClosed).toBe(false);
  });

  it('any complete control packet resets the keepalive deadline, not just PINGREQ', async () => {
    await using broker = await startBroker();
    const { client } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'talker',
      keepAlive: 1,
    });
    await using _ = client;
    for (let i = 0; i < 6; i++) {
      await client.send(rawPublish({ topic: 'ka/talk', payload: String(i) }, 5));
      await delay(500);
    }
    expect(client.isClosed).toBe(false);
    expect(client.pending).toEqual([]);
  });

  it('a dripped partial packet does not keep the connection alive', async () => {
    await using broker = await startBroker();
    const { client } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'dripper',
      keepAlive: 1,
    });
    await using _ = client;
    const started = Date.now();
    const publish = rawPublish({ topic: 'ka/drip', payload: 'x'.repeat(40) }, 4);
    // One byte every 100 ms: bytes keep arriving, a complete packet never does.
    const dripping = client.sendSlowly(publish, 1, 100).catch(() => {});
    await client.expectClose(5000);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(3000);
    await dripping;
  });

  it('Keep Alive 0 turns the mechanism off: an idle connection stays open', async () => {
    await using broker = await startBroker();
    const { client } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'forever',
      keepAlive: 0,
    });
    await using _ = client;
    await client.expectNoFrame(2500);
    expect(client.isClosed).toBe(false);
    await client.send(rawPingreq());
    await client.expectFrame({ type: 13 });
  });
});

describe('Server Keep Alive (5.0)', () => {
  it('[MQTT-3.2.2-21] a Keep Alive above limits.maximumKeepAlive gets Server Keep Alive, and that value is enforced', async () => {
    await using broker = await startBroker({ limits: { maximumKeepAlive: 1 } });
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'ska',
      keepAlive: 60,
    });
    await using _ = client;
    expect(propertyOf(connack.properties, 0x13)).toBe(1);
    const started = Date.now();
    expect(parseDisconnect(await client.expectFrame({ type: 14, timeoutMs: 5000 }), 5).reasonCode).toBe(0x8d);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(3000);
    await client.expectClose();
  });

  it('[MQTT-3.2.2-21] Keep Alive 0 (off) is also replaced by the configured maximum', async () => {
    await using broker = await startBroker({ limits: { maximumKeepAlive: 30 } });
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'ska0',
      keepAlive: 0,
    });
    await using _ = client;
    expect(propertyOf(connack.properties, 0x13)).toBe(30);
  });

  it('[MQTT-3.2.2-22] a Keep Alive within the maximum is used as sent, without Server Keep Alive', async () => {
    await using broker = await startBroker({ limits: { maximumKeepAlive: 30 } });
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'ska-ok',
      keepAlive: 1,
    });
    await using _ = client;
    expect(propertyOf(connack.properties, 0x13)).toBeUndefined();
    // The client's 1 s is what the broker enforces.
    expect(parseDisconnect(await client.expectFrame({ type: 14, timeoutMs: 5000 }), 5).reasonCode).toBe(0x8d);
  });

  it('no Server Keep Alive without a configured maximum', async () => {
    await using broker = await startBroker();
    await using client = await RawClient.connect(broker.port);
    await client.send(rawConnect({ protocolVersion: 5, clientId: 'no-ska', keepAlive: 0 }));
    const connack = parseConnack(await client.expectFrame({ type: 2 }), 5);
    expect(propertyOf(connack.properties, 0x13)).toBeUndefined();
  });
});
