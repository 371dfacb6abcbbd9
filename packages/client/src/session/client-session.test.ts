import {
  frame,
  rawConnack,
  rawConnect,
  rawDisconnect,
  rawPuback,
  rawPubcomp,
  rawPublish,
  rawPubrec,
  rawPubrel,
  rawSuback,
  rawSubscribe,
  rawUnsuback,
  rawUnsubscribe,
} from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import {
  disconnect,
  harness,
  hex,
  online,
  publishPacket,
  recorder,
  TOPIC_ALIAS,
  USER_PROPERTY,
} from '../../test/session-harness.js';
import { ConnectionRefusedError } from '../errors/connection-refused-error.js';
import { NotAuthorizedError } from '../errors/not-authorized-error.js';
import { SubscribeError } from '../errors/subscribe-error.js';
import type { SubscribeResult, UnsubscribeResult } from './results.js';

describe('ClientSession: CONNECT', () => {
  it('writes the CONNECT of each protocol level byte for byte [MQTT-3.1.2-1]', () => {
    for (const protocolVersion of [3, 4, 5] as const) {
      const h = harness({
        protocolVersion,
        clientId: 'dev-1',
        keepAlive: 30,
        username: 'u',
        password: new Uint8Array([1, 2]),
      });
      h.session.connect();
      expect(h.written()).toEqual([
        hex(
          rawConnect({
            protocolVersion,
            clientId: 'dev-1',
            keepAlive: 30,
            username: 'u',
            password: Buffer.from([1, 2]),
          }),
        ),
      ]);
      expect(h.session.state).toBe('connecting');
    }
  });

  it('writes the will and the v5 CONNECT and will properties', () => {
    const h = harness({
      protocolVersion: 5,
      clean: false,
      will: {
        topic: 'w/t',
        payload: new TextEncoder().encode('bye'),
        qos: 1,
        retain: true,
        properties: { willDelayInterval: 5 },
      },
      properties: {
        sessionExpiryInterval: 60,
        userProperties: [
          ['a', '1'],
          ['a', '2'],
        ],
      },
    });
    h.session.connect();
    expect(h.written()).toEqual([
      hex(
        rawConnect({
          protocolVersion: 5,
          clientId: 'c',
          clean: false,
          will: { topic: 'w/t', payload: 'bye', qos: 1, retain: true, properties: [[0x18, 5]] },
          properties: [
            [0x11, 60],
            [USER_PROPERTY, ['a', '1']],
            [USER_PROPERTY, ['a', '2']],
          ],
        }),
      ),
    ]);
  });

  it('[MQTT-3.2.0-1] treats a first packet other than CONNACK as a protocol error', () => {
    const h = harness({ protocolVersion: 5 });
    h.session.connect();
    h.written();
    h.session.receive(rawPuback(1, 5));
    expect(h.written()).toEqual([hex(disconnect(0x82))]);
    expect(h.events()[0]).toMatchObject({ kind: 'protocolError', error: { code: 'PROTOCOL_ERROR' } });
    expect(h.session.state).toBe('offline');
  });

  it('maps refusals to typed errors: NotAuthorizedError for credentials, v5 code for 3.x return codes', () => {
    const cases = [
      { version: 5 as const, code: 0x87, type: NotAuthorizedError, reasonCode: 0x87, retry: false },
      { version: 5 as const, code: 0x86, type: NotAuthorizedError, reasonCode: 0x86, retry: false },
      { version: 5 as const, code: 0x89, type: ConnectionRefusedError, reasonCode: 0x89, retry: true },
      { version: 4 as const, code: 5, type: NotAuthorizedError, reasonCode: 0x87, retry: false },
      { version: 4 as const, code: 2, type: ConnectionRefusedError, reasonCode: 0x85, retry: false },
      { version: 3 as const, code: 3, type: ConnectionRefusedError, reasonCode: 0x88, retry: true },
    ];
    for (const c of cases) {
      const h = harness({ protocolVersion: c.version });
      h.session.connect();
      h.session.receive(rawConnack({ code: c.code }, c.version));
      const [event] = h.events();
      expect(event?.kind).toBe('refused');
      const error = (event as { error: ConnectionRefusedError }).error;
      expect(error).toBeInstanceOf(c.type);
      expect(error.reasonCode).toBe(c.reasonCode);
      expect(error.returnCode).toBe(c.version === 5 ? undefined : c.code);
      expect(error.isRetryable).toBe(c.retry);
      expect(h.session.state).toBe('offline');
    }
  });

  it('[MQTT-3.2.2-4] refuses a CONNACK with Session Present after a clean start', () => {
    const h = harness({ protocolVersion: 4 });
    h.session.connect();
    h.session.receive(rawConnack({ sessionPresent: true }, 4));
    expect(h.events()[0]).toMatchObject({ kind: 'protocolError', error: { code: 'PROTOCOL_ERROR' } });
  });

  it('takes the Assigned Client Identifier and Server Keep Alive from CONNACK', () => {
    const h = harness({ protocolVersion: 5, clientId: '' });
    h.session.connect();
    h.session.receive(
      rawConnack(
        {
          properties: [
            [0x12, 'auto-7'],
            [0x13, 15],
          ],
        },
        5,
      ),
    );
    expect(h.session.clientId).toBe('auto-7');
    expect(h.session.keepAlive).toBe(15);
  });
});

describe('ClientSession: incoming PUBLISH', () => {
  it('delivers QoS 0 and acknowledges QoS 1 with PUBACK', () => {
    const h = online(4);
    h.session.receive(
      Buffer.concat([
        rawPublish({ topic: 'a', payload: '0' }, 4),
        rawPublish({ topic: 'b', payload: '1', qos: 1, packetId: 7 }, 4),
      ]),
    );
    expect(h.events().map((e) => e.kind === 'message' && e.message.topic)).toEqual(['a', 'b']);
    expect(h.written()).toEqual([hex(rawPuback(7, 4))]);
  });

  it('delivers QoS 2 once: a DUP before PUBREL is answered but not delivered again', () => {
    const h = online(4);
    h.session.receive(rawPublish({ topic: 'q', payload: '2', qos: 2, packetId: 3 }, 4));
    h.session.receive(rawPublish({ topic: 'q', payload: '2', qos: 2, packetId: 3, dup: true }, 4));
    expect(h.events()).toHaveLength(1);
    expect(h.written()).toEqual([hex(rawPubrec(3, 4)), hex(rawPubrec(3, 4))]);
    h.session.receive(rawPubrel(3, 4));
    expect(h.written()).toEqual([hex(rawPubcomp(3, 4))]);
    h.session.receive(rawPublish({ topic: 'q', payload: 'again', qos: 2, packetId: 3 }, 4));
    expect(h.events()).toHaveLength(1);
  });

  it('answers a PUBREL for an unknown identifier with PUBCOMP 0x92 (v5)', () => {
    const h = online(5);
    h.session.receive(rawPubrel(4, 5));
    expect(h.written()).toEqual([hex(rawPubcomp(4, 5, 0x92))]);
  });

  it('resolves inbound topic aliases within the announced Topic Alias Maximum', () => {
    const h = online(5, {}, { properties: { topicAliasMaximum: 2 } });
    h.session.receive(rawPublish({ topic: 'long/topic', payload: '1', properties: [[TOPIC_ALIAS, 2]] }, 5));
    h.session.receive(rawPublish({ topic: '', payload: '2', properties: [[TOPIC_ALIAS, 2]] }, 5));
    expect(h.events().map((e) => e.kind === 'message' && e.message.topic)).toEqual([
      'long/topic',
      'long/topic',
    ]);
  });

  it('[MQTT-3.3.2-9] closes with DISCONNECT 0x94 on an alias above the maximum', () => {
    const h = online(5, {}, { properties: { topicAliasMaximum: 2 } });
    h.session.receive(rawPublish({ topic: 't', payload: '1', properties: [[TOPIC_ALIAS, 3]] }, 5));
    expect(h.written()).toEqual([hex(disconnect(0x94))]);
    expect(h.events()).toMatchObject([{ kind: 'protocolError', error: { code: 'TOPIC_ALIAS_INVALID' } }]);
  });

  it('[MQTT-3.3.4-9] closes with 0x93 when the server exceeds the client Receive Maximum', () => {
    const h = online(5, {}, { properties: { receiveMaximum: 1 } });
    h.session.receive(rawPublish({ topic: 't', payload: '1', qos: 2, packetId: 1 }, 5));
    h.session.receive(rawPublish({ topic: 't', payload: '2', qos: 2, packetId: 2 }, 5));
    expect(h.written()).toEqual([hex(rawPubrec(1, 5)), hex(disconnect(0x93))]);
  });

  it('closes with DISCONNECT 0x81 on malformed bytes (v5)', () => {
    const h = online(5);
    // [MQTT-3.3.1-4] QoS 3 in a PUBLISH is malformed.
    h.session.receive(frame(0x36, Buffer.from([0, 1, 0x61, 0, 1])));
    expect(h.written()).toEqual([hex(disconnect(0x81))]);
    expect(h.session.state).toBe('offline');
  });

  it('reports a server DISCONNECT and goes offline', () => {
    const h = online(5);
    h.session.receive(rawDisconnect(5, 0x8e, [[0x1f, 'taken']]));
    expect(h.events()).toMatchObject([
      { kind: 'serverDisconnect', packet: { reasonCode: 0x8e, properties: { reasonString: 'taken' } } },
    ]);
    expect(h.session.state).toBe('offline');
  });
});

describe('ClientSession: SUBSCRIBE and UNSUBSCRIBE', () => {
  it('writes SUBSCRIBE with options and properties and resolves the granted codes', () => {
    const h = online(5);
    const done = recorder<SubscribeResult>();
    h.session.subscribe(
      [
        { topicFilter: 'a/+', qos: 2, noLocal: true, retainHandling: 2 },
        { topicFilter: 'b', qos: 1 },
      ],
      { subscriptionIdentifier: 9 },
      done,
    );
    expect(h.written()).toEqual([
      hex(
        rawSubscribe(
          1,
          [
            { filter: 'a/+', qos: 2, noLocal: true, retainHandling: 2 },
            { filter: 'b', qos: 1 },
          ],
          5,
          [[0x0b, 9]],
        ),
      ),
    ]);
    h.session.receive(rawSuback(1, [1, 1], 5));
    expect(done.value).toEqual({
      granted: [
        { topicFilter: 'a/+', reasonCode: 1 },
        { topicFilter: 'b', reasonCode: 1 },
      ],
    });
    expect([...h.session.subscriptions]).toEqual([
      ['a/+', 2],
      ['b', 1],
    ]);
  });

  it('rejects with SubscribeError listing every code, keeping the granted filters', () => {
    const h = online(4);
    const done = recorder<SubscribeResult>();
    h.session.subscribe(
      [
        { topicFilter: 'ok', qos: 0 },
        { topicFilter: 'no', qos: 0 },
      ],
      undefined,
      done,
    );
    h.session.receive(rawSuback(1, [0, 0x80], 4));
    expect(done.error).toBeInstanceOf(SubscribeError);
    expect((done.error as SubscribeError).outcomes).toEqual([
      { topicFilter: 'ok', reasonCode: 0 },
      { topicFilter: 'no', reasonCode: 0x80 },
    ]);
    expect([...h.session.subscriptions.keys()]).toEqual(['ok']);
  });

  it('[MQTT-3.9.3-1] treats a SUBACK with the wrong number of codes as a protocol error', () => {
    const h = online(4);
    h.session.subscribe(
      [
        { topicFilter: 'a', qos: 0 },
        { topicFilter: 'b', qos: 0 },
      ],
      undefined,
      recorder(),
    );
    h.session.receive(rawSuback(1, [0], 4));
    expect(h.events()).toMatchObject([
      { kind: 'protocolError', error: { code: 'PROTOCOL_ERROR', specRef: 'MQTT-3.9.3-1' } },
    ]);
  });

  it('unsubscribes (v5 codes per filter) and forgets the filters at once', () => {
    const h = online(5);
    h.session.subscribe([{ topicFilter: 'a', qos: 0 }], undefined, recorder());
    h.session.receive(rawSuback(1, [0], 5));
    h.written();
    const done = recorder<UnsubscribeResult>();
    h.session.unsubscribe(['a', 'b'], { userProperties: [['why', 'done']] }, done);
    expect(h.session.subscriptions.size).toBe(0);
    expect(h.written()).toEqual([hex(rawUnsubscribe(2, ['a', 'b'], 5, [[USER_PROPERTY, ['why', 'done']]]))]);
    h.session.receive(rawUnsuback(2, [0, 0x11], 5));
    expect(done.value).toEqual({
      outcomes: [
        { topicFilter: 'a', reasonCode: 0 },
        { topicFilter: 'b', reasonCode: 0x11 },
      ],
    });
  });

  it('reports a refused resubscribe as an error event', () => {
    const h = online(4);
    h.session.subscribe([{ topicFilter: 'a', qos: 1 }], undefined, recorder());
    h.session.receive(rawSuback(1, [1], 4));
    h.session.connectionLost();
    h.session.connect();
    h.written();
    h.session.receive(rawConnack({}, 4));
    h.events();
    expect(h.written()).toEqual([hex(rawSubscribe(2, [{ filter: 'a', qos: 1 }], 4))]);
    h.session.receive(rawSuback(2, [0x80], 4));
    expect(h.events()).toMatchObject([{ kind: 'error', error: { name: 'SubscribeError' } }]);
  });
});

describe('ClientSession: MQTT 3.1', () => {
  it('continues in-flight flows of a persistent session (3.1 has no Session Present flag) and subscribes again', () => {
    const h = online(3, {}, { clean: false });
    h.session.subscribe([{ topicFilter: 'a', qos: 1 }], undefined, recorder());
    h.session.receive(rawSuback(1, [1], 3));
    h.session.publish(publishPacket('a', '1', 2), undefined);
    h.written();
    h.session.connectionLost();
    h.session.connect();
    h.written();
    h.session.receive(rawConnack({}, 3));
    expect(h.written()).toEqual([
      hex(rawSubscribe(3, [{ filter: 'a', qos: 1 }], 3)),
      hex(rawPublish({ topic: 'a', payload: '1', qos: 2, packetId: 2, dup: true }, 3)),
    ]);
  });
});
