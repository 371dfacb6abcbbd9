/**
 * MQTT 5.0 enhanced authentication (sections 3.15 and 4.12) through the `authenticateEnhanced` hook,
 * with a toy challenge/response method: the server sends a number, the client answers with it plus 1.
 */
import {
  frame,
  parseAuth,
  parseConnack,
  parseDisconnect,
  RawClient,
  type RawProperty,
  rawAuth,
  rawConnect,
  rawDisconnect,
  rawPingreq,
  rawPublish,
} from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import type { EnhancedAuthEvent, EnhancedAuthResult, Hook } from '../src/index.js';
import { startBroker } from './fixtures.js';
import { EventRecorder, propertyOf, rawConnectWithAck } from './lifecycle-helpers.js';

const METHOD = 'TOY-CHALLENGE';
const text = (data: Uint8Array | undefined) => Buffer.from(data ?? []).toString();

/**
 * The toy method: CONNECT data is the user ("alice"); the server challenges with "7", the client
 * must answer "8". Re-authentication runs the same way. Other users are refused with 0x87, and
 * other methods are not this hook's business (defer).
 */
function toyAuthenticator(options: { async?: boolean; seen?: EnhancedAuthEvent[] } = {}): Hook {
  const decide = (event: EnhancedAuthEvent): EnhancedAuthResult => {
    options.seen?.push(event);
    if (event.method !== METHOD) return 'defer';
    if (event.step === 0) {
      if (text(event.data) !== 'alice') return { deny: 0x87, reasonString: 'unknown user' };
      return { continue: true, data: Buffer.from('7') };
    }
    if (text(event.data) === '8') return { allow: true, data: Buffer.from('welcome'), username: 'alice' };
    return { deny: 0x87, reasonString: 'wrong answer' };
  };
  return {
    id: 'toy-auth',
    authenticateEnhanced: (event) =>
      options.async === true
        ? new Promise((resolve) => setTimeout(() => resolve(decide(event)), 20))
        : decide(event),
  };
}

const authProperties = (data?: string, method = METHOD): RawProperty[] =>
  data === undefined
    ? [[0x15, method]]
    : [
        [0x15, method],
        [0x16, Buffer.from(data)],
      ];

/** Runs the toy exchange up to and including the CONNACK. */
async function authenticate(port: number, clientId: string, answer = '8') {
  const client = await RawClient.connect(port);
  await client.send(rawConnect({ protocolVersion: 5, clientId, properties: authProperties('alice') }));
  const challenge = parseAuth(await client.expectFrame({ type: 15 }));
  await client.send(rawAuth(0x18, authProperties(answer)));
  return { client, challenge, connack: parseConnack(await client.expectFrame({ type: 2 }), 5) };
}

describe('enhanced authentication at CONNECT', () => {
  for (const kind of ['sync', 'async'] as const) {
    it(`[MQTT-4.12.0-2] [MQTT-4.12.0-5] ${kind} hook: challenge (AUTH 0x18) and response, then CONNACK 0 with the method`, async () => {
      const seen: EnhancedAuthEvent[] = [];
      const events = new EventRecorder();
      await using broker = await startBroker({
        hooks: [toyAuthenticator({ async: kind === 'async', seen }), events],
      });
      const { client, challenge, connack } = await authenticate(broker.port, `toy-${kind}`);
      await using _ = client;
      expect(challenge.reasonCode).toBe(0x18);
      expect(propertyOf(challenge.properties, 0x15)).toBe(METHOD);
      expect(text(propertyOf(challenge.properties, 0x16) as Buffer)).toBe('7');
      expect(connack.code).toBe(0);
      expect(propertyOf(connack.properties, 0x15)).toBe(METHOD);
      expect(text(propertyOf(connack.properties, 0x16) as Buffer)).toBe('welcome');
      expect(seen.map((event) => [event.step, text(event.data), event.reauthenticate])).toEqual([
        [0, 'alice', false],
        [1, '8', false],
      ]);
      expect((await events.next('connected')).client.username).toBe('alice');
      await client.send(rawPingreq());
      await client.expectFrame({ type: 13 });
    });
  }

  it('a one-step method: allow at CONNECT gives CONNACK 0 with the method and no AUTH', async () => {
    await using broker = await startBroker({
      hooks: [
        {
          id: 'one-step',
          authenticateEnhanced: (event) => (event.method === 'TOKEN' ? { allow: true } : 'defer'),
        },
      ],
    });
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'token',
      properties: authProperties('opaque', 'TOKEN'),
    });
    await using _ = client;
    expect(connack.code).toBe(0);
    expect(propertyOf(connack.properties, 0x15)).toBe('TOKEN');
    expect(propertyOf(connack.properties, 0x16)).toBeUndefined();
    expect(client.received.map((f) => f.type)).toEqual([2]);
  });

  it('a wrong answer gets CONNACK 0x87 and the connection closes', async () => {
    await using broker = await startBroker({ hooks: [toyAuthenticator()] });
    const { client, connack } = await authenticate(broker.port, 'wrong', '9');
    await using _ = client;
    expect(connack.code).toBe(0x87);
    expect(connack.sessionPresent).toBe(false);
    expect(propertyOf(connack.properties, 0x1f)).toBe('wrong answer');
    await client.expectClose();
  });

  it('[MQTT-4.12.0-1] a method no hook supports gets CONNACK 0x8C Bad authentication method, then close', async () => {
    await using broker = await startBroker({ hooks: [toyAuthenticator()] });
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'bad-method',
      properties: authProperties('x', 'SCRAM-SHA-1'),
    });
    await using _ = client;
    expect(connack.code).toBe(0x8c);
    await client.expectClose();
  });

  it('[MQTT-4.12.0-1] with no enhanced-auth hook at all, any method gets CONNACK 0x8C', async () => {
    await using broker = await startBroker();
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'no-hook',
      properties: authProperties('x'),
    });
    await using _ = client;
    expect(connack.code).toBe(0x8c);
    await client.expectClose();
  });

  it('Authentication Data without an Authentication Method in CONNECT is a protocol error (0x82)', async () => {
    await using broker = await startBroker({ hooks: [toyAuthenticator()] });
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'data-only',
      properties: [[0x16, Buffer.from('x')]],
    });
    await using _ = client;
    expect(connack.code).toBe(0x82);
    await client.expectClose();
  });

  it('[MQTT-4.12.0-5] an AUTH with a different method during the exchange is a protocol error (CONNACK 0x82)', async () => {
    await using broker = await startBroker({ hooks: [toyAuthenticator()] });
    await using client = await RawClient.connect(broker.port);
    await client.send(
      rawConnect({ protocolVersion: 5, clientId: 'switch', properties: authProperties('alice') }),
    );
    await client.expectFrame({ type: 15 });
    await client.send(rawAuth(0x18, authProperties('8', 'OTHER')));
    expect(parseConnack(await client.expectFrame({ type: 2 }), 5).code).toBe(0x82);
    await client.expectClose();
  });

  it('[MQTT-4.12.0-3] an AUTH answer without reason code 0x18 during the exchange is a protocol error', async () => {
    await using broker = await startBroker({ hooks: [toyAuthenticator()] });
    await using client = await RawClient.connect(broker.port);
    await client.send(
      rawConnect({ protocolVersion: 5, clientId: 'reason', properties: authProperties('alice') }),
    );
    await client.expectFrame({ type: 15 });
    await client.send(rawAuth(0x19, authProperties('8')));
    expect(parseConnack(await client.expectFrame({ type: 2 }), 5).code).toBe(0x82);
    await client.expectClose();
  });

  it('[MQTT-3.1.2-30] a packet other than AUTH or DISCONNECT before CONNACK is a protocol error', async () => {
    await using broker = await startBroker({ hooks: [toyAuthenticator()] });
    await using client = await RawClient.connect(broker.port);
    await client.send(
      rawConnect({ protocolVersion: 5, clientId: 'eager', properties: authProperties('alice') }),
    );
    await client.expectFrame({ type: 15 });
    await client.send(rawPublish({ topic: 'too/early', payload: 'x' }, 5));
    expect(parseConnack(await client.expectFrame({ type: 2 }), 5).code).toBe(0x82);
    await client.expectClose();
  });

  it('[MQTT-3.1.2-30] a DISCONNECT during the exchange ends it quietly: no CONNACK, no session', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [toyAuthenticator(), events] });
    await using client = await RawClient.connect(broker.port);
    await client.send(
      rawConnect({ protocolVersion: 5, clientId: 'give-up', properties: authProperties('alice') }),
    );
    await client.expectFrame({ type: 15 });
    await client.send(rawDisconnect(5));
    await client.expectClose();
    expect(client.pending).toEqual([]);
    expect(events.all('connected')).toEqual([]);
    expect(broker.broker.sessions.get('give-up')).toBeUndefined();
  });

  it('an exchange that never finishes is closed by the connect timeout', async () => {
    await using broker = await startBroker({
      hooks: [toyAuthenticator()],
      limits: { connectTimeoutMs: 400 },
    });
    await using client = await RawClient.connect(broker.port);
    await client.send(
      rawConnect({ protocolVersion: 5, clientId: 'stalled', properties: authProperties('alice') }),
    );
    await client.expectFrame({ type: 15 });
    await client.expectClose(3000);
  });

  it('3.1.1 has no AUTH packet: type 15 is malformed and closes the connection', async () => {
    await using broker = await startBroker();
    const { client } = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'old' });
    await using _ = client;
    await client.send(frame(0xf0, Buffer.alloc(0)));
    await client.expectClose();
    expect(client.pending).toEqual([]);
  });
});

describe('re-authentication', () => {
  it('[MQTT-4.12.1-1] AUTH 0x19 with the same method re-runs the exchange and ends with AUTH 0x00', async () => {
    const seen: EnhancedAuthEvent[] = [];
    await using broker = await startBroker({ hooks: [toyAuthenticator({ seen })] });
    const { client, connack } = await authenticate(broker.port, 'reauth');
    await using _ = client;
    expect(connack.code).toBe(0);
    seen.length = 0;
    await client.send(rawAuth(0x19, authProperties('alice')));
    const challenge = parseAuth(await client.expectFrame({ type: 15 }));
    expect(challenge.reasonCode).toBe(0x18);
    expect(propertyOf(challenge.properties, 0x15)).toBe(METHOD);
    // Other packets keep flowing during re-authentication.
    await client.send(rawPingreq());
    await client.expectFrame({ type: 13 });
    await client.send(rawAuth(0x18, authProperties('8')));
    const done = parseAuth(await client.expectFrame({ type: 15 }));
    expect(done.reasonCode).toBe(0x00);
    expect(propertyOf(done.properties, 0x15)).toBe(METHOD);
    expect(text(propertyOf(done.properties, 0x16) as Buffer)).toBe('welcome');
    expect(seen.map((event) => [event.step, text(event.data), event.reauthenticate])).toEqual([
      [0, 'alice', true],
      [1, '8', true],
    ]);
    // And again: a second re-authentication works the same way.
    await client.send(rawAuth(0x19, authProperties('alice')));
    expect(parseAuth(await client.expectFrame({ type: 15 })).reasonCode).toBe(0x18);
    await client.send(rawAuth(0x18, authProperties('8')));
    expect(parseAuth(await client.expectFrame({ type: 15 })).reasonCode).toBe(0x00);
  });

  it('[MQTT-4.12.1-2] a failed re-authentication gets DISCONNECT with the reason code, and the connection closes', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [toyAuthenticator(), events] });
    const { client } = await authenticate(broker.port, 'reauth-fail');
    await using _ = client;
    await client.send(rawAuth(0x19, authProperties('alice')));
    await client.expectFrame({ type: 15 });
    await client.send(rawAuth(0x18, authProperties('41')));
    const disconnect = parseDisconnect(await client.expectFrame({ type: 14 }), 5);
    expect(disconnect.reasonCode).toBe(0x87);
    await client.expectClose();
    expect((await events.next('disconnected')).cause).toBe('not-authorized');
  });

  it('[MQTT-4.12.1-1] re-authentication with another method is a protocol error (DISCONNECT 0x82)', async () => {
    await using broker = await startBroker({ hooks: [toyAuthenticator()] });
    const { client } = await authenticate(broker.port, 'reauth-switch');
    await using _ = client;
    await client.send(rawAuth(0x19, authProperties('alice', 'OTHER')));
    expect(parseDisconnect(await client.expectFrame({ type: 14 }), 5).reasonCode).toBe(0x82);
    await client.expectClose();
  });

  it('AUTH on a connection whose CONNECT had no Authentication Method is a protocol error (DISCONNECT 0x82)', async () => {
    await using broker = await startBroker({ hooks: [toyAuthenticator()] });
    const { client } = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'plain' });
    await using _ = client;
    await client.send(rawAuth(0x19, authProperties('alice')));
    expect(parseDisconnect(await client.expectFrame({ type: 14 }), 5).reasonCode).toBe(0x82);
    await client.expectClose();
  });

  it('AUTH 0x18 out of the blue (no re-authentication started) is a protocol error', async () => {
    await using broker = await startBroker({ hooks: [toyAuthenticator()] });
    const { client } = await authenticate(broker.port, 'unasked');
    await using _ = client;
    await client.send(rawAuth(0x18, authProperties('8')));
    expect(parseDisconnect(await client.expectFrame({ type: 14 }), 5).reasonCode).toBe(0x82);
    await client.expectClose();
  });
});
