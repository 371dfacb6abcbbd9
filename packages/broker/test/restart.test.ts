/**
 * What a broker hands to its store at shutdown comes back at the next start: persistent sessions
 * (subscriptions, queued messages, expiry counted from the disconnect) and wills still waiting for
 * their Will Delay Interval. The store here is a `MemoryStore` whose `close` keeps the data, standing
 * in for a durable backend.
 */
import { MemoryStore, type SessionStore } from '@mqttkit/session-store';
import { parsePublish, rawPuback, rawSubscribe } from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import { startBroker } from './fixtures.js';
import { EventRecorder, rawConnectWithAck, within } from './lifecycle-helpers.js';

/** A memory store that survives `close`, so a second broker can load what the first one stored. */
function keptStore(): SessionStore {
  const store = new MemoryStore();
  return {
    durable: false,
    load: () => store.load(),
    loadSession: (clientId) => store.loadSession(clientId),
    apply: (ops) => store.apply(ops),
    stats: () => store.stats(),
    close: () => {},
  };
}

describe('restart', () => {
  it('a persistent session and its queued messages survive broker.close() and a new start', async () => {
    const store = keptStore();
    {
      const events = new EventRecorder();
      const broker = await startBroker({ store, hooks: [events] });
      const { client } = await rawConnectWithAck(broker.port, {
        protocolVersion: 5,
        clientId: 'survivor',
        clean: false,
        properties: [[0x11, 600]],
      });
      await client.send(rawSubscribe(1, [{ filter: 'r/#', qos: 1 }], 5));
      await client.expectFrame({ type: 9 });
      await client.close();
      await events.next('disconnected', (e) => e.client.id === 'survivor');
      broker.broker.publish({ topic: 'r/queued', payload: 'kept', qos: 1 });
      await within(broker.close(), 5000, 'broker.close()');
    }
    await using broker = await startBroker({ store });
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'survivor',
      clean: false,
      properties: [[0x11, 600]],
    });
    await using _ = client;
    expect(connack.sessionPresent).toBe(true);
    const queued = parsePublish(await client.expectFrame({ type: 3 }), 5);
    expect([queued.topic, queued.payload.toString()]).toEqual(['r/queued', 'kept']);
    await client.send(rawPuback(queued.packetId!, 5));
    // The stored subscription still routes.
    broker.broker.publish({ topic: 'r/live', payload: 'new', qos: 1 });
    expect(parsePublish(await client.expectFrame({ type: 3 }), 5).topic).toBe('r/live');
  });

  it('[MQTT-3.1.3-9] a will waiting for its delay when the broker stops is published after the next start', async () => {
    const store = keptStore();
    {
      const broker = await startBroker({ store });
      const watcher = await rawConnectWithAck(broker.port, {
        protocolVersion: 5,
        clientId: 'heir',
        clean: false,
        properties: [[0x11, 600]],
      });
      await watcher.client.send(rawSubscribe(1, [{ filter: 'last/#', qos: 1 }], 5));
      await watcher.client.expectFrame({ type: 9 });
      const dying = await rawConnectWithAck(broker.port, {
        protocolVersion: 5,
        clientId: 'testator',
        properties: [[0x11, 600]],
        will: { topic: 'last/words', payload: 'goodbye', qos: 1, retain: false, properties: [[0x18, 1]] },
      });
      expect(dying.connack.code).toBe(0);
      // The broker closes both connections; the will waits for its delay, in the store.
      await within(broker.close(), 5000, 'broker.close()');
      watcher.client.destroy();
      dying.client.destroy();
    }
    const events = new EventRecorder();
    await using broker = await startBroker({ store, hooks: [events] });
    const will = await events.next('published', (e) => e.isWill, 5000);
    expect([will.message.topic, Buffer.from(will.message.payload).toString()]).toEqual([
      'last/words',
      'goodbye',
    ]);
    // The offline heir's session queued it.
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'heir',
      clean: false,
      properties: [[0x11, 600]],
    });
    await using _ = client;
    expect(connack.sessionPresent).toBe(true);
    expect(parsePublish(await client.expectFrame({ type: 3 }), 5).topic).toBe('last/words');
  });

  it('[MQTT-3.1.3-9] a delayed will is not published after a restart when its client came back first', async () => {
    const store = keptStore();
    {
      const broker = await startBroker({ store });
      const dying = await rawConnectWithAck(broker.port, {
        protocolVersion: 5,
        clientId: 'returner',
        properties: [[0x11, 600]],
        will: { topic: 'last/never', payload: 'x', qos: 0, retain: false, properties: [[0x18, 2]] },
      });
      await within(broker.close(), 5000, 'broker.close()');
      dying.client.destroy();
    }
    const events = new EventRecorder();
    await using broker = await startBroker({ store, hooks: [events] });
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'returner',
      clean: false,
      properties: [[0x11, 600]],
    });
    await using _ = client;
    expect(connack.sessionPresent).toBe(true);
    await client.expectNoFrame(2500);
    expect(events.all('published')).toEqual([]);
  });
});
