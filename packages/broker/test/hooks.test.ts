/**
 * Hooks (style guide R8): decisions chain (first non-defer answer wins, all-defer and throwing hooks
 * deny, sync and async answers) and notifications (called in turn, with the right facts, never able
 * to break the flow), seen from real connections.
 */
import {
  parseConnack,
  parsePublish,
  RawClient,
  rawConnect,
  rawDisconnect,
  rawPingreq,
  rawSubscribe,
} from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import type { AuthenticateResult, Hook, Logger } from '../src/index.js';
import { startBroker } from './fixtures.js';
import { EventRecorder, rawConnectWithAck } from './lifecycle-helpers.js';

type Answer = AuthenticateResult | 'throw' | 'reject';

/** A hook answering `answer` to authenticate, sync or async, and noting that it was asked. */
function decider(id: string, answer: Answer, asked: string[], async = false): Hook {
  return {
    id,
    authenticate: () => {
      asked.push(id);
      if (answer === 'throw') throw new Error(`${id} is broken`);
      if (answer === 'reject') return Promise.reject(new Error(`${id} is broken`));
      return async ? new Promise((resolve) => setTimeout(() => resolve(answer), 10)) : answer;
    },
  };
}

/** The CONNACK code a 3.1.1 client gets from a broker with these hooks. */
async function connackCode(hooks: Hook[], logger?: Logger): Promise<number> {
  await using broker = await startBroker(logger === undefined ? { hooks } : { hooks, logger });
  const { client, connack } = await rawConnectWithAck(broker.port, {
    protocolVersion: 4,
    clientId: 'decide',
  });
  await using _ = client;
  return connack.code;
}

describe('decision hooks', () => {
  it('with no authenticate hook the broker allows (allow-all default)', async () => {
    expect(await connackCode([])).toBe(0);
  });

  it('the first answer that is not defer wins, and later hooks are not asked', async () => {
    const asked: string[] = [];
    expect(
      await connackCode([
        decider('a', 'defer', asked),
        decider('b', 'allow', asked),
        decider('c', 'deny', asked),
      ]),
    ).toBe(0);
    expect(asked).toEqual(['a', 'b']);
    asked.length = 0;
    expect(await connackCode([decider('a', 'deny', asked), decider('b', 'allow', asked)])).toBe(0x05);
    expect(asked).toEqual(['a']);
  });

  it('when every hook defers the answer is deny', async () => {
    const asked: string[] = [];
    expect(await connackCode([decider('a', 'defer', asked), decider('b', 'defer', asked)])).toBe(0x05);
    expect(asked).toEqual(['a', 'b']);
  });

  it('a hook that throws denies (fail closed), and is logged', async () => {
    const asked: string[] = [];
    const errors: string[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (_fields, message) => void errors.push(message),
    };
    expect(await connackCode([decider('a', 'throw', asked), decider('b', 'allow', asked)], logger)).toBe(
      0x05,
    );
    expect(asked).toEqual(['a']);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('an async hook that rejects denies', async () => {
    const asked: string[] = [];
    expect(await connackCode([decider('a', 'reject', asked), decider('b', 'allow', asked)])).toBe(0x05);
    expect(asked).toEqual(['a']);
  });

  it('async and sync answers chain in order: async defer, then sync allow', async () => {
    const asked: string[] = [];
    expect(
      await connackCode([
        decider('a', 'defer', asked, true),
        decider('b', 'allow', asked),
        decider('c', 'deny', asked),
      ]),
    ).toBe(0);
    expect(asked).toEqual(['a', 'b']);
    asked.length = 0;
    expect(
      await connackCode([
        decider('a', 'defer', asked),
        decider('b', 'defer', asked, true),
        decider('c', 'deny', asked, true),
      ]),
    ).toBe(0x05);
    expect(asked).toEqual(['a', 'b', 'c']);
  });

  it('a hook answering something that is not a decision denies instead of crashing the broker', async () => {
    const broken = [null, undefined, 42, 'yes'] as unknown as AuthenticateResult[];
    for (const answer of broken) {
      expect(await connackCode([{ id: 'odd', authenticate: () => answer }]), String(answer)).toBe(0x05);
    }
  });

  it('hooks see a read-only view of the client: id, user name, version, listener and remote address', async () => {
    const seen: unknown[] = [];
    await using broker = await startBroker({
      hooks: [
        {
          id: 'look',
          authenticate: (event) => {
            const { client } = event;
            seen.push({
              id: client.id,
              username: client.username,
              protocolVersion: client.protocolVersion,
              listenerId: client.listenerId,
              remoteAddress: client.remoteAddress,
              transport: client.transport,
            });
            // Loggers serialise the view with JSON: the remote address (read lazily) must be there too.
            seen.push(JSON.parse(JSON.stringify(client)));
            return 'allow';
          },
        },
      ],
    });
    const { client } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'viewer',
      username: 'u',
    });
    await using _ = client;
    const view = {
      id: '',
      username: 'u',
      protocolVersion: 5,
      listenerId: `tcp:${broker.port}`,
      remoteAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      transport: {},
    };
    expect(seen).toEqual([view, view]);
  });

  it('a hook with an id already registered is refused; hooks added after start are used', async () => {
    await using broker = await startBroker();
    broker.broker.use({ id: 'late', authenticate: () => 'deny' });
    expect(() => broker.broker.use({ id: 'late' })).toThrow(/already registered/);
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'late',
    });
    await using _ = client;
    expect(connack.code).toBe(0x05);
  });
});

describe('notification hooks', () => {
  it('onConnected reports Session Present; onDisconnected reports each cause', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });

    const polite = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'n-polite',
      clean: false,
      properties: [[0x11, 60]],
    });
    expect((await events.next('connected', (e) => e.client.id === 'n-polite')).sessionPresent).toBe(false);
    await polite.client.send(rawDisconnect(5, 0x00));
    expect(await events.next('disconnected', (e) => e.client.id === 'n-polite')).toMatchObject({
      cause: 'client-disconnect',
      reasonCode: 0,
      willPublished: false,
    });

    const back = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'n-polite',
      clean: false,
    });
    expect((await events.next('connected', (e) => e.client.id === 'n-polite')).sessionPresent).toBe(true);
    back.client.destroy();
    expect((await events.next('disconnected', (e) => e.client.id === 'n-polite')).cause).toBe(
      'socket-closed',
    );

    const rude = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'n-rude' });
    await rude.client.send(rawConnect({ protocolVersion: 5, clientId: 'n-rude' }));
    expect(await events.next('disconnected', (e) => e.client.id === 'n-rude')).toMatchObject({
      cause: 'protocol-error',
      reasonCode: 0x82,
    });

    const first = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'n-twin' });
    const second = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'n-twin' });
    expect(await events.next('disconnected', (e) => e.client.id === 'n-twin')).toMatchObject({
      cause: 'session-taken-over',
      reasonCode: 0x8e,
    });
    await first.client.expectClose();
    second.client.destroy();
    await events.next('disconnected', (e) => e.client.id === 'n-twin');

    const sleepy = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'n-sleepy',
      keepAlive: 1,
    });
    expect(await events.next('disconnected', (e) => e.client.id === 'n-sleepy')).toMatchObject({
      cause: 'keepalive-timeout',
      reasonCode: 0x8d,
    });
    for (const client of [
      polite.client,
      back.client,
      rude.client,
      first.client,
      second.client,
      sleepy.client,
    ])
      client.destroy();
  });

  it('onDisconnected is not called for a connection that never completed CONNECT', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events, { id: 'no', authenticate: () => 'deny' }] });
    const { client } = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'never' });
    await client.expectClose();
    await using probe = await RawClient.connect(broker.port);
    await probe.send(rawPingreq());
    await probe.expectClose();
    expect(events.all('connected')).toEqual([]);
    expect(events.all('disconnected')).toEqual([]);
  });

  it('onMessageDropped reports a full offline queue with reason queue-full', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events], limits: { maximumQueuedMessages: 1 } });
    const { client } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'full',
      clean: false,
    });
    await client.send(rawSubscribe(1, [{ filter: 'full/#', qos: 1 }], 4));
    await client.expectFrame({ type: 9 });
    await client.close();
    await events.next('disconnected', (e) => e.client.id === 'full');
    broker.broker.publish({ topic: 'full/1', payload: 'kept', qos: 1 });
    broker.broker.publish({ topic: 'full/2', payload: 'dropped', qos: 1 });
    expect(await events.next('dropped')).toMatchObject({
      clientId: 'full',
      topic: 'full/2',
      qos: 1,
      reason: 'queue-full',
    });
    expect(broker.broker.stats.messagesDropped).toBe(1);
  });

  it('a notification hook that throws is logged and changes nothing', async () => {
    const errors: string[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (_fields, message) => void errors.push(message),
    };
    const events = new EventRecorder();
    const thrower: Hook = {
      id: 'thrower',
      onConnected: () => {
        throw new Error('boom');
      },
      onDisconnected: () => {
        throw new Error('boom');
      },
      onPublished: () => {
        throw new Error('boom');
      },
    };
    await using broker = await startBroker({ hooks: [thrower, events], logger });
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'survivor',
    });
    await using _ = client;
    expect(connack.code).toBe(0);
    await client.send(rawSubscribe(1, [{ filter: 'survive/#', qos: 0 }], 4));
    await client.expectFrame({ type: 9 });
    broker.broker.publish({ topic: 'survive/a', payload: 'still works' });
    expect(parsePublish(await client.expectFrame({ type: 3 }), 4).payload.toString()).toBe('still works');
    // The hooks after the thrower were still called.
    await events.next('connected', (e) => e.client.id === 'survivor');
    await events.next('published');
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });

  it('an async notification hook that rejects is logged, not an unhandled rejection', async () => {
    const errors: string[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (_fields, message) => void errors.push(message),
    };
    const asyncThrower = {
      id: 'async-thrower',
      onConnected: async () => {
        throw new Error('async boom');
      },
    } as Hook;
    await using broker = await startBroker({ hooks: [asyncThrower], logger });
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'async-survivor',
    });
    await using _ = client;
    expect(connack.code).toBe(0);
    await client.send(rawPingreq());
    await client.expectFrame({ type: 13 });
    await expect.poll(() => errors.length).toBeGreaterThan(0);
  });

  it('onPublished sees wills with isWill true and the publisher-less client', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    await using client = await RawClient.connect(broker.port);
    await client.send(
      rawConnect({
        protocolVersion: 4,
        clientId: 'willer',
        will: { topic: 'n/will', payload: 'w', qos: 1, retain: true },
      }),
    );
    expect(parseConnack(await client.expectFrame({ type: 2 }), 4).code).toBe(0);
    client.destroy();
    const published = await events.next('published', (e) => e.isWill);
    expect(published.message).toMatchObject({ topic: 'n/will', qos: 1, retain: true });
    expect(Buffer.from(published.message.payload).toString()).toBe('w');
  });
});
