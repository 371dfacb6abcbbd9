/**
 * MQTT 5.0 enhanced authentication (sections 4.12 and 3.15): the `auth` option and `reauthenticate()`.
 * Against the real mqttkit broker, with a hook implementing a small challenge–response method (the
 * server sends nonces, the client answers each with an HMAC of it under a shared key); and against
 * testkit's FakeBroker, byte for byte, for the rules the client enforces on a server.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { EnhancedAuthEvent, EnhancedAuthResult, Hook } from '@mqttkit/broker';
import {
  FakeBroker,
  type ParsedConnect,
  parseAuth,
  parseConnect,
  parseDisconnect,
  parsePublish,
  propertyValues,
  type RawConnection,
  type RawProperty,
  rawAuth,
  rawConnack,
  rawPuback,
} from '@mqttkit/testkit';
import { MqttError } from '@mqttkit/types';
import { afterEach, describe, expect, it } from 'vitest';
import type { MqttClient } from '../src/client.js';
import {
  type AuthChallengeContext,
  AuthenticationError,
  ConnectionRefusedError,
  type ConnectOptions,
  connect,
  type EnhancedAuthOptions,
  NotAuthorizedError,
  TimeoutError,
} from '../src/index.js';
import { type BrokerFixture, nextEvent, startBroker, text, waitFor } from './fixtures.js';

const METHOD = 'HMAC-SHA256-NONCE';
const KEYS: Readonly<Record<string, string>> = { alice: 'alice-secret', bob: 'bob-secret' };
/** Challenges per exchange: the server sends this many nonces before it accepts. */
const ROUNDS = 2;
const FAST_RECONNECT = { initialDelayMs: 20, maxDelayMs: 100, jitter: 'none' } as const;
const CONNECT = 1;
const PUBLISH = 3;
const DISCONNECT = 14;
const AUTH = 15;

const hmac = (key: string, data: Uint8Array | string): Buffer =>
  createHmac('sha256', key).update(data).digest();
/** The server's proof, sent with its acceptance: an HMAC of the last nonce, prefixed, so it differs from the client's. */
const serverProof = (key: string, nonce: Uint8Array): Buffer =>
  hmac(key, Buffer.concat([Buffer.from('server:'), nonce]));

/**
 * The server half of the method, as a broker hook. Step 0 (CONNECT or AUTH 0x19) names the user;
 * the server answers with a nonce (AUTH 0x18), ROUNDS times, each answer having to be HMAC(key,
 * nonce); then it accepts with its own proof. Unknown users get 0x86, wrong answers 0x87, other
 * methods are not its business (defer: the broker answers 0x8C).
 */
function hmacAuthenticator(seen: EnhancedAuthEvent[]): Hook {
  const exchanges = new Map<string, { key: string; nonce: Buffer }>();
  const challenge = (clientId: string, key: string): EnhancedAuthResult => {
    const nonce = randomBytes(16);
    exchanges.set(clientId, { key, nonce });
    return { continue: true, data: nonce };
  };
  return {
    id: 'hmac-nonce',
    authenticateEnhanced(event) {
      seen.push(event);
      if (event.method !== METHOD) return 'defer';
      const clientId = event.client.id;
      if (event.step === 0) {
        const key = KEYS[text(event.data ?? new Uint8Array())];
        if (key === undefined) return { deny: 0x86, reasonString: 'unknown user' };
        return challenge(clientId, key);
      }
      const exchange = exchanges.get(clientId);
      if (exchange === undefined || event.data === undefined) return { deny: 0x87 };
      if (!hmac(exchange.key, exchange.nonce).equals(event.data))
        return { deny: 0x87, reasonString: 'wrong answer' };
      if (event.step < ROUNDS) return challenge(clientId, exchange.key);
      exchanges.delete(clientId);
      return { allow: true, data: serverProof(exchange.key, exchange.nonce) };
    },
  };
}

/** The client half: CONNECT data is the user, each challenge is answered with HMAC(key, nonce). */
function hmacClient(user: string, secret: { key: string }, log: AuthChallengeContext[] = []) {
  let initialCalls = 0;
  let lastNonce: Uint8Array = new Uint8Array();
  const auth: EnhancedAuthOptions = {
    method: METHOD,
    initialData: () => {
      initialCalls++;
      return Buffer.from(user);
    },
    // Async on purpose: the client must wait for the answer, however late.
    onChallenge: async (nonce, context) => {
      log.push(context);
      if (nonce === undefined) throw new Error('the challenge has no nonce');
      lastNonce = nonce;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return hmac(secret.key, nonce);
    },
  };
  return {
    auth,
    get initialCalls() {
      return initialCalls;
    },
    /** True when `proof` is the server's proof for the last challenge. */
    verifies: (proof: Uint8Array | undefined) =>
      proof !== undefined && serverProof(secret.key, lastNonce).equals(proof),
  };
}

/** What each test opened, closed after it in reverse order (clients before the brokers they use). */
const openedResources: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of openedResources.splice(0).reverse()) await close();
});

async function broker(seen: EnhancedAuthEvent[]): Promise<BrokerFixture> {
  const fixture = await startBroker({ hooks: [hmacAuthenticator(seen)] });
  openedResources.push(() => fixture.close());
  return fixture;
}

function track(c: MqttClient): MqttClient {
  openedResources.push(() => c.end({ force: true }));
  return c;
}

async function client(url: string, options: ConnectOptions): Promise<MqttClient> {
  return track(await connect(url, { reconnect: FAST_RECONNECT, connectTimeoutMs: 5000, ...options }));
}

/** A broker with the HMAC hook and alice connected to it through the whole exchange. */
async function aliceConnected(clientId: string, options: ConnectOptions = {}) {
  const seen: EnhancedAuthEvent[] = [];
  const b = await broker(seen);
  const challenges: AuthChallengeContext[] = [];
  const alice = hmacClient('alice', { key: KEYS.alice! }, challenges);
  const c = await client(b.url, { clientId, auth: alice.auth, ...options });
  return { b, seen, challenges, alice, c };
}

/** What `promise` rejects with (or undefined when it resolves), so a test can inspect it. */
function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

const steps = (seen: readonly EnhancedAuthEvent[]) =>
  seen.map((e) => `${e.reauthenticate ? 're' : ''}${e.step}`).join(' ');

describe('enhanced authentication against the mqttkit broker', () => {
  it('[MQTT-4.12.0-2] [MQTT-4.12.0-3] runs a two-challenge exchange in CONNECT and completes on CONNACK', async () => {
    const { seen, challenges, alice, c } = await aliceConnected('alice-1');
    expect(c.connected).toBe(true);
    expect(steps(seen)).toBe('0 1 2');
    expect(challenges.map((ctx) => [ctx.step, ctx.isReauthentication, ctx.packet.reasonCode])).toEqual([
      [1, false, 0x18],
      [2, false, 0x18],
    ]);
    // [MQTT-4.12.0-5] The CONNACK repeats the method; its data is the server's proof.
    expect(c.connack?.properties?.authenticationMethod).toBe(METHOD);
    expect(alice.verifies(c.connack?.properties?.authenticationData)).toBe(true);
    await c.subscribe('t', { qos: 1 });
    const message = nextEvent(c, 'message');
    await c.publish('t', 'after auth', { qos: 1 });
    expect(text((await message)[0].payload)).toBe('after auth');
  });

  it('[MQTT-4.12.0-4] a wrong answer: connect() rejects with NotAuthorizedError 0x87, an unknown user with 0x86', async () => {
    const b = await broker([]);
    const wrong = hmacClient('alice', { key: 'not-the-key' });
    const error = await failure(connect(b.url, { auth: wrong.auth, connectTimeoutMs: 5000 }));
    expect(error).toBeInstanceOf(NotAuthorizedError);
    expect(error).toMatchObject({ code: 'NOT_AUTHORIZED', reasonCode: 0x87, reasonString: 'wrong answer' });

    const stranger = hmacClient('mallory', { key: 'x' });
    const refused = await failure(connect(b.url, { auth: stranger.auth, connectTimeoutMs: 5000 }));
    expect(refused).toBeInstanceOf(NotAuthorizedError);
    expect(refused).toMatchObject({ code: 'BAD_USER_NAME_OR_PASSWORD', reasonCode: 0x86 });
  });

  it('[MQTT-4.12.0-1] an unknown method: connect() rejects with ConnectionRefusedError 0x8C (not retryable)', async () => {
    const seen: EnhancedAuthEvent[] = [];
    const b = await broker(seen);
    const auth: EnhancedAuthOptions = {
      method: 'SCRAM-SHA-1',
      initialData: Buffer.from('n,,n=alice'),
      onChallenge: () => undefined,
    };
    const error = await failure(connect(b.url, { auth, connectTimeoutMs: 5000, reconnect: FAST_RECONNECT }));
    expect(error).toBeInstanceOf(ConnectionRefusedError);
    expect(error).not.toBeInstanceOf(NotAuthorizedError);
    expect(error).toMatchObject({ code: 'BAD_AUTHENTICATION_METHOD', reasonCode: 0x8c });
    expect((error as ConnectionRefusedError).isRetryable).toBe(false);
    expect(seen.map((e) => e.method)).toEqual(['SCRAM-SHA-1']);
  });

  it('[MQTT-4.12.1-1] re-authenticates on the open connection, with traffic going on, and resolves on AUTH 0x00', async () => {
    const { seen, challenges, alice, c } = await aliceConnected('alice-re');
    let reconnects = 0;
    c.on('connect', () => reconnects++);
    const reauthenticated = c.reauthenticate(undefined, { timeoutMs: 5000 });
    // Other packets flow during the exchange.
    const published = c.publish('t', 'meanwhile', { qos: 1 });
    const result = await reauthenticated;
    // 0x10 No matching subscribers: the broker took it.
    await expect(published).resolves.toEqual({ reasonCode: 0x10 });
    expect(alice.verifies(result.data)).toBe(true);
    expect(result.properties?.authenticationMethod).toBe(METHOD);
    expect(steps(seen)).toBe('0 1 2 re0 re1 re2');
    expect(challenges.slice(2).map((ctx) => [ctx.step, ctx.isReauthentication])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(alice.initialCalls).toBe(2);
    // Explicit data for the AUTH 0x19, and a second re-authentication on the same connection.
    await c.reauthenticate(Buffer.from('alice'), { timeoutMs: 5000 });
    expect(alice.initialCalls).toBe(2);
    expect(reconnects).toBe(0);
    expect(c.connected).toBe(true);
  });

  it('[MQTT-4.12.1-2] a refused re-authentication rejects with AuthenticationError 0x87 and the DISCONNECT', async () => {
    const b = await broker([]);
    const secret = { key: KEYS.bob! };
    const bob = hmacClient('bob', secret);
    const c = await client(b.url, { clientId: 'bob-re', auth: bob.auth });
    const disconnect = nextEvent(c, 'disconnect');
    const closed = nextEvent(c, 'close');
    const errorEvent = nextEvent(c, 'error');
    secret.key = 'rotated-on-one-side-only';
    const error = await failure(c.reauthenticate(undefined, { timeoutMs: 5000 }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ code: 'NOT_AUTHORIZED', reasonCode: 0x87 });
    expect((error as Error).message).toBe('re-authentication failed: Not authorized (0x87): wrong answer');
    expect((error as AuthenticationError).disconnect).toMatchObject({ reasonCode: 0x87 });
    expect((await disconnect)[0].reasonCode).toBe(0x87);
    // The client reconnects, authenticating anew; with the wrong key it is refused for good.
    const [refusal] = await errorEvent;
    expect(refusal).toBeInstanceOf(NotAuthorizedError);
    await closed;
  });

  it('runs the exchange again on every automatic reconnect, with fresh initial data', async () => {
    const { b, seen, alice, c } = await aliceConnected('alice-rc', { clean: false });
    const reconnected = nextEvent(c, 'connect');
    await b.kill();
    await b.listen();
    const [connack] = await reconnected;
    expect(connack.properties?.authenticationMethod).toBe(METHOD);
    expect(alice.verifies(connack.properties?.authenticationData)).toBe(true);
    expect(steps(seen)).toBe('0 1 2 0 1 2');
    expect(alice.initialCalls).toBe(2);
    await expect(c.publish('t', 'back', { qos: 1 })).resolves.toEqual({ reasonCode: 0x10 });
  });
});

describe('enhanced authentication options', () => {
  const auth: EnhancedAuthOptions = { method: METHOD, onChallenge: () => undefined };

  it('refuses auth with MQTT 3.1 / 3.1.1 at construction, with a TypeError (section 4.12 is 5.0 only)', async () => {
    for (const protocolVersion of [3, 4] as const) {
      await expect(connect('mqtt://127.0.0.1:1', { protocolVersion, auth })).rejects.toThrow(
        new TypeError(`auth (enhanced authentication) needs protocolVersion 5, got ${protocolVersion}`),
      );
    }
  });

  it('refuses a method without a handler, in properties or malformed', async () => {
    const url = 'mqtt://127.0.0.1:1';
    await expect(connect(url, { properties: { authenticationMethod: METHOD } })).rejects.toThrow(TypeError);
    await expect(connect(url, { properties: { authenticationData: new Uint8Array(1) } })).rejects.toThrow(
      /auth option/,
    );
    await expect(connect(url, { auth: { ...auth, method: '' } })).rejects.toThrow(/auth.method/);
    await expect(
      connect(url, { auth: { method: METHOD } as unknown as EnhancedAuthOptions }),
    ).rejects.toThrow(/auth.onChallenge/);
    await expect(
      connect(url, { auth: { ...auth, initialData: 'text' as unknown as Uint8Array } }),
    ).rejects.toThrow(/auth.initialData/);
  });
});

describe('enhanced authentication, byte for byte against a scripted server', () => {
  const NONCE = Buffer.from('0123456789abcdef');
  const KEY = 'fake-key';
  const method = (name = METHOD): RawProperty[] => [[0x15, name]];
  const withData = (data: Uint8Array, name = METHOD): RawProperty[] => [
    [0x15, name],
    [0x16, data],
  ];
  const auth: EnhancedAuthOptions = {
    method: METHOD,
    initialData: Buffer.from('alice'),
    onChallenge: (nonce) => hmac(KEY, nonce ?? new Uint8Array()),
  };

  async function fakeBroker(): Promise<FakeBroker> {
    const fake = await FakeBroker.start();
    openedResources.push(() => fake.close());
    return fake;
  }

  /** Starts connecting to `fake` and returns the promise and the connection with its parsed CONNECT. */
  async function connecting(fake: FakeBroker, options: ConnectOptions = { auth }) {
    const promise = connect(`mqtt://127.0.0.1:${fake.port}`, {
      reconnect: FAST_RECONNECT,
      connectTimeoutMs: 5000,
      ...options,
    });
    promise.then(track).catch(() => undefined);
    const connection = await fake.nextConnection();
    return { promise, connection, connect: parseConnect(await connection.expectFrame({ type: CONNECT })) };
  }

  /** One challenge and its answer: sends AUTH 0x18 with the nonce, returns the client's AUTH. */
  async function challenge(connection: RawConnection) {
    await connection.send(rawAuth(0x18, withData(NONCE)));
    return parseAuth(await connection.expectFrame({ type: AUTH }));
  }

  /** Expects the client to close `connection` after DISCONNECT with `reasonCode`. */
  async function expectDisconnect(connection: RawConnection, reasonCode: number): Promise<void> {
    expect(parseDisconnect(await connection.expectFrame({ type: DISCONNECT }), 5).reasonCode).toBe(
      reasonCode,
    );
    await connection.expectClose(2000);
  }

  const authProperty = (c: ParsedConnect, id: number) => propertyValues(c.properties, id);

  it('[MQTT-4.12.0-3] [MQTT-4.12.0-5] CONNECT carries method and data; each AUTH 0x18 is answered with AUTH 0x18 and the method', async () => {
    const fake = await fakeBroker();
    const { promise, connection, connect: sent } = await connecting(fake);
    expect(authProperty(sent, 0x15)).toEqual([METHOD]);
    expect(authProperty(sent, 0x16)).toEqual([Buffer.from('alice')]);
    for (let round = 0; round < 2; round++) {
      const answer = await challenge(connection);
      expect(answer.reasonCode).toBe(0x18);
      expect(propertyValues(answer.properties, 0x15)).toEqual([METHOD]);
      expect(propertyValues(answer.properties, 0x16)).toEqual([hmac(KEY, NONCE)]);
    }
    await connection.send(rawConnack({ properties: withData(Buffer.from('proof')) }, 5));
    const c = await promise;
    expect(c.connack?.properties?.authenticationData).toEqual(new Uint8Array(Buffer.from('proof')));
  });

  it('[MQTT-3.1.2-30] sends nothing but AUTH before CONNACK, even with publishes queued for the reconnect', async () => {
    const fake = await fakeBroker();
    const first = await connecting(fake);
    await first.connection.send(rawConnack({ properties: method() }, 5));
    const c = await first.promise;
    const offline = nextEvent(c, 'offline');
    first.connection.destroy();
    await offline;
    const published = c.publish('t', 'queued', { qos: 1 });
    const connection = await fake.nextConnection();
    await connection.expectFrame({ type: CONNECT });
    expect((await challenge(connection)).reasonCode).toBe(0x18);
    await connection.expectNoFrame(50);
    await connection.send(rawConnack({ properties: method() }, 5));
    const frame = parsePublish(await connection.expectFrame({ type: PUBLISH }), 5);
    await connection.send(rawPuback(frame.packetId!, 5));
    await expect(published).resolves.toEqual({ reasonCode: 0 });
  });

  it('[MQTT-4.12.0-5] a server AUTH with another method is a protocol error: DISCONNECT 0x82', async () => {
    const fake = await fakeBroker();
    const { promise, connection } = await connecting(fake);
    await connection.send(rawAuth(0x18, withData(NONCE, 'OTHER-METHOD')));
    await expectDisconnect(connection, 0x82);
    const error = await failure(promise);
    expect(MqttError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'PROTOCOL_ERROR', reasonCode: 0x82, specRef: 'MQTT-4.12.0-5' });
  });

  it('[MQTT-4.12.0-5] a successful CONNACK without the method is a protocol error', async () => {
    const fake = await fakeBroker();
    const { promise, connection } = await connecting(fake);
    await connection.send(rawConnack({}, 5));
    await expectDisconnect(connection, 0x82);
    await expect(promise).rejects.toMatchObject({ code: 'PROTOCOL_ERROR', specRef: 'MQTT-4.12.0-5' });
  });

  it('[MQTT-4.12.0-6] an AUTH the client did not ask for, before CONNACK: DISCONNECT 0x82', async () => {
    const fake = await fakeBroker();
    const { promise, connection } = await connecting(fake, {});
    await connection.send(rawAuth(0x18, withData(NONCE)));
    await expectDisconnect(connection, 0x82);
    await expect(promise).rejects.toMatchObject({ code: 'PROTOCOL_ERROR', specRef: 'MQTT-4.12.0-6' });
  });

  it('[MQTT-4.12.0-6] an AUTH the client did not ask for, once connected: DISCONNECT 0x82, then a reconnect', async () => {
    const fake = await fakeBroker();
    const { promise, connection } = await connecting(fake, {});
    await connection.send(rawConnack({}, 5));
    const c = await promise;
    const offline = nextEvent(c, 'offline');
    await connection.send(rawAuth(0x00, method()));
    await expectDisconnect(connection, 0x82);
    expect((await offline)[0]).toMatchObject({ code: 'PROTOCOL_ERROR', specRef: 'MQTT-4.12.0-6' });
    const reconnected = nextEvent(c, 'connect');
    await fake.acceptConnect();
    await reconnected;
  });

  it('[MQTT-4.12.0-6] a CONNACK with a method the client did not send is a protocol error', async () => {
    const fake = await fakeBroker();
    const { promise, connection } = await connecting(fake, {});
    await connection.send(rawConnack({ properties: method() }, 5));
    await expectDisconnect(connection, 0x82);
    await expect(promise).rejects.toMatchObject({ code: 'PROTOCOL_ERROR', specRef: 'MQTT-4.12.0-6' });
  });

  it.each([
    ['[MQTT-4.12.0-2] AUTH 0x00 (Success) in place of CONNACK', rawAuth(0x00, method()), 'MQTT-4.12.0-2'],
    ['section 4.12.1: AUTH 0x19 (Re-authenticate) from the server', rawAuth(0x19, method()), undefined],
    [
      'section 4.12: a second challenge before the client answered the first',
      Buffer.concat([rawAuth(0x18, method()), rawAuth(0x18, method())]),
      undefined,
    ],
  ] as const)('%s is a protocol error', async (_, bytes, specRef) => {
    const fake = await fakeBroker();
    const { promise, connection } = await connecting(fake);
    await connection.send(bytes);
    await expectDisconnect(connection, 0x82);
    const error = await failure(promise);
    expect(error).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect((error as MqttError).specRef).toBe(specRef);
  });

  it('section 4.12: a handler that throws abandons the exchange with DISCONNECT 0x83; connect() rejects with AuthenticationError', async () => {
    const fake = await fakeBroker();
    const cause = new Error('no key for this server');
    const { promise, connection } = await connecting(fake, {
      auth: {
        ...auth,
        onChallenge: () => {
          throw cause;
        },
      },
    });
    await connection.send(rawAuth(0x18, withData(NONCE)));
    await expectDisconnect(connection, 0x83);
    const error = await failure(promise);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ message: 'auth.onChallenge failed: no key for this server', cause });
  });

  it('[MQTT-4.12.1-1] reauthenticate() sends AUTH 0x19 with the method, answers AUTH 0x18, resolves on AUTH 0x00', async () => {
    const fake = await fakeBroker();
    const { promise, connection } = await connecting(fake);
    await connection.send(rawConnack({ properties: method() }, 5));
    const c = await promise;
    const result = c.reauthenticate(Buffer.from('again'), { timeoutMs: 5000 });
    const start = parseAuth(await connection.expectFrame({ type: AUTH }));
    expect(start.reasonCode).toBe(0x19);
    expect(start.properties).toEqual(withData(Buffer.from('again')));
    const answer = await challenge(connection);
    expect(answer).toMatchObject({ reasonCode: 0x18, properties: withData(hmac(KEY, NONCE)) });
    // One exchange at a time.
    await expect(c.reauthenticate()).rejects.toThrow(/in progress/);
    await connection.send(rawAuth(0x00, withData(Buffer.from('ok'))));
    await expect(result).resolves.toMatchObject({ data: new Uint8Array(Buffer.from('ok')) });
    // An AUTH 0x00 with no re-authentication running breaks the exchange's order (section 4.12.1).
    await connection.send(rawAuth(0x00, method()));
    await expectDisconnect(connection, 0x82);
  });

  it('[MQTT-4.12.1-2] a handler that throws during re-authentication: DISCONNECT 0x83, AuthenticationError, reconnect', async () => {
    const fake = await fakeBroker();
    let isBroken = false;
    const { promise, connection } = await connecting(fake, {
      auth: {
        ...auth,
        onChallenge: (nonce, context) => {
          if (isBroken && context.isReauthentication) throw new Error('key revoked');
          return hmac(KEY, nonce ?? new Uint8Array());
        },
      },
    });
    await connection.send(rawConnack({ properties: method() }, 5));
    const c = await promise;
    isBroken = true;
    const result = failure(c.reauthenticate(undefined, { timeoutMs: 5000 }));
    expect(parseAuth(await connection.expectFrame({ type: AUTH })).reasonCode).toBe(0x19);
    await connection.send(rawAuth(0x18, withData(NONCE)));
    await expectDisconnect(connection, 0x83);
    const error = await result;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ message: 'auth.onChallenge failed: key revoked' });
    const reconnected = nextEvent(c, 'connect');
    const next = await fake.nextConnection();
    await next.expectFrame({ type: CONNECT });
    await next.send(rawConnack({ properties: method() }, 5));
    await reconnected;
  });

  it('reauthenticate() bounds its wait: TimeoutError, then DISCONNECT 0x80 and a new connection', async () => {
    const fake = await fakeBroker();
    const { promise, connection } = await connecting(fake);
    await connection.send(rawConnack({ properties: method() }, 5));
    const c = await promise;
    const result = failure(c.reauthenticate(undefined, { timeoutMs: 100 }));
    expect(parseAuth(await connection.expectFrame({ type: AUTH })).reasonCode).toBe(0x19);
    await expectDisconnect(connection, 0x80);
    const error = await result;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ operation: 'reauthenticate', timeoutMs: 100 });
    const next = await fake.nextConnection();
    expect(authProperty(parseConnect(await next.expectFrame({ type: CONNECT })), 0x15)).toEqual([METHOD]);
  });

  it('[MQTT-4.12.0-7] reauthenticate() without the auth option rejects and sends no AUTH', async () => {
    const fake = await fakeBroker();
    const { promise, connection } = await connecting(fake, {});
    await connection.send(rawConnack({}, 5));
    const c = await promise;
    const error = await failure(c.reauthenticate());
    expect(error).toMatchObject({ code: 'PROTOCOL_ERROR', specRef: 'MQTT-4.12.0-7' });
    await connection.expectNoFrame(50);
    await c.end({ force: true });
    await expect(c.reauthenticate()).rejects.toMatchObject({ name: 'ConnectionClosedError' });
  });

  it('an initialData that throws ends the attempt before CONNECT; connect() rejects with AuthenticationError', async () => {
    const fake = await fakeBroker();
    const rejected = failure(
      connect(`mqtt://127.0.0.1:${fake.port}`, {
        connectTimeoutMs: 5000,
        auth: {
          ...auth,
          initialData: () => Promise.reject(new Error('token service down')),
        },
      }),
    );
    const connection = await fake.nextConnection();
    await connection.expectClose(2000);
    await connection.expectNoFrame(0);
    const error = await rejected;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ message: 'auth.initialData failed: token service down' });
  });

  it('an initialData that throws within reauthenticate() sends nothing and keeps the connection', async () => {
    const fake = await fakeBroker();
    let calls = 0;
    const initialData = () => {
      if (++calls > 1) throw new Error('token expired');
      return Buffer.from('alice');
    };
    const { promise, connection } = await connecting(fake, { auth: { ...auth, initialData } });
    await connection.send(rawConnack({ properties: method() }, 5));
    const c = await promise;
    const error = await failure(c.reauthenticate());
    expect(error).not.toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({
      code: 'UNSPECIFIED_ERROR',
      message: 'cannot re-authenticate: auth.initialData failed: token expired',
    });
    await connection.expectNoFrame(50);
    expect(c.connected).toBe(true);
  });

  it('reauthenticate() while offline rejects (not connected) without sending', async () => {
    const fake = await fakeBroker();
    const { promise, connection } = await connecting(fake);
    await connection.send(rawConnack({ properties: method() }, 5));
    const c = await promise;
    const offline = nextEvent(c, 'offline');
    connection.destroy();
    await offline;
    await expect(c.reauthenticate()).rejects.toThrow(/not connected/);
    await waitFor(() => fake.connections.length === 2, 'the reconnect');
  });
});
