import {
  rawConnack,
  rawPuback,
  rawPubcomp,
  rawPublish,
  rawPubrec,
  rawPubrel,
  rawSuback,
  rawSubscribe,
  rawUnsubscribe,
} from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import {
  harness,
  hex,
  MAXIMUM_PACKET_SIZE,
  MAXIMUM_QOS,
  online,
  publishPacket,
  RECEIVE_MAXIMUM,
  recorder,
  TOPIC_ALIAS,
  TOPIC_ALIAS_MAXIMUM,
  USER_PROPERTY,
} from '../../test/session-harness.js';
import { PacketTooLargeError } from '../errors/packet-too-large-error.js';
import { PublishError } from '../errors/publish-error.js';
import { QueueFullError } from '../errors/queue-full-error.js';
import type { PublishResult, SubscribeResult } from './results.js';

describe('ClientSession: outgoing PUBLISH', () => {
  it('writes QoS 0 at once and settles it', () => {
    const h = online(4);
    const done = recorder<PublishResult>();
    expect(h.session.publish(publishPacket('a/b', 'hi'), done)).toBeUndefined();
    expect(h.written()).toEqual([hex(rawPublish({ topic: 'a/b', payload: 'hi' }, 4))]);
    expect(done.value).toEqual({ reasonCode: 0 });
  });

  it('runs the QoS 1 flow: PUBLISH, PUBACK, settled; the store mirrors it', () => {
    const h = online(4);
    const done = recorder<PublishResult>();
    h.session.publish(publishPacket('a', 'x', 1, { retain: true }), done);
    expect(h.written()).toEqual([
      hex(rawPublish({ topic: 'a', payload: 'x', qos: 1, retain: true, packetId: 1 }, 4)),
    ]);
    expect(h.store.size).toBe(1);
    expect(h.session.inflightCount).toBe(1);
    h.session.receive(rawPuback(1, 4));
    expect(done.value).toEqual({ reasonCode: 0 });
    expect(h.store.size).toBe(0);
    expect(h.session.inflightCount).toBe(0);
  });

  it('runs the QoS 2 flow: PUBLISH, PUBREC, PUBREL, PUBCOMP', () => {
    const h = online(4);
    const done = recorder<PublishResult>();
    h.session.publish(publishPacket('a', 'x', 2), done);
    expect(h.written()).toEqual([hex(rawPublish({ topic: 'a', payload: 'x', qos: 2, packetId: 1 }, 4))]);
    h.session.receive(rawPubrec(1, 4));
    expect(h.written()).toEqual([hex(rawPubrel(1, 4))]);
    expect(h.store.load()[0]?.stage).toBe('pubrel');
    expect(done.settled).toBe(false);
    h.session.receive(rawPubcomp(1, 4));
    expect(done.value).toEqual({ reasonCode: 0 });
    expect(h.written()).toEqual([]);
  });

  it('resolves with a v5 success code and properties, rejects a refusal with PublishError', () => {
    const h = online(5);
    const ok = recorder<PublishResult>();
    const refused = recorder<PublishResult>();
    h.session.publish(publishPacket('a', 'x', 1), ok);
    h.session.publish(publishPacket('b', 'y', 1), refused);
    h.session.receive(rawPuback(1, 5, 0x10, [[USER_PROPERTY, ['k', 'v']]]));
    h.session.receive(rawPuback(2, 5, 0x87, [[0x1f, 'acl']]));
    expect(ok.value).toEqual({ reasonCode: 0x10, properties: { userProperties: [['k', 'v']] } });
    expect(refused.error).toBeInstanceOf(PublishError);
    expect(refused.error).toMatchObject({
      code: 'NOT_AUTHORIZED',
      reasonCode: 0x87,
      reasonString: 'acl',
      topic: 'b',
    });
  });

  it('ends a QoS 2 flow at a PUBREC with an error code: no PUBREL', () => {
    const h = online(5);
    const done = recorder<PublishResult>();
    h.session.publish(publishPacket('a', 'x', 2), done);
    h.written();
    h.session.receive(rawPubrec(1, 5, 0x97));
    expect(h.written()).toEqual([]);
    expect(done.error).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect(h.session.inflightCount).toBe(0);
  });

  it('answers a PUBREC for an unknown identifier with PUBREL 0x92 (v5)', () => {
    const h = online(5);
    h.session.receive(rawPubrec(9, 5));
    expect(h.written()).toEqual([hex(rawPubrel(9, 5, 0x92))]);
  });

  it('queues while offline, in order, and sends after CONNACK', () => {
    const h = harness({ protocolVersion: 4 });
    const first = recorder<PublishResult>();
    h.session.publish(publishPacket('q', '1', 1), first);
    h.session.publish(publishPacket('q', '2', 0), undefined);
    expect(h.session.queueLength).toBe(2);
    h.session.connect();
    h.written();
    h.session.receive(rawConnack({}, 4));
    expect(h.written()).toEqual([
      hex(rawPublish({ topic: 'q', payload: '1', qos: 1, packetId: 1 }, 4)),
      hex(rawPublish({ topic: 'q', payload: '2' }, 4)),
    ]);
  });

  it('refuses past the queue bound with QueueFullError instead of dropping', () => {
    const h = harness({ queueLimit: 2 });
    expect(h.session.publish(publishPacket('q', '1'), undefined)).toBeUndefined();
    expect(h.session.publish(publishPacket('q', '2'), undefined)).toBeUndefined();
    const error = h.session.publish(publishPacket('q', '3'), undefined);
    expect(error).toBeInstanceOf(QueueFullError);
    expect(error).toMatchObject({ code: 'QUOTA_EXCEEDED', limit: 2 });
  });

  it('[MQTT-4.9.0-2] keeps no more QoS > 0 messages in flight than the server Receive Maximum', () => {
    const h = online(5, { properties: [[RECEIVE_MAXIMUM, 2]] });
    for (const payload of ['1', '2', '3']) h.session.publish(publishPacket('r', payload, 1), undefined);
    expect(h.written()).toEqual([
      hex(rawPublish({ topic: 'r', payload: '1', qos: 1, packetId: 1 }, 5)),
      hex(rawPublish({ topic: 'r', payload: '2', qos: 1, packetId: 2 }, 5)),
    ]);
    expect(h.session.queueLength).toBe(1);
    // QoS 0 waits behind it too, so messages leave in the order they were published.
    h.session.publish(publishPacket('r', '4'), undefined);
    expect(h.written()).toEqual([]);
    h.session.receive(rawPuback(1, 5));
    expect(h.written()).toEqual([
      hex(rawPublish({ topic: 'r', payload: '3', qos: 1, packetId: 3 }, 5)),
      hex(rawPublish({ topic: 'r', payload: '4' }, 5)),
    ]);
  });

  it('[MQTT-3.1.2-24] refuses a PUBLISH above the server Maximum Packet Size before sending it', () => {
    const h = online(5, { properties: [[MAXIMUM_PACKET_SIZE, 40]] });
    const error = h.session.publish(publishPacket('big', 'x'.repeat(40), 1), undefined);
    expect(error).toBeInstanceOf(PacketTooLargeError);
    expect(error).toMatchObject({ code: 'PACKET_TOO_LARGE', maximumPacketSize: 40 });
    expect(h.written()).toEqual([]);
    expect(h.session.inflightCount).toBe(0);
  });

  it('[MQTT-3.2.2-11] refuses QoS above the server Maximum QoS, and retain when unavailable', () => {
    const h = online(5, {
      properties: [
        [MAXIMUM_QOS, 1],
        [0x25, 0],
      ],
    });
    expect(h.session.publish(publishPacket('a', 'x', 2), undefined)).toMatchObject({
      code: 'QOS_NOT_SUPPORTED',
    });
    expect(h.session.publish(publishPacket('a', 'x', 0, { retain: true }), undefined)).toMatchObject({
      code: 'RETAIN_NOT_SUPPORTED',
    });
    expect(h.written()).toEqual([]);
  });

  it('uses topic aliases within the server Topic Alias Maximum, replacing the oldest when full', () => {
    const h = online(5, { properties: [[TOPIC_ALIAS_MAXIMUM, 2]] });
    for (const topic of ['a', 'a', 'b', 'c', 'a']) h.session.publish(publishPacket(topic, 'p'), undefined);
    expect(h.written()).toEqual([
      hex(rawPublish({ topic: 'a', payload: 'p', properties: [[TOPIC_ALIAS, 1]] }, 5)),
      hex(rawPublish({ topic: '', payload: 'p', properties: [[TOPIC_ALIAS, 1]] }, 5)),
      hex(rawPublish({ topic: 'b', payload: 'p', properties: [[TOPIC_ALIAS, 2]] }, 5)),
      hex(rawPublish({ topic: 'c', payload: 'p', properties: [[TOPIC_ALIAS, 1]] }, 5)),
      hex(rawPublish({ topic: 'a', payload: 'p', properties: [[TOPIC_ALIAS, 2]] }, 5)),
    ]);
  });

  it('sends no alias when the server allows none, or when aliases are turned off', () => {
    for (const [connack, options] of [
      [{}, {}],
      [{ properties: [[TOPIC_ALIAS_MAXIMUM, 5]] as const }, { topicAliases: false }],
    ] as const) {
      const h = online(5, connack as Parameters<typeof rawConnack>[0], options);
      h.session.publish(publishPacket('a', 'p'), undefined);
      h.session.publish(publishPacket('a', 'p'), undefined);
      expect(h.written()).toEqual([
        hex(rawPublish({ topic: 'a', payload: 'p' }, 5)),
        hex(rawPublish({ topic: 'a', payload: 'p' }, 5)),
      ]);
    }
  });

  it('keeps user properties in order, duplicates included [MQTT-3.3.2-18]', () => {
    const h = online(5);
    const userProperties = [
      ['z', '1'],
      ['a', '2'],
      ['z', '3'],
    ] as const;
    h.session.publish(publishPacket('u', 'p', 0, { properties: { userProperties } }), undefined);
    expect(h.written()).toEqual([
      hex(
        rawPublish(
          {
            topic: 'u',
            payload: 'p',
            properties: userProperties.map((pair) => [USER_PROPERTY, pair] as const),
          },
          5,
        ),
      ),
    ]);
  });
});

describe('ClientSession: reconnect', () => {
  it('[MQTT-4.4.0-1] re-sends PUBLISH with DUP and PUBREL in the original order when the session is present', () => {
    const h = online(4, {}, { clean: false });
    h.session.publish(publishPacket('a', '1', 1), undefined);
    h.session.publish(publishPacket('b', '2', 2), undefined);
    h.session.publish(publishPacket('c', '3', 2), undefined);
    h.session.receive(rawPubrec(2, 4));
    h.written();
    h.session.connectionLost();
    h.session.publish(publishPacket('d', '4', 1), undefined);
    h.session.connect();
    h.written();
    h.session.receive(rawConnack({ sessionPresent: true }, 4));
    expect(h.written()).toEqual([
      hex(rawPublish({ topic: 'a', payload: '1', qos: 1, packetId: 1, dup: true }, 4)),
      hex(rawPubrel(2, 4)),
      hex(rawPublish({ topic: 'c', payload: '3', qos: 2, packetId: 3, dup: true }, 4)),
      hex(rawPublish({ topic: 'd', payload: '4', qos: 1, packetId: 4 }, 4)),
    ]);
  });

  it('re-publishes unacknowledged messages when the session is gone, completes PUBREC-ed ones, resubscribes', () => {
    const h = online(5, { properties: [[TOPIC_ALIAS_MAXIMUM, 4]] });
    const subscribed = recorder<SubscribeResult>();
    h.session.subscribe([{ topicFilter: 's/#', qos: 1 }], undefined, subscribed);
    h.session.receive(rawSuback(1, [1], 5));
    const acked = recorder<PublishResult>();
    const pending = recorder<PublishResult>();
    h.session.publish(publishPacket('t', '1', 2), acked);
    h.session.publish(publishPacket('t', '2', 1), pending);
    h.session.receive(rawPubrec(2, 5));
    h.written();
    h.session.connectionLost();
    h.session.connect();
    h.written();
    h.session.receive(rawConnack({ sessionPresent: false }, 5));
    expect(acked.value).toEqual({ reasonCode: 0 });
    expect(h.written()).toEqual([
      // Identifiers advance with a cursor (1 SUBSCRIBE, 2-3 PUBLISH), so the resubscribe gets 4.
      hex(rawSubscribe(4, [{ filter: 's/#', qos: 1 }], 5)),
      // Aliases do not survive the connection: the message goes with its full topic and no alias.
      hex(rawPublish({ topic: 't', payload: '2', qos: 1, packetId: 3 }, 5)),
    ]);
    h.session.receive(rawPuback(3, 5));
    expect(pending.value).toEqual({ reasonCode: 0 });
  });

  it('sends again the SUBSCRIBE and UNSUBSCRIBE that were not acknowledged', () => {
    const h = online(4);
    h.session.subscribe([{ topicFilter: 'x', qos: 0 }], undefined, recorder());
    h.session.unsubscribe(['y'], undefined, recorder());
    h.written();
    h.session.connectionLost();
    h.session.connect();
    h.written();
    h.session.receive(rawConnack({}, 4));
    expect(h.written()).toEqual([
      hex(rawSubscribe(3, [{ filter: 'x', qos: 0 }], 4)),
      hex(rawUnsubscribe(4, ['y'], 4)),
    ]);
  });

  it('resumes the flows a previous client left in the store', () => {
    const first = online(4, {}, { clean: false });
    first.session.publish(publishPacket('kept', 'k', 1), undefined);
    const stored = first.store.load();
    const h = harness({ clean: false });
    h.session.restore(stored);
    h.session.connect();
    h.written();
    h.session.receive(rawConnack({ sessionPresent: true }, 4));
    expect(h.written()).toEqual([
      hex(rawPublish({ topic: 'kept', payload: 'k', qos: 1, packetId: 1, dup: true }, 4)),
    ]);
  });

  it('rejects everything pending on failAll and empties the store', () => {
    const h = online(4);
    const inflight = recorder<PublishResult>();
    const subscribe = recorder<SubscribeResult>();
    h.session.publish(publishPacket('a', '1', 1), inflight);
    h.session.subscribe([{ topicFilter: 'a', qos: 0 }], undefined, subscribe);
    h.session.connectionLost();
    const queued = recorder<PublishResult>();
    h.session.publish(publishPacket('a', '2', 0), queued);
    const error = new Error('gone');
    h.session.failAll(error);
    expect([inflight.error, subscribe.error, queued.error]).toEqual([error, error, error]);
    expect(h.store.size).toBe(0);
    expect(h.session.isIdle).toBe(true);
  });
});
