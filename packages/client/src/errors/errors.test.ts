import { MqttError } from '@mqttkit/types';
import { describe, expect, it } from 'vitest';
import { ConnectionClosedError } from './connection-closed-error.js';
import { ConnectionRefusedError } from './connection-refused-error.js';
import { NetworkError } from './network-error.js';
import { NotAuthorizedError } from './not-authorized-error.js';
import { PacketTooLargeError } from './packet-too-large-error.js';
import { PublishError } from './publish-error.js';
import { QueueFullError } from './queue-full-error.js';
import { SubscribeError } from './subscribe-error.js';
import { TimeoutError } from './timeout-error.js';
import { UnsubscribeError } from './unsubscribe-error.js';

describe('client errors', () => {
  it('extend MqttError, carry a reason code and a readable message', () => {
    const refused = new NotAuthorizedError(
      { type: 'connack', sessionPresent: false, reasonCode: 0x87, properties: { reasonString: 'no' } },
      5,
    );
    expect(refused).toBeInstanceOf(ConnectionRefusedError);
    expect(refused).toBeInstanceOf(MqttError);
    expect(refused.message).toBe('connection refused by the server: Not authorized (0x87): no');
    expect(refused).toMatchObject({
      name: 'NotAuthorizedError',
      code: 'NOT_AUTHORIZED',
      reasonCode: 0x87,
      reasonString: 'no',
    });

    const v3 = new ConnectionRefusedError({ type: 'connack', sessionPresent: false, reasonCode: 1 }, 4);
    expect(v3.message).toBe(
      'connection refused by the server: Connection Refused, unacceptable protocol version (1)',
    );
    expect(v3).toMatchObject({ code: 'UNSUPPORTED_PROTOCOL_VERSION', reasonCode: 0x84, returnCode: 1 });

    expect(new TimeoutError('keepalive', 500)).toMatchObject({
      code: 'KEEP_ALIVE_TIMEOUT',
      operation: 'keepalive',
      timeoutMs: 500,
    });
    expect(new TimeoutError('connect', 10).message).toBe('no CONNACK within 10 ms');
    expect(new PublishError('a/b', 0x97).message).toBe(
      "publish to 'a/b' failed: the server refused it: Quota exceeded (0x97)",
    );
    expect(new PacketTooLargeError('PUBLISH', 300, 200)).toMatchObject({
      code: 'PACKET_TOO_LARGE',
      size: 300,
      maximumPacketSize: 200,
    });
    expect(new QueueFullError('the outgoing queue', 5).message).toBe(
      'the outgoing queue is full (5 messages)',
    );
    expect(new NetworkError('mqtt://h', new Error('ECONNREFUSED')).message).toBe(
      'network error with mqtt://h: ECONNREFUSED',
    );
    expect(ConnectionClosedError.fromDisconnect({ type: 'disconnect', reasonCode: 0x8e })).toMatchObject({
      code: 'SESSION_TAKEN_OVER',
      message: 'the server closed the connection: Session taken over (0x8e)',
    });
    const subscribe = new SubscribeError([
      { topicFilter: 'ok', reasonCode: 1 },
      { topicFilter: 'no', reasonCode: 0x87 },
    ]);
    expect(subscribe.message).toBe("subscribe refused for 'no' (Not authorized (0x87))");
    expect(subscribe.refused).toEqual([{ topicFilter: 'no', reasonCode: 0x87 }]);
    expect(new UnsubscribeError([{ topicFilter: 'x', reasonCode: 0x8f }]).code).toBe('TOPIC_FILTER_INVALID');
  });

  it('are recognised across copies of the package by their registry-wide marker', () => {
    const foreign = Object.create({ [Symbol.for('@mqttkit/client/PublishError')]: true });
    expect(PublishError.isInstance(foreign)).toBe(true);
    expect(PublishError.isInstance(new PublishError('t', 0x80))).toBe(true);
    expect(PublishError.isInstance(new QueueFullError('q', 1))).toBe(false);
    expect(MqttError.isInstance(new TimeoutError('request', 1))).toBe(true);
    expect(
      NotAuthorizedError.isInstance(
        new ConnectionRefusedError({ type: 'connack', sessionPresent: false, reasonCode: 0x89 }, 5),
      ),
    ).toBe(false);
  });
});
