/**
 * Sessions (MQTT 3.1.1 sections 3.1.2.4, 3.1.4, 4.1, 4.4; MQTT 5.0 sections 3.1.2.4, 3.1.2.11.2,
 * 3.14.2.2.2, 4.1, 4.4): Clean Session / Clean Start and Session Present, persistent sessions with
 * their subscriptions and queued messages, Session Expiry, takeover, and redelivery on reconnect.
 */
import {
  parseAck,
  parseConnack,
  parseDisconnect,
  parsePublish,
  RawClient,
  type RawVersion,
  rawConnect,
  rawDisconnect,
  rawPuback,
  rawPubcomp,
  rawPubrec,
  rawSubscribe,
} from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import { startBroker } from './fixtures.js';
import {
  delay,
  EventRecorder,
  mqttConnect,
  noMessage,
  propertyOf,
  rawConnectWithAck,
  WAIT_MS,
} from './lifecycle-helpers.js';

/** Subscribe a raw client and wait for its SUBACK. */
async function subscribe(client: RawClient, version: RawVersion, filter: string, qos: number): Promise<void> {
  await client.send(rawSubscribe(1, [{ filter, qos }], version));
  await client.expectFrame({ type: 9 });
}

describe('Clean Session (3.1.1) and Session Present', () => {
  it('[MQTT-3.2.2-3] Clean Session 0 without a stored session: Session Present 0', async () => {
    await using broker = await startBroker();
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'fresh',
      clean: false,
    });
    await using _ = client;
    expect(connack.code).toBe(0);
    expect(connack.sessionPresent).toBe(false);
  });

  it('[MQTT-3.2.2-2] [MQTT-3.1.2-4] Clean Session 0 with a stored session: Session Present 1 and the subscriptions still work', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    {
      const { client } = await rawConnectWithAck(broker.port, {
        protocolVersion: 4,
        clientId: 'keep',
        clean: false,
      });
      await subscribe(client, 4, 'keep/#', 1);
      await client.close();
      await events.next('disconnected', (e) => e.client.id === 'keep');
    }
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'keep',
      clean: false,
    });
    await using _ = client;
    expect(connack.sessionPresent).toBe(true);
    // No new SUBSCRIBE: the stored subscription delivers.
    broker.broker.publish({ topic: 'keep/a', payload: 'still here', qos: 1 });
    const publish = parsePublish(await client.expectFrame({ type: 3 }), 4);
    expect([publish.topic, publish.payload.toString(), publish.qos]).toEqual(['keep/a', 'still here', 1]);
  });

  it('[MQTT-3.2.2-1] [MQTT-3.1.2-6] Clean Session 1 discards a stored session: Session Present 0, no old subscriptions', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    {
      const { client } = await rawConnectWithAck(broker.port, {
        protocolVersion: 4,
        clientId: 'wipe',
        clean: false,
      });
      await subscribe(client, 4, 'wipe/#', 1);
      await client.close();
      await events.next('disconnected', (e) => e.client.id === 'wipe');
    }
    broker.broker.publish({ topic: 'wipe/queued', payload: 'old', qos: 1 });
    {
      const { client, connack } = await rawConnectWithAck(broker.port, {
        protocolVersion: 4,
        clientId: 'wipe',
        clean: true,
      });
      expect(connack.sessionPresent).toBe(false);
      broker.broker.publish({ topic: 'wipe/new', payload: 'new', qos: 1 });
      // Neither the queued message nor the old subscription survived.
      await client.expectNoFrame(300);
      await client.close();
      await events.next('disconnected', (e) => e.client.id === 'wipe');
    }
    // A Clean Session 1 session lasts as long as its connection [MQTT-3.1.2-6].
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'wipe',
      clean: false,
    });
    await using _ = client;
    expect(connack.sessionPresent).toBe(false);
  });

  it('[MQTT-3.1.2-5] QoS 1 and 2 messages published while a persistent 3.1.1 session is offline are delivered on reconnect', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const sub = await mqttConnect(broker.url, { protocolVersion: 4, clientId: 'offline-sub', clean: false });
    await sub.subscribeAsync('off/#', { qos: 2 });
    await sub.endAsync();
    await events.next('disconnected', (e) => e.client.id === 'offline-sub');

    const pub = await mqttConnect(broker.url, { protocolVersion: 4, clientId: 'offline-pub' });
    await pub.publishAsync('off/1', 'one', { qos: 1 });
    await pub.publishAsync('off/2', 'two', { qos: 2 });
    await pub.publishAsync('off/0', 'zero', { qos: 0 });
    await pub.endAsync();

    const got: string[] = [];
    const again = await mqttConnect(
      broker.url,
      { protocolVersion: 4, clientId: 'offline-sub', clean: false },
      (topic, payload, packet) => got.push(`${topic}=${payload.toString()}@${packet.qos}`),
    );
    await expect.poll(() => got.length, { timeout: WAIT_MS }).toBe(2);
    await noMessage(again, 200);
    expect(got).toEqual(['off/1=one@1', 'off/2=two@2']);
    await again.endAsync();
  });

  it('[MQTT-3.1.2-7] retained messages are not session state: they outlive the session that published them', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const publisher = await mqttConnect(broker.url, {
      protocolVersion: 4,
      clientId: 'retainer',
      clean: true,
    });
    await publisher.publishAsync('kept/topic', 'survives', { qos: 1, retain: true });
    await publisher.endAsync();
    await events.next('disconnected', (e) => e.client.id === 'retainer');
    expect(broker.broker.sessions.get('retainer')).toBeUndefined();
    const { client } = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'reader' });
    await using _ = client;
    await subscribe(client, 4, 'kept/#', 0);
    const publish = parsePublish(await client.expectFrame({ type: 3 }), 4);
    expect([publish.topic, publish.payload.toString(), publish.retain]).toEqual([
      'kept/topic',
      'survives',
      true,
    ]);
  });

  it('MQTT 3.1 has no Session Present flag: the CONNACK byte stays 0 when a session is resumed', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const first = await rawConnectWithAck(broker.port, { protocolVersion: 3, clientId: 'v31', clean: false });
    await subscribe(first.client, 3, 'v31/#', 1);
    await first.client.close();
    await events.next('disconnected', (e) => e.client.id === 'v31');
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 3,
      clientId: 'v31',
      clean: false,
    });
    await using _ = client;
    expect(connack.flags).toBe(0);
    // The session was resumed all the same (hooks are told so).
    expect(
      (await events.next('connected', (e) => e.client.id === 'v31' && e.sessionPresent)).sessionPresent,
    ).toBe(true);
    broker.broker.publish({ topic: 'v31/a', payload: 'x', qos: 1 });
    expect(parsePublish(await client.expectFrame({ type: 3 }), 3).topic).toBe('v31/a');
  });

  it('offline QoS 0 messages are not queued by default, and each drop is reported with a reason', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    {
      const { client } = await rawConnectWithAck(broker.port, {
        protocolVersion: 4,
        clientId: 'q0',
        clean: false,
      });
      await subscribe(client, 4, 'q0/#', 1);
      await client.close();
      await events.next('disconnected', (e) => e.client.id === 'q0');
    }
    broker.broker.publish({ topic: 'q0/x', payload: 'dropped', qos: 0 });
    const drop = await events.next('dropped');
    expect(drop).toMatchObject({ clientId: 'q0', topic: 'q0/x', qos: 0, reason: 'offline-qos0' });
    broker.broker.publish({ topic: 'q0/y', payload: 'kept', qos: 1 });
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'q0',
      clean: false,
    });
    await using _ = client;
    expect(connack.sessionPresent).toBe(true);
    const publish = parsePublish(await client.expectFrame({ type: 3 }), 4);
    expect(publish.topic).toBe('q0/y');
    await client.send(rawPuback(publish.packetId!, 4));
    await client.expectNoFrame(200);
  });

  it('limits.queueQoS0Offline: offline QoS 0 messages are queued when configured', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events], limits: { queueQoS0Offline: true } });
    {
      const { client } = await rawConnectWithAck(broker.port, {
        protocolVersion: 4,
        clientId: 'q0k',
        clean: false,
      });
      await subscribe(client, 4, 'q0k/#', 1);
      await client.close();
      await events.next('disconnected', (e) => e.client.id === 'q0k');
    }
    broker.broker.publish({ topic: 'q0k/x', payload: 'kept', qos: 0 });
    const { client } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'q0k',
      clean: false,
    });
    await using _ = client;
    const publish = parsePublish(await client.expectFrame({ type: 3 }), 4);
    expect([publish.topic, publish.qos]).toEqual(['q0k/x', 0]);
    expect(events.all('dropped')).toEqual([]);
  });
});

describe('Clean Start and Session Expiry Interval (5.0)', () => {
  it('[MQTT-3.1.2-4] Clean Start 1 discards an existing session: Session Present 0', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    {
      const { client } = await rawConnectWithAck(broker.port, {
        protocolVersion: 5,
        clientId: 'cs1',
        clean: false,
        properties: [[0x11, 60]],
      });
      await subscribe(client, 5, 'cs1/#', 1);
      await client.close();
      await events.next('disconnected', (e) => e.client.id === 'cs1');
    }
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'cs1',
      clean: true,
      properties: [[0x11, 60]],
    });
    await using _ = client;
    expect(connack.sessionPresent).toBe(false);
    broker.broker.publish({ topic: 'cs1/a', payload: 'x', qos: 1 });
    await client.expectNoFrame(300);
  });

  it('[MQTT-3.2.2-2] [MQTT-3.1.2-5] Clean Start 0 resumes a session whose expiry has not passed', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const first = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'resume',
      clean: false,
      properties: [[0x11, 60]],
    });
    expect(first.connack.sessionPresent).toBe(false);
    await subscribe(first.client, 5, 'resume/#', 1);
    await first.client.close();
    await events.next('disconnected', (e) => e.client.id === 'resume');
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'resume',
      clean: false,
    });
    await using _ = client;
    expect(connack.sessionPresent).toBe(true);
    broker.broker.publish({ topic: 'resume/a', payload: 'x', qos: 1 });
    expect(parsePublish(await client.expectFrame({ type: 3 }), 5).topic).toBe('resume/a');
  });

  it('[MQTT-3.1.2-23] with no Session Expiry Interval (0) the session ends with the connection', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const first = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'zero',
      clean: false,
    });
    await subscribe(first.client, 5, 'zero/#', 1);
    await first.client.close();
    await events.next('disconnected', (e) => e.client.id === 'zero');
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'zero',
      clean: false,
    });
    await using _ = client;
    expect(connack.sessionPresent).toBe(false);
  });

  it('a session with a 1 s expiry is gone after it, and onSessionExpired fires', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const sub = await mqttConnect(broker.url, {
      protocolVersion: 5,
      clientId: 'short',
      clean: false,
      properties: { sessionExpiryInterval: 1 },
    });
    await sub.subscribeAsync('short/#', { qos: 1 });
    await sub.endAsync();
    const gone = await events.next('disconnected', (e) => e.client.id === 'short');
    const expired = await events.next('sessionExpired', (e) => e.clientId === 'short', WAIT_MS);
    const after = expired.at - gone.at;
    expect(after).toBeGreaterThanOrEqual(700);
    expect(after).toBeLessThan(2500);
    expect(broker.broker.sessions.get('short')).toBeUndefined();
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'short',
      clean: false,
    });
    await using _ = client;
    expect(connack.sessionPresent).toBe(false);
    broker.broker.publish({ topic: 'short/a', payload: 'x', qos: 1 });
    await client.expectNoFrame(300);
  });

  it('a session reconnected to before its expiry is kept, and its expiry starts again at the next disconnect', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const options = {
      protocolVersion: 5 as const,
      clientId: 'renew',
      clean: false,
      properties: [[0x11, 1]] as const,
    };
    const first = await rawConnectWithAck(broker.port, { ...options, properties: [[0x11, 1]] });
    await first.client.close();
    await events.next('disconnected', (e) => e.client.id === 'renew');
    const second = await rawConnectWithAck(broker.port, { ...options, properties: [[0x11, 1]] });
    expect(second.connack.sessionPresent).toBe(true);
    // Connected across the original expiry: nothing may expire meanwhile.
    await second.client.expectNoFrame(1300);
    expect(events.all('sessionExpired')).toEqual([]);
    await second.client.close();
    await events.next('sessionExpired', (e) => e.clientId === 'renew');
  });

  it('limits.maximumSessionExpiryInterval caps the interval and CONNACK says so', async () => {
    await using broker = await startBroker({ limits: { maximumSessionExpiryInterval: 30 } });
    const capped = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'cap',
      properties: [[0x11, 3600]],
    });
    await using _a = capped.client;
    expect(propertyOf(capped.connack.properties, 0x11)).toBe(30);
    const within = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'nocap',
      properties: [[0x11, 10]],
    });
    await using _b = within.client;
    // The client's own value stands: CONNACK need not repeat it.
    expect(propertyOf(within.connack.properties, 0x11)).toBeUndefined();
  });

  it('DISCONNECT may shorten the Session Expiry Interval to 0: the session ends', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const first = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'shorten',
      clean: false,
      properties: [[0x11, 600]],
    });
    await subscribe(first.client, 5, 'shorten/#', 1);
    await first.client.send(rawDisconnect(5, 0, [[0x11, 0]]));
    await first.client.expectClose();
    await events.next('disconnected', (e) => e.client.id === 'shorten');
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'shorten',
      clean: false,
    });
    await using _ = client;
    expect(connack.sessionPresent).toBe(false);
  });

  it('DISCONNECT may set a new non-zero Session Expiry Interval when CONNECT had one', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const first = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'lengthen',
      clean: false,
      properties: [[0x11, 1]],
    });
    await first.client.send(rawDisconnect(5, 0, [[0x11, 600]]));
    await first.client.expectClose();
    await events.next('disconnected', (e) => e.client.id === 'lengthen');
    // Past the original 1 s expiry, the session is still there.
    await delay(1500);
    expect(events.all('sessionExpired')).toEqual([]);
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'lengthen',
      clean: false,
    });
    await using _ = client;
    expect(connack.sessionPresent).toBe(true);
  });

  it('5.0 section 3.14.2.2.2: a DISCONNECT setting a non-zero expiry after 0 in CONNECT is a Protocol Error (0x82)', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const first = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'zero-to-one',
      clean: false,
    });
    await first.client.send(rawDisconnect(5, 0, [[0x11, 600]]));
    const disconnect = parseDisconnect(await first.client.expectFrame({ type: 14 }), 5);
    expect(disconnect.reasonCode).toBe(0x82);
    // The server never sends a Session Expiry Interval on DISCONNECT [MQTT-3.14.2-2].
    expect(propertyOf(disconnect.properties, 0x11)).toBeUndefined();
    await first.client.expectClose();
    expect((await events.next('disconnected', (e) => e.client.id === 'zero-to-one')).cause).toBe(
      'protocol-error',
    );
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'zero-to-one',
      clean: false,
    });
    await using _ = client;
    expect(connack.sessionPresent).toBe(false);
  });

  it('3.1.1 persistent sessions get limits.persistentSessionExpiryInterval', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({
      hooks: [events],
      limits: { persistentSessionExpiryInterval: 1 },
    });
    const first = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'legacy',
      clean: false,
    });
    await first.client.close();
    await events.next('sessionExpired', (e) => e.clientId === 'legacy');
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'legacy',
      clean: false,
    });
    await using _ = client;
    expect(connack.sessionPresent).toBe(false);
  });
});

describe('takeover', () => {
  it('[MQTT-3.1.4-2] 3.1.1: a second connection with the same client id closes the first', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const old = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'dup', clean: false });
    await using _a = old.client;
    await subscribe(old.client, 4, 'dup/#', 1);
    const fresh = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'dup', clean: false });
    await using _b = fresh.client;
    expect(fresh.connack.code).toBe(0);
    expect(fresh.connack.sessionPresent).toBe(true);
    await old.client.expectClose();
    // 3.1.1 has no server DISCONNECT: the old connection just closes.
    expect(old.client.pending).toEqual([]);
    const gone = await events.next('disconnected', (e) => e.client.id === 'dup');
    expect(gone.cause).toBe('session-taken-over');
    // The session (with its subscription) now serves the new connection only.
    broker.broker.publish({ topic: 'dup/x', payload: 'to the new one', qos: 1 });
    expect(parsePublish(await fresh.client.expectFrame({ type: 3 }), 4).payload.toString()).toBe(
      'to the new one',
    );
  });

  it('[MQTT-3.1.4-3] 5.0: the existing connection gets DISCONNECT 0x8E, the new one Session Present 1 when persistent', async () => {
    await using broker = await startBroker();
    const old = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'dup5',
      clean: false,
      properties: [[0x11, 60]],
    });
    await using _a = old.client;
    const fresh = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'dup5',
      clean: false,
      properties: [[0x11, 60]],
    });
    await using _b = fresh.client;
    expect(fresh.connack.sessionPresent).toBe(true);
    const disconnect = parseDisconnect(await old.client.expectFrame({ type: 14 }), 5);
    expect(disconnect.reasonCode).toBe(0x8e);
    expect(propertyOf(disconnect.properties, 0x11)).toBeUndefined();
    await old.client.expectClose();
    // Nothing follows a DISCONNECT on its connection [MQTT-3.14.4-1].
    expect(old.client.pending).toEqual([]);
  });

  it('[MQTT-3.1.4-3] a takeover with Clean Start 1 closes the old connection and starts a new session', async () => {
    await using broker = await startBroker();
    const old = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'dup5c',
      clean: false,
      properties: [[0x11, 60]],
    });
    await using _a = old.client;
    const fresh = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'dup5c',
      clean: true,
    });
    await using _b = fresh.client;
    expect(fresh.connack.sessionPresent).toBe(false);
    expect(parseDisconnect(await old.client.expectFrame({ type: 14 }), 5).reasonCode).toBe(0x8e);
    await old.client.expectClose();
  });

  it('a 3.1.1 client may take over a 5.0 session and the other way round', async () => {
    await using broker = await startBroker();
    const v5 = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'mixed',
      clean: false,
      properties: [[0x11, 60]],
    });
    await using _a = v5.client;
    const v4 = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'mixed', clean: false });
    await using _b = v4.client;
    expect(v4.connack.sessionPresent).toBe(true);
    expect(parseDisconnect(await v5.client.expectFrame({ type: 14 }), 5).reasonCode).toBe(0x8e);
    const again = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'mixed',
      clean: false,
    });
    await using _c = again.client;
    expect(again.connack.sessionPresent).toBe(true);
    await v4.client.expectClose();
    expect(v4.client.pending).toEqual([]);
  });
});

describe('redelivery on reconnect', () => {
  for (const version of [4, 5] as const) {
    it(`[MQTT-4.4.0-1] [MQTT-4.6.0-1] v${version}: QoS 2 after PUBREC gets PUBREL, then unacknowledged PUBLISHes are resent with DUP and the same ids, in order`, async () => {
      const events = new EventRecorder();
      await using broker = await startBroker({ hooks: [events] });
      const session = version === 5 ? { properties: [[0x11, 600]] as [number, number][] } : {};
      const first = await rawConnectWithAck(broker.port, {
        protocolVersion: version,
        clientId: `redo${version}`,
        clean: false,
        ...session,
      });
      await subscribe(first.client, version, 'redo/#', 2);
      broker.broker.publish({ topic: 'redo/1', payload: 'q1', qos: 1 });
      broker.broker.publish({ topic: 'redo/2', payload: 'q2-received', qos: 2 });
      broker.broker.publish({ topic: 'redo/3', payload: 'q2-unseen', qos: 2 });
      const p1 = parsePublish(await first.client.expectFrame({ type: 3 }), version);
      const p2 = parsePublish(await first.client.expectFrame({ type: 3 }), version);
      const p3 = parsePublish(await first.client.expectFrame({ type: 3 }), version);
      expect([p1.dup, p2.dup, p3.dup]).toEqual([false, false, false]);
      await first.client.send(rawPubrec(p2.packetId!, version));
      expect(parseAck(await first.client.expectFrame({ type: 6 }), version).packetId).toBe(p2.packetId);
      // Drop the connection with nothing else acknowledged.
      first.client.destroy();
      await events.next('disconnected', (e) => e.client.id === `redo${version}`);

      // 5.0: the Session Expiry Interval is per connection; absent means the session ends with it.
      const { client, connack } = await rawConnectWithAck(broker.port, {
        protocolVersion: version,
        clientId: `redo${version}`,
        clean: false,
        ...session,
      });
      await using _ = client;
      expect(connack.sessionPresent).toBe(true);
      // PUBRELs go first: a released message holds a slot of the client's Receive Maximum until its
      // PUBCOMP, so a PUBREL queued behind a PUBLISH that waits for a slot could never be sent. Resent
      // PUBLISHes keep their original order [MQTT-4.6.0-1]; the spec orders neither kind against the other.
      const r2 = await client.expectFrame();
      const r1 = await client.expectFrame();
      const r3 = await client.expectFrame();
      expect([r2.type, r1.type, r3.type]).toEqual([6, 3, 3]);
      const again1 = parsePublish(r1, version);
      expect([again1.topic, again1.packetId, again1.qos, again1.dup]).toEqual([
        'redo/1',
        p1.packetId,
        1,
        true,
      ]);
      expect(parseAck(r2, version).packetId).toBe(p2.packetId);
      const again3 = parsePublish(r3, version);
      expect([again3.topic, again3.packetId, again3.qos, again3.dup]).toEqual([
        'redo/3',
        p3.packetId,
        2,
        true,
      ]);

      // Finish every flow: nothing is resent after that.
      await client.send(rawPuback(p1.packetId!, version));
      await client.send(rawPubcomp(p2.packetId!, version));
      await client.send(rawPubrec(p3.packetId!, version));
      expect(parseAck(await client.expectFrame({ type: 6 }), version).packetId).toBe(p3.packetId);
      await client.send(rawPubcomp(p3.packetId!, version));
      await client.expectNoFrame(200);
      await client.close();
      await events.next('disconnected', (e) => e.client.id === `redo${version}`);
      const last = await rawConnectWithAck(broker.port, {
        protocolVersion: version,
        clientId: `redo${version}`,
        clean: false,
      });
      await using _l = last.client;
      expect(last.connack.sessionPresent).toBe(true);
      await last.client.expectNoFrame(300);
    });
  }

  it('[MQTT-3.3.4-9] [MQTT-4.4.0-1] with a smaller Receive Maximum on reconnect, a released QoS 2 message holds the one slot: PUBREL, then each resend after the previous flow ends', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const connect = (receiveMaximum: number) =>
      rawConnectWithAck(broker.port, {
        protocolVersion: 5,
        clientId: 'window',
        clean: false,
        properties: [
          [0x11, 600],
          [0x21, receiveMaximum],
        ],
      });
    const first = await connect(3);
    await subscribe(first.client, 5, 'w/#', 2);
    broker.broker.publish({ topic: 'w/1', payload: 'released', qos: 2 });
    broker.broker.publish({ topic: 'w/2', payload: 'unacknowledged', qos: 1 });
    broker.broker.publish({ topic: 'w/3', payload: 'acknowledged-late', qos: 1 });
    const [p1, p2, p3] = [
      parsePublish(await first.client.expectFrame({ type: 3 }), 5),
      parsePublish(await first.client.expectFrame({ type: 3 }), 5),
      parsePublish(await first.client.expectFrame({ type: 3 }), 5),
    ];
    await first.client.send(rawPubrec(p1!.packetId!, 5));
    await first.client.expectFrame({ type: 6 });
    first.client.destroy();
    await events.next('disconnected', (e) => e.client.id === 'window');

    const { client, connack } = await connect(1);
    await using _ = client;
    expect(connack.sessionPresent).toBe(true);
    // The released message is outstanding until PUBCOMP: its PUBREL goes, and no PUBLISH yet.
    expect(parseAck(await client.expectFrame(), 5).packetId).toBe(p1!.packetId);
    await client.expectNoFrame(200);
    // The client got w/3 on the old connection and acknowledges it now: no resend, no slot freed.
    await client.send(rawPuback(p3!.packetId!, 5));
    await client.expectNoFrame(200);
    await client.send(rawPubcomp(p1!.packetId!, 5));
    const again = parsePublish(await client.expectFrame({ type: 3 }), 5);
    expect([again.topic, again.packetId, again.dup]).toEqual(['w/2', p2!.packetId, true]);
    await client.send(rawPuback(p2!.packetId!, 5));
    await client.expectNoFrame(200);
    // New messages flow again, one at a time.
    broker.broker.publish({ topic: 'w/4', payload: 'new', qos: 1 });
    const fresh = parsePublish(await client.expectFrame({ type: 3 }), 5);
    expect([fresh.topic, fresh.dup]).toEqual(['w/4', false]);
  });

  it('a message queued beyond the in-flight window while offline is sent after the resent ones', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events], limits: { maximumInflight: 1 } });
    const first = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'window',
      clean: false,
    });
    await subscribe(first.client, 4, 'w/#', 1);
    broker.broker.publish({ topic: 'w/1', payload: 'a', qos: 1 });
    broker.broker.publish({ topic: 'w/2', payload: 'b', qos: 1 });
    const p1 = parsePublish(await first.client.expectFrame({ type: 3 }), 4);
    await first.client.expectNoFrame(200);
    first.client.destroy();
    await events.next('disconnected', (e) => e.client.id === 'window');
    const { client } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'window',
      clean: false,
    });
    await using _ = client;
    const again = parsePublish(await client.expectFrame({ type: 3 }), 4);
    expect([again.topic, again.dup, again.packetId]).toEqual(['w/1', true, p1.packetId]);
    await client.send(rawPuback(again.packetId!, 4));
    const next = parsePublish(await client.expectFrame({ type: 3 }), 4);
    expect([next.topic, next.dup]).toEqual(['w/2', false]);
  });
});

describe('MQTT.js persistent session end to end', () => {
  for (const protocolVersion of [3, 4, 5] as const) {
    it(`v${protocolVersion}: a subscriber that goes away and comes back gets what it missed`, async () => {
      const events = new EventRecorder();
      await using broker = await startBroker({ hooks: [events] });
      const clientId = `js-persist-${protocolVersion}`;
      const properties = protocolVersion === 5 ? { properties: { sessionExpiryInterval: 300 } } : {};
      const sub = await mqttConnect(broker.url, { protocolVersion, clientId, clean: false, ...properties });
      await sub.subscribeAsync('js/#', { qos: 1 });
      sub.end(true);
      await events.next('disconnected', (e) => e.client.id === clientId);
      const pub = await mqttConnect(broker.url, { protocolVersion, clientId: `${clientId}-pub` });
      await pub.publishAsync('js/missed', 'while away', { qos: 1 });
      await pub.endAsync();
      const got: string[] = [];
      const back = await mqttConnect(
        broker.url,
        { protocolVersion, clientId, clean: false, ...properties },
        (topic, payload, packet) => got.push(`${topic}=${payload.toString()}@${packet.qos}`),
      );
      await expect.poll(() => got, { timeout: WAIT_MS }).toEqual(['js/missed=while away@1']);
      await back.endAsync();
    });
  }
});

// A sanity check that the raw client sees exactly what the broker sends on a clean refusal path.
it('a raw CONNECT followed by DISCONNECT closes cleanly with no frames after CONNACK', async () => {
  await using broker = await startBroker();
  await using client = await RawClient.connect(broker.port);
  await client.send(Buffer.concat([rawConnect({ protocolVersion: 5, clientId: 'bye' }), rawDisconnect(5)]));
  expect(parseConnack(await client.expectFrame({ type: 2 }), 5).code).toBe(0);
  await client.expectClose();
  expect(client.pending).toEqual([]);
});
