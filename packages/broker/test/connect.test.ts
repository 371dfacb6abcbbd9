/**
 * CONNECT and CONNACK, byte for byte (MQTT 3.1.1 section 3.1-3.2, MQTT 5.0 section 3.1-3.2): protocol
 * name and level, reserved and will flags, the connect timeout, a second CONNECT, client identifier
 * rules, and the CONNACK codes each refusal gets in each protocol version.
 */
import {
  binary,
  frame,
  parseConnack,
  parseDisconnect,
  RawClient,
  rawConnect,
  rawPingreq,
  rawPublish,
  rawSubscribe,
  u8,
  u16,
  utf8String,
} from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import type { AuthenticateEvent, ClientInfo, Hook } from '../src/index.js';
import { startBroker } from './fixtures.js';
import { EventRecorder, propertyOf, rawConnectWithAck } from './lifecycle-helpers.js';

/** CONNACK of 3.1.1 (and 3.1) as bytes: `20 02 <flags> <code>`. */
const connack3 = (code: number) => Buffer.from([0x20, 0x02, 0x00, code]);

describe('first packet and protocol name / level', () => {
  it('[MQTT-3.1.0-1] a first packet other than CONNECT closes the connection without an answer', async () => {
    await using broker = await startBroker();
    for (const first of [
      rawPingreq(),
      rawPublish({ topic: 'a', payload: 'x' }, 4),
      rawSubscribe(1, [{ filter: 'a', qos: 0 }], 4),
    ]) {
      await using client = await RawClient.connect(broker.port);
      await client.send(first);
      await client.expectClose();
      expect(client.received).toEqual([]);
    }
  });

  it('[MQTT-3.1.0-1] an AUTH packet before CONNECT closes the connection without an answer', async () => {
    await using broker = await startBroker();
    await using client = await RawClient.connect(broker.port);
    await client.send(frame(0xf0, Buffer.from([0x18, 0x00])));
    await client.expectClose();
    expect(client.received).toEqual([]);
  });

  it('[MQTT-3.1.2-1] an incorrect Protocol Name closes the connection without a CONNACK', async () => {
    await using broker = await startBroker();
    for (const [protocolName, protocolVersion] of [
      ['mqtt', 4],
      ['MQTX', 4],
      ['MQTT5', 5],
      ['mqisdp', 3],
    ] as const) {
      await using client = await RawClient.connect(broker.port);
      await client.send(rawConnect({ protocolVersion, protocolName, clientId: 'bad-name' }));
      await client.expectClose();
      expect(client.received, `protocol name ${protocolName}`).toEqual([]);
    }
  });

  it('[MQTT-3.1.2-2] an unsupported Protocol Level gets CONNACK 0x01 (3.1.1 form), then the connection closes', async () => {
    await using broker = await startBroker();
    for (const [protocolName, protocolLevel] of [
      ['MQTT', 6],
      ['MQTT', 3],
      ['MQTT', 0],
      ['MQIsdp', 4],
    ] as const) {
      await using client = await RawClient.connect(broker.port);
      await client.send(rawConnect({ protocolVersion: 4, protocolName, protocolLevel, clientId: 'lvl' }));
      const ack = await client.expectFrame({ type: 2 });
      expect(
        Buffer.concat([Buffer.from([0x20, ack.body.length]), ack.body]),
        `${protocolName} level ${protocolLevel}`,
      ).toEqual(connack3(0x01));
      await client.expectClose();
    }
  });

  it('[MQTT-3.1.2-2] a level-5 CONNECT with the 3.1 Protocol Name gets a 5.0 CONNACK 0x84, then close', async () => {
    await using broker = await startBroker();
    await using client = await RawClient.connect(broker.port);
    await client.send(rawConnect({ protocolVersion: 5, protocolName: 'MQIsdp', clientId: 'odd' }));
    const ack = parseConnack(await client.expectFrame({ type: 2 }), 5);
    expect([ack.flags, ack.code]).toEqual([0, 0x84]);
    await client.expectClose();
  });

  it('5.0: a CONNECT with a property twice is a protocol error: CONNACK 0x82, then close', async () => {
    await using broker = await startBroker();
    await using client = await RawClient.connect(broker.port);
    await client.send(
      rawConnect({
        protocolVersion: 5,
        clientId: 'dup-prop',
        properties: [
          [0x11, 10],
          [0x11, 20],
        ],
      }),
    );
    expect(parseConnack(await client.expectFrame({ type: 2 }), 5).code).toBe(0x82);
    await client.expectClose();
  });

  it('5.0: a CONNECT that cannot be parsed (property length past the end) gets CONNACK 0x81, then close', async () => {
    await using broker = await startBroker();
    await using client = await RawClient.connect(broker.port);
    await client.send(
      frame(0x10, Buffer.concat([utf8String('MQTT'), u8(5), u8(0x02), u16(60), u8(40), utf8String('short')])),
    );
    expect(parseConnack(await client.expectFrame({ type: 2 }), 5).code).toBe(0x81);
    await client.expectClose();
  });

  it('[MQTT-3.1.2-3] 3.1.1: a CONNECT with the reserved flag set closes the connection without a CONNACK', async () => {
    await using broker = await startBroker();
    await using client = await RawClient.connect(broker.port);
    await client.send(rawConnect({ protocolVersion: 4, clientId: 'r', reservedFlag: true }));
    await client.expectClose();
    expect(client.received).toEqual([]);
  });

  it('[MQTT-3.1.2-3] 5.0: a CONNECT with the reserved flag set is malformed: CONNACK 0x81, then close', async () => {
    await using broker = await startBroker();
    await using client = await RawClient.connect(broker.port);
    await client.send(rawConnect({ protocolVersion: 5, clientId: 'r', reservedFlag: true }));
    const ack = parseConnack(await client.expectFrame({ type: 2 }), 5);
    expect(ack.code).toBe(0x81);
    expect(ack.flags).toBe(0);
    await client.expectClose();
  });

  it('[MQTT-2.2.2-2] a CONNECT whose fixed-header flags are not 0 closes the connection', async () => {
    await using broker = await startBroker();
    const valid = rawConnect({ protocolVersion: 4, clientId: 'flags' });
    valid[0] = 0x12;
    await using client = await RawClient.connect(broker.port);
    await client.send(valid);
    await client.expectClose();
    expect(client.received).toEqual([]);
  });

  for (const protocolVersion of [3, 4, 5] as const) {
    it(`[MQTT-3.1.4-4] (5.0: [MQTT-3.1.4-5]) a valid level-${protocolVersion} CONNECT gets CONNACK 0, Session Present 0`, async () => {
      await using broker = await startBroker();
      const { client, connack } = await rawConnectWithAck(broker.port, {
        protocolVersion,
        clientId: `ok${protocolVersion}`,
      });
      await using _ = client;
      expect(connack.code).toBe(0);
      expect(connack.flags).toBe(0);
      // The connection stays usable: PINGREQ gets PINGRESP.
      await client.send(rawPingreq());
      await client.expectFrame({ type: 13 });
    });
  }

  it('[MQTT-3.2.0-1] CONNACK is the first packet even when the client pipelines packets after CONNECT', async () => {
    await using broker = await startBroker({
      // An asynchronous authenticate hook: the pipelined SUBSCRIBE must wait for the decision.
      hooks: [
        {
          id: 'slow-auth',
          authenticate: () => new Promise((resolve) => setTimeout(() => resolve('allow'), 100)),
        },
      ],
    });
    await using client = await RawClient.connect(broker.port);
    await client.send(
      Buffer.concat([
        rawConnect({ protocolVersion: 4, clientId: 'pipe' }),
        rawSubscribe(7, [{ filter: 'p/#', qos: 1 }], 4),
        rawPingreq(),
      ]),
    );
    expect((await client.expectFrame()).type).toBe(2);
    expect((await client.expectFrame()).type).toBe(9);
    expect((await client.expectFrame()).type).toBe(13);
  });
});

describe('connect timeout', () => {
  it('closes a socket that never sends CONNECT after limits.connectTimeoutMs', async () => {
    await using broker = await startBroker({ limits: { connectTimeoutMs: 300 } });
    await using client = await RawClient.connect(broker.port);
    const started = Date.now();
    await client.expectClose(5000);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(200);
    expect(elapsed).toBeLessThan(3000);
    expect(client.received).toEqual([]);
  });

  it('closes a socket that drips a partial CONNECT and never completes it', async () => {
    await using broker = await startBroker({ limits: { connectTimeoutMs: 500 } });
    await using client = await RawClient.connect(broker.port);
    const started = Date.now();
    const connect = rawConnect({ protocolVersion: 4, clientId: 'dripping' });
    // One byte every 100 ms, never the last one: each byte arrives, the packet never completes.
    const dripping = client.sendSlowly(connect.subarray(0, connect.length - 1), 1, 100).catch(() => {});
    await client.expectClose(5000);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(3000);
    await dripping;
    expect(client.received).toEqual([]);
  });

  it('limits.connectTimeoutMs 0 turns the connect timeout off', async () => {
    await using broker = await startBroker({ limits: { connectTimeoutMs: 0 } });
    await using client = await RawClient.connect(broker.port);
    await client.expectNoFrame(500);
    expect(client.isClosed).toBe(false);
    await client.send(rawConnect({ protocolVersion: 4, clientId: 'unhurried' }));
    expect((await client.expectFrame({ type: 2 })).body[1]).toBe(0);
  });

  it('does not close a client that completed CONNECT before the connect timeout', async () => {
    await using broker = await startBroker({ limits: { connectTimeoutMs: 300 } });
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'in-time',
      keepAlive: 0,
    });
    await using _ = client;
    expect(connack.code).toBe(0);
    await client.expectNoFrame(800);
    expect(client.isClosed).toBe(false);
  });
});

describe('second CONNECT', () => {
  it('[MQTT-3.1.0-2] 3.1.1: a second CONNECT is a protocol violation: the connection closes', async () => {
    await using broker = await startBroker();
    const { client } = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'twice' });
    await using _ = client;
    await client.send(rawConnect({ protocolVersion: 4, clientId: 'twice' }));
    await client.expectClose();
    expect(client.pending).toEqual([]);
  });

  it('[MQTT-3.1.0-2] 5.0: a second CONNECT gets DISCONNECT 0x82 Protocol Error, then the connection closes', async () => {
    await using broker = await startBroker();
    const { client } = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'twice5' });
    await using _ = client;
    await client.send(rawConnect({ protocolVersion: 5, clientId: 'twice5' }));
    const disconnect = parseDisconnect(await client.expectFrame({ type: 14 }), 5);
    expect(disconnect.reasonCode).toBe(0x82);
    // A server DISCONNECT never carries a Session Expiry Interval [MQTT-3.14.2-2].
    expect(propertyOf(disconnect.properties, 0x11)).toBeUndefined();
    await client.expectClose();
  });
});

describe('client identifier', () => {
  it('[MQTT-3.1.3-8] 3.1.1: an empty client id with Clean Session 0 gets CONNACK 0x02, then close', async () => {
    await using broker = await startBroker();
    await using client = await RawClient.connect(broker.port);
    await client.send(rawConnect({ protocolVersion: 4, clientId: '', clean: false }));
    const ack = await client.expectFrame({ type: 2 });
    expect(Buffer.concat([Buffer.from([0x20, 0x02]), ack.body])).toEqual(connack3(0x02));
    await client.expectClose();
  });

  it('[MQTT-3.1.3-6] 3.1.1: an empty client id with Clean Session 1 is accepted with a unique assigned id', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const first = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: '', clean: true });
    const second = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: '', clean: true });
    await using _a = first.client;
    await using _b = second.client;
    expect(first.connack.code).toBe(0);
    expect(second.connack.code).toBe(0);
    const a = await events.next('connected');
    const b = await events.next('connected');
    expect(a.client.id.length).toBeGreaterThan(0);
    expect(b.client.id.length).toBeGreaterThan(0);
    expect(a.client.id).not.toBe(b.client.id);
    // Both stay connected: the second did not take over the first.
    await first.client.send(rawPingreq());
    await first.client.expectFrame({ type: 13 });
  });

  it('[MQTT-3.2.2-16] 5.0: an empty client id gets a unique Assigned Client Identifier in CONNACK', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({ hooks: [events] });
    const ids: string[] = [];
    for (const clean of [true, false]) {
      const { client, connack } = await rawConnectWithAck(broker.port, {
        protocolVersion: 5,
        clientId: '',
        clean,
      });
      await using _ = client;
      expect(connack.code).toBe(0);
      expect(connack.sessionPresent).toBe(false);
      const assigned = propertyOf(connack.properties, 0x12);
      expect(typeof assigned).toBe('string');
      expect((assigned as string).length).toBeGreaterThan(0);
      expect((await events.next('connected')).client.id).toBe(assigned);
      ids.push(assigned as string);
    }
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('5.0: a client id the client chose is not echoed as Assigned Client Identifier', async () => {
    await using broker = await startBroker();
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'mine',
    });
    await using _ = client;
    expect(propertyOf(connack.properties, 0x12)).toBeUndefined();
  });

  it('[MQTT-3.1.3-5] a 23-byte id of the required characters is accepted by every version', async () => {
    await using broker = await startBroker();
    const id = 'abcdefghijKLMNOPQRST012';
    for (const protocolVersion of [3, 4, 5] as const) {
      const { client, connack } = await rawConnectWithAck(broker.port, { protocolVersion, clientId: id });
      await using _ = client;
      expect(connack.code, `level ${protocolVersion}`).toBe(0);
      await client.close();
    }
  });

  it('MQTT 3.1: a client id over 23 characters, or an empty one, gets CONNACK 0x02', async () => {
    await using broker = await startBroker();
    for (const clientId of ['a'.repeat(24), '']) {
      await using client = await RawClient.connect(broker.port);
      await client.send(rawConnect({ protocolVersion: 3, clientId }));
      const ack = await client.expectFrame({ type: 2 });
      expect(Buffer.concat([Buffer.from([0x20, 0x02]), ack.body]), `id "${clientId}"`).toEqual(
        connack3(0x02),
      );
      await client.expectClose();
    }
  });

  it('limits.maximumClientIdLength: a longer id gets 0x02 (3.1.1) or 0x85 (5.0), then close', async () => {
    await using broker = await startBroker({ limits: { maximumClientIdLength: 8 } });
    const accepted = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: '12345678' });
    await using _ = accepted.client;
    expect(accepted.connack.code).toBe(0);
    for (const protocolVersion of [4, 5] as const) {
      const { client, connack } = await rawConnectWithAck(broker.port, {
        protocolVersion,
        clientId: '123456789',
      });
      await using _c = client;
      expect(connack.code).toBe(protocolVersion === 5 ? 0x85 : 0x02);
      expect(connack.sessionPresent).toBe(false);
      await client.expectClose();
    }
  });
});

/** CONNECT with `clientId`: the CONNACK carries `code` (a 3.x return code or a v5 reason code), then the socket closes. */
async function expectRefusedWith(
  port: number,
  version: 4 | 5,
  clientId: string,
  code: number,
): Promise<void> {
  const { client, connack } = await rawConnectWithAck(port, { protocolVersion: version, clientId });
  await using _ = client;
  expect(connack.code).toBe(code);
  await client.expectClose();
}

describe('will flags and will topic', () => {
  /** A 3.1.1 or 5.0 CONNECT body with `flags` written as given and nothing after the client id. */
  const connectWithFlags = (version: 4 | 5, flags: number) =>
    frame(
      0x10,
      Buffer.concat([
        utf8String('MQTT'),
        u8(version),
        u8(flags),
        u16(60),
        ...(version === 5 ? [u8(0)] : []),
        utf8String('flags'),
      ]),
    );

  for (const [name, flags, ref3, ref5] of [
    ['Will QoS 1 without the Will Flag', 0x02 | 0x08, 'MQTT-3.1.2-13', 'MQTT-3.1.2-11'],
    ['Will Retain without the Will Flag', 0x02 | 0x20, 'MQTT-3.1.2-15', 'MQTT-3.1.2-13'],
  ] as const) {
    it(`[${ref3}] 3.1.1: ${name} closes the connection without a CONNACK`, async () => {
      await using broker = await startBroker();
      await using client = await RawClient.connect(broker.port);
      await client.send(connectWithFlags(4, flags));
      await client.expectClose();
      expect(client.received).toEqual([]);
    });

    it(`[${ref5}] 5.0: ${name} is malformed: CONNACK 0x81, then close`, async () => {
      await using broker = await startBroker();
      await using client = await RawClient.connect(broker.port);
      await client.send(connectWithFlags(5, flags));
      expect(parseConnack(await client.expectFrame({ type: 2 }), 5).code).toBe(0x81);
      await client.expectClose();
    });
  }

  it('[MQTT-3.1.2-14] 3.1.1: Will QoS 3 closes the connection without a CONNACK', async () => {
    await using broker = await startBroker();
    await using client = await RawClient.connect(broker.port);
    await client.send(
      rawConnect({
        protocolVersion: 4,
        clientId: 'q3',
        will: { topic: 'w', payload: 'x', qos: 3, retain: false },
      }),
    );
    await client.expectClose();
    expect(client.received).toEqual([]);
  });

  it('[MQTT-3.1.2-12] 5.0: Will QoS 3 is malformed: CONNACK 0x81, then close', async () => {
    await using broker = await startBroker();
    await using client = await RawClient.connect(broker.port);
    await client.send(
      rawConnect({
        protocolVersion: 5,
        clientId: 'q3',
        will: { topic: 'w', payload: 'x', qos: 3, retain: false },
      }),
    );
    expect(parseConnack(await client.expectFrame({ type: 2 }), 5).code).toBe(0x81);
    await client.expectClose();
  });

  it('[MQTT-3.1.2-9] a Will Flag without Will Topic and Payload is malformed and closes the connection', async () => {
    await using broker = await startBroker();
    await using client = await RawClient.connect(broker.port);
    await client.send(
      frame(
        0x10,
        Buffer.concat([utf8String('MQTT'), u8(4), u8(0x02 | 0x04), u16(60), utf8String('no-will-fields')]),
      ),
    );
    await client.expectClose();
    expect(client.received).toEqual([]);
  });

  for (const topic of ['a/+', 'a/#', '']) {
    it(`[MQTT-4.7.1-1] [MQTT-4.7.3-1] an invalid will topic "${topic}" closes 3.1.1 without CONNACK, gets 5.0 CONNACK 0x90`, async () => {
      await using broker = await startBroker();
      const will = { topic, payload: 'x', qos: 0, retain: false };
      {
        await using client = await RawClient.connect(broker.port);
        await client.send(rawConnect({ protocolVersion: 4, clientId: 'wt', will }));
        await client.expectClose();
        expect(client.received).toEqual([]);
      }
      await using client = await RawClient.connect(broker.port);
      await client.send(rawConnect({ protocolVersion: 5, clientId: 'wt', will }));
      expect(parseConnack(await client.expectFrame({ type: 2 }), 5).code).toBe(0x90);
      await client.expectClose();
    });
  }

  for (const topic of ['$SYS', '$SYS/broker/uptime']) {
    it(`4.7.2: a will on "${topic}" is refused as not authorized (3.1.1 return code 5, 5.0 0x87) and never published`, async () => {
      await using broker = await startBroker();
      await using watcher = await RawClient.connect(broker.port);
      await watcher.send(rawConnect({ protocolVersion: 4, clientId: 'sys-watch' }));
      await watcher.expectFrame({ type: 2 });
      await watcher.send(rawSubscribe(1, [{ filter: '$SYS/#', qos: 0 }], 4));
      await watcher.expectFrame({ type: 9 });
      const will = { topic, payload: 'forged', qos: 1, retain: true };
      for (const [version, code] of [
        [4, 5],
        [5, 0x87],
      ] as const) {
        await using client = await RawClient.connect(broker.port);
        await client.send(rawConnect({ protocolVersion: version, clientId: `sys-will-${version}`, will }));
        expect(parseConnack(await client.expectFrame({ type: 2 }), version).code).toBe(code);
        await client.expectClose();
      }
      // The refused connections closed without DISCONNECT: had a will been kept, it would be out now.
      await watcher.expectNoFrame(300);
    });
  }

  it('[MQTT-3.2.2-12] 5.0: a will QoS above limits.maximumQoS gets CONNACK 0x9B', async () => {
    await using broker = await startBroker({ limits: { maximumQoS: 1 } });
    await using client = await RawClient.connect(broker.port);
    await client.send(
      rawConnect({
        protocolVersion: 5,
        clientId: 'wq',
        will: { topic: 'w', payload: 'x', qos: 2, retain: false },
      }),
    );
    expect(parseConnack(await client.expectFrame({ type: 2 }), 5).code).toBe(0x9b);
    await client.expectClose();
  });

  it('[MQTT-3.2.2-13] 5.0: a retained will when retain is not available gets CONNACK 0x9A', async () => {
    await using broker = await startBroker({ limits: { retainAvailable: false } });
    await using client = await RawClient.connect(broker.port);
    await client.send(
      rawConnect({
        protocolVersion: 5,
        clientId: 'wr',
        will: { topic: 'w', payload: 'x', qos: 0, retain: true },
      }),
    );
    expect(parseConnack(await client.expectFrame({ type: 2 }), 5).code).toBe(0x9a);
    await client.expectClose();
  });

  it('[MQTT-3.1.2-22] 3.1.1: a Password Flag without the User Name Flag closes the connection', async () => {
    await using broker = await startBroker();
    await using client = await RawClient.connect(broker.port);
    await client.send(
      frame(
        0x10,
        Buffer.concat([
          utf8String('MQTT'),
          u8(4),
          u8(0x02 | 0x40),
          u16(60),
          utf8String('pw'),
          binary('secret'),
        ]),
      ),
    );
    await client.expectClose();
    expect(client.received).toEqual([]);
  });
});

describe('authentication hook', () => {
  const secret = (event: AuthenticateEvent) =>
    event.username === 'alice' && Buffer.from(event.password ?? []).toString() === 's3cret';

  for (const kind of ['sync', 'async'] as const) {
    const authenticate = (event: AuthenticateEvent) => {
      const answer = secret(event) ? 'allow' : 'deny';
      return kind === 'sync'
        ? answer
        : new Promise<'allow' | 'deny'>((resolve) => setTimeout(() => resolve(answer), 20));
    };

    it(`${kind} hook: user name and password reach the hook, and the right ones connect`, async () => {
      const seen: AuthenticateEvent[] = [];
      await using broker = await startBroker({
        hooks: [
          {
            id: 'auth',
            authenticate: (event) => {
              seen.push(event);
              return authenticate(event);
            },
          },
        ],
      });
      for (const protocolVersion of [3, 4, 5] as const) {
        const { client, connack } = await rawConnectWithAck(broker.port, {
          protocolVersion,
          clientId: `alice${protocolVersion}`,
          username: 'alice',
          password: 's3cret',
        });
        await using _ = client;
        expect(connack.code).toBe(0);
      }
      expect(
        seen.map((event) => [
          event.username,
          Buffer.from(event.password!).toString(),
          event.client.protocolVersion,
        ]),
      ).toEqual([
        ['alice', 's3cret', 3],
        ['alice', 's3cret', 4],
        ['alice', 's3cret', 5],
      ]);
      expect(seen[2]!.packet.clientId).toBe('alice5');
    });

    it(`${kind} hook: a denied user name/password gets 0x04 (3.x) / 0x86 (5.0) and the socket closes`, async () => {
      await using broker = await startBroker({ hooks: [{ id: 'auth', authenticate }] });
      for (const protocolVersion of [3, 4, 5] as const) {
        const { client, connack } = await rawConnectWithAck(broker.port, {
          protocolVersion,
          clientId: `mallory${protocolVersion}`,
          username: 'alice',
          password: 'wrong',
        });
        await using _ = client;
        expect(connack.code, `level ${protocolVersion}`).toBe(protocolVersion === 5 ? 0x86 : 0x04);
        expect(connack.sessionPresent).toBe(false);
        await client.expectClose();
      }
    });

    it(`${kind} hook: a denied client without user name gets 0x05 (3.x) / 0x87 (5.0) and the socket closes`, async () => {
      await using broker = await startBroker({ hooks: [{ id: 'auth', authenticate }] });
      for (const protocolVersion of [3, 4, 5] as const) {
        const { client, connack } = await rawConnectWithAck(broker.port, {
          protocolVersion,
          clientId: `anon${protocolVersion}`,
        });
        await using _ = client;
        expect(connack.code, `level ${protocolVersion}`).toBe(protocolVersion === 5 ? 0x87 : 0x05);
        await client.expectClose();
      }
    });
  }

  it('5.0: a password without a user name is allowed and reaches the hook', async () => {
    const seen: AuthenticateEvent[] = [];
    const hook: Hook = {
      id: 'auth',
      authenticate: (event) => {
        seen.push(event);
        return 'allow';
      },
    };
    await using broker = await startBroker({ hooks: [hook] });
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'token',
      password: 'jwt',
    });
    await using _ = client;
    expect(connack.code).toBe(0);
    expect(seen[0]!.username).toBeUndefined();
    expect(Buffer.from(seen[0]!.password!).toString()).toBe('jwt');
  });

  it('a deny with a reason code is mapped per version (0x8A Banned → 3.1.1 0x05), with a v5 reason string', async () => {
    await using broker = await startBroker({
      hooks: [{ id: 'ban', authenticate: () => ({ deny: 0x8a, reasonString: 'banned here' }) }],
    });
    const v5 = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'banned5' });
    await using _a = v5.client;
    expect(v5.connack.code).toBe(0x8a);
    expect(propertyOf(v5.connack.properties, 0x1f)).toBe('banned here');
    await v5.client.expectClose();
    await expectRefusedWith(broker.port, 4, 'banned4', 0x05);
  });

  it('a hook that denies with a success code still refuses (0x87 / 0x05), never a CONNACK 0 followed by a close', async () => {
    await using broker = await startBroker({ hooks: [{ id: 'odd', authenticate: () => ({ deny: 0 }) }] });
    const v5 = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'odd5' });
    await using _a = v5.client;
    expect(v5.connack.code).toBeGreaterThanOrEqual(0x80);
    await v5.client.expectClose();
    await expectRefusedWith(broker.port, 4, 'odd4', 0x05);
  });

  for (const deny of [0x80, 0x83, 0x99]) {
    it(`[MQTT-3.2.2-5] a deny with 0x${deny.toString(16)}, which 3.1.1 has no return code for, is CONNACK 0x05 (not authorized) for 3.1.1 and the code itself for 5.0`, async () => {
      await using broker = await startBroker({ hooks: [{ id: 'deny', authenticate: () => ({ deny }) }] });
      await expectRefusedWith(broker.port, 4, 'deny4', 0x05);
      await expectRefusedWith(broker.port, 5, 'deny5', deny);
    });
  }

  it('[MQTT-3.1.4-5] data sent after a refused CONNECT is not processed', async () => {
    const events = new EventRecorder();
    await using broker = await startBroker({
      hooks: [
        events,
        { id: 'deny', authenticate: () => new Promise((resolve) => setTimeout(() => resolve('deny'), 50)) },
      ],
    });
    await using client = await RawClient.connect(broker.port);
    await client.send(
      Buffer.concat([
        rawConnect({ protocolVersion: 4, clientId: 'refused' }),
        rawPublish({ topic: 'after/refusal', payload: 'x', qos: 1, packetId: 1 }, 4),
      ]),
    );
    const ack = await client.expectFrame({ type: 2 });
    expect(ack.body[1]).toBe(0x05);
    await client.expectClose();
    expect(client.pending).toEqual([]);
    expect(events.all('published')).toEqual([]);
    expect(events.all('connected')).toEqual([]);
  });

  it('a hook may replace the user name the broker uses for the client', async () => {
    let seenLater: ClientInfo | undefined;
    await using broker = await startBroker({
      hooks: [
        { id: 'rename', authenticate: () => ({ allow: true, username: 'mapped' }) },
        {
          id: 'look',
          onConnected: (event) => {
            seenLater = event.client;
          },
        },
      ],
    });
    const { client } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'who',
      username: 'raw',
    });
    await using _ = client;
    await client.send(rawPingreq());
    await client.expectFrame({ type: 13 });
    expect(seenLater?.username).toBe('mapped');
  });
});

describe('malformed strings in CONNECT', () => {
  for (const [name, clientId] of [
    ['U+0000', Buffer.from([0x61, 0x00, 0x62])],
    ['ill-formed UTF-8', Buffer.from([0x61, 0xc3, 0x28])],
    ['an encoded surrogate', Buffer.from([0xed, 0xa0, 0x80])],
  ] as const) {
    it(`[MQTT-1.5.3-1] [MQTT-1.5.3-2] (5.0: [MQTT-1.5.4-1] [MQTT-1.5.4-2]) a client id with ${name} closes 3.1.1 without CONNACK and gets 5.0 CONNACK 0x81`, async () => {
      await using broker = await startBroker();
      {
        await using client = await RawClient.connect(broker.port);
        await client.send(rawConnect({ protocolVersion: 4, clientId }));
        await client.expectClose();
        expect(client.received).toEqual([]);
      }
      await using client = await RawClient.connect(broker.port);
      await client.send(rawConnect({ protocolVersion: 5, clientId }));
      expect(parseConnack(await client.expectFrame({ type: 2 }), 5).code).toBe(0x81);
      await client.expectClose();
    });
  }
});

describe('CONNACK properties (5.0)', () => {
  it('[MQTT-3.2.2-19] a refusal drops its Reason String when the CONNACK would exceed the client Maximum Packet Size', async () => {
    const reasonString = 'r'.repeat(200);
    await using broker = await startBroker({
      hooks: [{ id: 'no', authenticate: () => ({ deny: 0x87, reasonString }) }],
    });
    const small = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'small',
      properties: [[0x27, 64]],
    });
    await using _a = small.client;
    expect(small.connack.code).toBe(0x87);
    expect(propertyOf(small.connack.properties, 0x1f)).toBeUndefined();
    const large = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'large',
      properties: [[0x27, 4096]],
    });
    await using _b = large.client;
    expect(propertyOf(large.connack.properties, 0x1f)).toBe(reasonString);
  });

  it('[MQTT-3.1.2-28] Response Information is sent only to a client that requested it', async () => {
    await using broker = await startBroker({ responseInformation: (clientId) => `reply/${clientId}` });
    const asked = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'asker',
      properties: [[0x19, 1]],
    });
    await using _a = asked.client;
    expect(propertyOf(asked.connack.properties, 0x1a)).toBe('reply/asker');
    const silent = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'silent',
      properties: [[0x19, 0]],
    });
    await using _b = silent.client;
    expect(propertyOf(silent.connack.properties, 0x1a)).toBeUndefined();
  });

  it('describe the limits the broker enforces', async () => {
    await using broker = await startBroker({
      limits: {
        receiveMaximum: 10,
        maximumPacketSize: 4096,
        topicAliasMaximum: 5,
        maximumQoS: 1,
        retainAvailable: false,
      },
    });
    const { client, connack } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'props',
    });
    await using _ = client;
    expect(connack.code).toBe(0);
    expect(propertyOf(connack.properties, 0x21)).toBe(10);
    expect(propertyOf(connack.properties, 0x27)).toBe(4096);
    expect(propertyOf(connack.properties, 0x22)).toBe(5);
    expect(propertyOf(connack.properties, 0x24)).toBe(1);
    expect(propertyOf(connack.properties, 0x25)).toBe(0);
  });
});
