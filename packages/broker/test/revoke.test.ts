/**
 * `broker.revokeSubscription` and `broker.sessionSubscriptions`: what an ACL reload uses to take back
 * read access. A revoked subscription stops matching at once, for connected and offline sessions,
 * without anything sent to the client; a persistent session loses it in the store too, and messages
 * it alone queued are not delivered.
 */
import { MemoryStore, type SessionStore } from '@mqttkit/session-store';
import {
  parseAuth,
  parsePublish,
  type RawClient,
  rawAuth,
  rawDisconnect,
  rawPuback,
  rawSubscribe,
} from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import type { Hook, SessionSubscription } from '../src/index.js';
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

/** Subscribes `client` to `filters` (QoS 1) and waits for the SUBACK. */
async function subscribe(client: RawClient, filters: readonly string[], version: 4 | 5 = 5): Promise<void> {
  await client.send(
    rawSubscribe(
      1,
      filters.map((filter) => ({ filter, qos: 1 })),
      version,
    ),
  );
  await client.expectFrame({ type: 9 });
}

/** The next frame must be a PUBLISH; returns `topic payload` and acknowledges it. */
async function nextPublish(client: RawClient, version: 4 | 5 = 5): Promise<string> {
  const publish = parsePublish(await client.expectFrame({ type: 3 }), version);
  if (publish.packetId !== undefined) await client.send(rawPuback(publish.packetId, version));
  return `${publish.topic} ${publish.payload.toString()}`;
}

const subscriptionsOf = (list: Iterable<SessionSubscription>, clientId: string) =>
  [...list].filter((entry) => entry.clientId === clientId);

describe('revokeSubscription on a connected session', () => {
  it('the revoked filter stops delivering, the others keep delivering, and the client is sent nothing', async () => {
    await using broker = await startBroker();
    const { client } = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'reader' });
    await using _ = client;
    await subscribe(client, ['a/#', 'b/#']);
    broker.broker.publish({ topic: 'a/x', payload: 'before', qos: 1 });
    expect(await nextPublish(client)).toBe('a/x before');

    expect(broker.broker.revokeSubscription('reader', 'a/#')).toBe(true);
    expect(broker.broker.router.counts().subscriptions).toBe(1);
    // Messages to one session go out in order: had a/x been delivered (or anything sent on the
    // revocation, such as an UNSUBACK), it would come before b/x.
    broker.broker.publish({ topic: 'a/x', payload: 'after', qos: 1 });
    broker.broker.publish({ topic: 'b/x', payload: 'after', qos: 1 });
    expect(await nextPublish(client)).toBe('b/x after');
    await client.expectNoFrame(100);
    expect(subscriptionsOf(broker.broker.sessionSubscriptions(), 'reader').map((s) => s.topicFilter)).toEqual(
      ['b/#'],
    );
  });

  it('a shared subscription is revoked by its $share/ filter', async () => {
    await using broker = await startBroker();
    const { client } = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'member' });
    await using _ = client;
    await subscribe(client, ['$share/g/s/#', 'b/#']);
    expect(broker.broker.revokeSubscription('member', 's/#')).toBe(false);
    expect(broker.broker.revokeSubscription('member', '$share/g/s/#')).toBe(true);
    broker.broker.publish({ topic: 's/x', payload: 'shared', qos: 1 });
    broker.broker.publish({ topic: 'b/x', payload: 'plain', qos: 1 });
    expect(await nextPublish(client)).toBe('b/x plain');
    expect(broker.broker.router.counts().sharedGroups).toBe(0);
  });

  it('returns false for an unknown client id, an unknown filter, or a filter already revoked', async () => {
    await using broker = await startBroker();
    const { client } = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'c' });
    await using _ = client;
    await subscribe(client, ['a/#'], 4);
    expect(broker.broker.revokeSubscription('nobody', 'a/#')).toBe(false);
    expect(broker.broker.revokeSubscription('c', 'a/+')).toBe(false);
    expect(broker.broker.revokeSubscription('c', 'a/#')).toBe(true);
    expect(broker.broker.revokeSubscription('c', 'a/#')).toBe(false);
    // The client may subscribe again: revocation only removed what it had.
    await subscribe(client, ['a/#'], 4);
    broker.broker.publish({ topic: 'a/again', payload: 'x', qos: 1 });
    expect(await nextPublish(client, 4)).toBe('a/again x');
  });
});

describe('sessionSubscriptions', () => {
  it('lists every subscription with client id, user name and connection state', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const alice = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'alice-1',
      username: 'alice',
      clean: false,
      properties: [[0x11, 600]],
    });
    await subscribe(alice.client, ['a/#', 'b/+']);
    const anonymous = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'anon' });
    await using _ = anonymous.client;
    await subscribe(anonymous.client, ['c'], 4);
    await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'idle' }).then(({ client }) =>
      client.close(),
    );

    expect([...broker.broker.sessionSubscriptions()]).toEqual([
      {
        clientId: 'alice-1',
        username: 'alice',
        isUsernameKnown: true,
        isConnected: true,
        topicFilter: 'a/#',
        qos: 1,
      },
      {
        clientId: 'alice-1',
        username: 'alice',
        isUsernameKnown: true,
        isConnected: true,
        topicFilter: 'b/+',
        qos: 1,
      },
      {
        clientId: 'anon',
        username: undefined,
        isUsernameKnown: true,
        isConnected: true,
        topicFilter: 'c',
        qos: 1,
      },
    ]);

    await alice.client.send(rawDisconnect(5));
    await events.next('disconnected', (event) => event.client.id === 'alice-1');
    expect(subscriptionsOf(broker.broker.sessionSubscriptions(), 'alice-1')).toMatchObject([
      { username: 'alice', isConnected: false, topicFilter: 'a/#' },
      { username: 'alice', isConnected: false, topicFilter: 'b/+' },
    ]);
  });

  it('revoking while iterating visits every subscription once', async () => {
    await using broker = await startBroker();
    const { client } = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'many' });
    await using _ = client;
    await subscribe(client, ['a', 'b', 'c', 'd']);
    const seen: string[] = [];
    for (const entry of broker.broker.sessionSubscriptions()) {
      seen.push(entry.topicFilter);
      if (entry.topicFilter !== 'c') broker.broker.revokeSubscription(entry.clientId, entry.topicFilter);
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
    expect([...broker.broker.sessionSubscriptions()].map((entry) => entry.topicFilter)).toEqual(['c']);
  });

  it('follows a user name changed by re-authentication', async () => {
    // Allows at once, with the authentication data as the user name.
    const byData: Hook = {
      id: 'by-data',
      authenticateEnhanced: (event) => ({
        allow: true,
        username: Buffer.from(event.data ?? []).toString(),
      }),
    };
    await using broker = await startBroker({ hooks: [byData] });
    const method = (data: string): [number, string | Buffer][] => [
      [0x15, 'NAME'],
      [0x16, Buffer.from(data)],
    ];
    const { client } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'shifty',
      properties: method('first'),
    });
    await using _ = client;
    await subscribe(client, ['a']);
    expect([...broker.broker.sessionSubscriptions()][0]?.username).toBe('first');
    await client.send(rawAuth(0x19, method('second')));
    expect(parseAuth(await client.expectFrame({ type: 15 })).reasonCode).toBe(0);
    expect([...broker.broker.sessionSubscriptions()][0]?.username).toBe('second');
  });
});

describe('revokeSubscription on an offline persistent session', () => {
  it('messages only it queued are dropped; after a restart it is gone from the session and the store', async () => {
    const store = keptStore();
    {
      const events = new EventRecorder();
      await using broker = await startBroker({ store, hooks: [events] });
      const { client } = await rawConnectWithAck(broker.port, {
        protocolVersion: 5,
        clientId: 'away',
        username: 'u',
        clean: false,
        properties: [[0x11, 600]],
      });
      await subscribe(client, ['a/#', 'b/#', 'a/kept']);
      await client.send(rawDisconnect(5));
      await events.next('disconnected', (event) => event.client.id === 'away');

      // Queued while offline, before the revocation.
      for (const topic of ['a/1', 'a/kept', 'b/1']) broker.broker.publish({ topic, payload: 'old', qos: 1 });
      expect(broker.broker.revokeSubscription('away', 'a/#')).toBe(true);
      expect(broker.broker.sessions.dropsByReason['subscription-revoked']).toBe(1);
      expect(events.all('dropped')).toMatchObject([
        { clientId: 'away', topic: 'a/1', reason: 'subscription-revoked' },
      ]);
      // And after it: a/2 matches nothing any more.
      for (const topic of ['a/2', 'b/2']) broker.broker.publish({ topic, payload: 'new', qos: 1 });
      await within(broker.close(), 5000, 'broker.close()');
    }
    const stored = await store.loadSession('away');
    expect(stored?.subscriptions.map((subscription) => subscription.topicFilter).sort()).toEqual([
      'a/kept',
      'b/#',
    ]);
    expect(stored?.outbound.map(({ message }) => message.topic)).toEqual(['a/kept', 'b/1', 'b/2']);

    await using broker = await startBroker({ store });
    // The store keeps no user names: until the client is back, this session's is unknown.
    expect(subscriptionsOf(broker.broker.sessionSubscriptions(), 'away')).toMatchObject([
      { username: undefined, isUsernameKnown: false, isConnected: false },
      { username: undefined, isUsernameKnown: false, isConnected: false },
    ]);
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'away',
      username: 'u',
      clean: false,
      properties: [[0x11, 600]],
    });
    await using _ = client;
    expect(connack.sessionPresent).toBe(true);
    expect([await nextPublish(client), await nextPublish(client), await nextPublish(client)]).toEqual([
      'a/kept old',
      'b/1 old',
      'b/2 new',
    ]);
    broker.broker.publish({ topic: 'a/3', payload: 'live', qos: 1 });
    broker.broker.publish({ topic: 'b/3', payload: 'live', qos: 1 });
    expect(await nextPublish(client)).toBe('b/3 live');
    expect(subscriptionsOf(broker.broker.sessionSubscriptions(), 'away')).toMatchObject([
      { username: 'u', isUsernameKnown: true, isConnected: true },
      { username: 'u', isUsernameKnown: true, isConnected: true },
    ]);
  });
});
