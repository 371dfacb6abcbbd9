import { MqttError } from '@mqttkit/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TOPIC_LIMITS,
  MAXIMUM_TOPIC_LENGTH,
  utf8ByteLength,
  validateTopicFilter,
  validateTopicName,
} from './validate.js';

function expectError(error: MqttError | undefined, code: string, specRef: string | undefined): void {
  expect(error).toBeInstanceOf(MqttError);
  expect(error?.code).toBe(code);
  expect(error?.specRef).toBe(specRef);
  expect(error?.message.length).toBeGreaterThan(10);
}

describe('validateTopicName', () => {
  it.each([
    'sport/tennis/player1',
    'sport',
    '/',
    '//',
    '/finance',
    'finance/',
    'a//b',
    'Accounts payable',
    'ACCOUNTS',
    '$SYS/broker/uptime',
    '$share/g/x',
    'température/€/😀',
  ])('accepts %j (4.7.3: empty levels, spaces, case, leading and trailing "/")', (topic) => {
    expect(validateTopicName(topic)).toBeUndefined();
  });

  it('[MQTT-4.7.3-1] rejects an empty name as a protocol error', () => {
    expectError(validateTopicName(''), 'PROTOCOL_ERROR', 'MQTT-4.7.3-1');
  });

  it.each(['sport/+', 'sport/#', '+', '#', 'a+b', 'sport/tennis#', '+/x'])(
    '[MQTT-3.3.2-2] [MQTT-4.7.1-1] rejects the wildcard in %j',
    (topic) => {
      const error = validateTopicName(topic);
      expectError(error, 'TOPIC_NAME_INVALID', 'MQTT-3.3.2-2');
      expect(error?.message).toContain(JSON.stringify(topic));
    },
  );

  it('[MQTT-4.7.3-2] rejects U+0000 as a malformed packet', () => {
    expectError(validateTopicName('a/\u0000/b'), 'MALFORMED_PACKET', 'MQTT-4.7.3-2');
    expectError(validateTopicName('\u0000'), 'MALFORMED_PACKET', 'MQTT-4.7.3-2');
  });

  it('[MQTT-1.5.4-1] rejects a lone surrogate, which has no UTF-8 encoding', () => {
    expectError(validateTopicName('a\ud800b'), 'MALFORMED_PACKET', 'MQTT-1.5.4-1');
    expectError(validateTopicName('a\udc00'), 'MALFORMED_PACKET', 'MQTT-1.5.4-1');
    expectError(validateTopicName('\ud83d'), 'MALFORMED_PACKET', 'MQTT-1.5.4-1');
    expect(validateTopicName('\ud83d\ude00')).toBeUndefined();
  });

  it('[MQTT-4.7.3-3] accepts 65535 UTF-8 bytes and rejects 65536', () => {
    expect(validateTopicName('a'.repeat(65535))).toBeUndefined();
    expectError(validateTopicName('a'.repeat(65536)), 'TOPIC_NAME_INVALID', 'MQTT-4.7.3-3');
    // Two bytes per 'é': the limit is on UTF-8 bytes, not UTF-16 units.
    expect(validateTopicName(`${'é'.repeat(32767)}a`)).toBeUndefined();
    expectError(validateTopicName('é'.repeat(32768)), 'TOPIC_NAME_INVALID', 'MQTT-4.7.3-3');
    // Four bytes per emoji.
    expectError(validateTopicName('😀'.repeat(16384)), 'TOPIC_NAME_INVALID', 'MQTT-4.7.3-3');
    expect(validateTopicName(`${'😀'.repeat(16383)}abc`)).toBeUndefined();
  });

  it('applies a configured maximumLength in UTF-8 bytes', () => {
    expect(validateTopicName('éé', { maximumLength: 4 })).toBeUndefined();
    expectError(validateTopicName('éé/', { maximumLength: 4 }), 'TOPIC_NAME_INVALID', undefined);
  });

  it('applies maximumLevels, 200 by default', () => {
    expect(DEFAULT_TOPIC_LIMITS.maximumLevels).toBe(200);
    expect(validateTopicName(`${'a/'.repeat(199)}a`)).toBeUndefined();
    const error = validateTopicName(`${'a/'.repeat(200)}a`);
    expectError(error, 'TOPIC_NAME_INVALID', undefined);
    expect(error?.message).toContain('201 levels');
    expect(validateTopicName('a/b/c', { maximumLevels: 3 })).toBeUndefined();
    expectError(validateTopicName('a/b/c/', { maximumLevels: 3 }), 'TOPIC_NAME_INVALID', undefined);
  });

  it('never reports more than the 65535-byte spec ceiling as allowed, whatever the limit', () => {
    expectError(
      validateTopicName('a'.repeat(70000), { maximumLength: 100000 }),
      'TOPIC_NAME_INVALID',
      'MQTT-4.7.3-3',
    );
    expect(MAXIMUM_TOPIC_LENGTH).toBe(65535);
  });

  it('keeps messages short for long topics', () => {
    const error = validateTopicName(`${'x'.repeat(5000)}+`);
    expect(error?.message.length).toBeLessThan(200);
  });
});

describe('validateTopicFilter', () => {
  it.each([
    'sport/tennis/player1/#',
    'sport/#',
    '#',
    'sport/tennis/#',
    '+',
    '+/tennis/#',
    'sport/+/player1',
    'sport/+',
    '+/+',
    '/+',
    '/',
    '//',
    'a//b',
    '+//+',
    '$SYS/#',
    '$SYS/monitor/+',
    '$share',
    '$sharex/a',
    '$share/consumer1/sport/tennis/+',
    '$share/consumer1//finance',
    '$share/g/#',
    '$share/g/$SYS/#',
  ])('accepts %j (4.7.1.2, 4.7.1.3, 4.8.2 examples)', (filter) => {
    expect(validateTopicFilter(filter)).toBeUndefined();
  });

  it('[MQTT-4.7.3-1] rejects an empty filter', () => {
    expectError(validateTopicFilter(''), 'TOPIC_FILTER_INVALID', 'MQTT-4.7.3-1');
  });

  it.each([
    'sport/tennis#',
    'sport/tennis/#/ranking',
    '#/',
    '#/a',
    'a/#b',
    'a/b#',
    '##',
    'a/b/#/',
    '$share/g/a#',
  ])('[MQTT-4.7.1-2] rejects %j: "#" alone in the last level only', (filter) => {
    expectError(validateTopicFilter(filter), 'TOPIC_FILTER_INVALID', 'MQTT-4.7.1-2');
  });

  it.each(['sport+', '+a', 'a/+b', 'a/b+/c', '++', '+sport/x', '$share/g/a+'])(
    '[MQTT-4.7.1-3] rejects %j: "+" occupies an entire level',
    (filter) => {
      expectError(validateTopicFilter(filter), 'TOPIC_FILTER_INVALID', 'MQTT-4.7.1-3');
    },
  );

  it('[MQTT-4.7.3-2] rejects U+0000 anywhere, share name included', () => {
    expectError(validateTopicFilter('a/\u0000'), 'MALFORMED_PACKET', 'MQTT-4.7.3-2');
    expectError(validateTopicFilter('$share/g\u0000/a'), 'MALFORMED_PACKET', 'MQTT-4.7.3-2');
  });

  it('[MQTT-1.5.4-1] rejects a lone surrogate', () => {
    expectError(validateTopicFilter('a/\udfff/#'), 'MALFORMED_PACKET', 'MQTT-1.5.4-1');
  });

  it('[MQTT-4.7.3-3] limits the whole filter, $share prefix included, to 65535 bytes', () => {
    expect(validateTopicFilter('a'.repeat(65535))).toBeUndefined();
    expectError(validateTopicFilter(`${'a'.repeat(65534)}/#`), 'TOPIC_FILTER_INVALID', 'MQTT-4.7.3-3');
    expectError(validateTopicFilter(`$share/g/${'a'.repeat(65527)}`), 'TOPIC_FILTER_INVALID', 'MQTT-4.7.3-3');
  });

  it('[MQTT-4.8.2-1] rejects a shared subscription without a ShareName', () => {
    expectError(validateTopicFilter('$share//a'), 'TOPIC_FILTER_INVALID', 'MQTT-4.8.2-1');
    expectError(validateTopicFilter('$share/'), 'TOPIC_FILTER_INVALID', 'MQTT-4.8.2-1');
  });

  it.each(['$share/g', '$share/g/', '$share/g+/a', '$share/#/a', '$share/a#b/x'])(
    '[MQTT-4.8.2-2] rejects the shared subscription %j',
    (filter) => {
      expectError(validateTopicFilter(filter), 'TOPIC_FILTER_INVALID', 'MQTT-4.8.2-2');
    },
  );

  it('counts the levels of a shared filter after its ShareName', () => {
    expect(validateTopicFilter('$share/g/a/b', { maximumLevels: 2 })).toBeUndefined();
    expectError(validateTopicFilter('a/b/c', { maximumLevels: 2 }), 'TOPIC_FILTER_INVALID', undefined);
    expectError(
      validateTopicFilter('$share/g/a/b/c', { maximumLevels: 2 }),
      'TOPIC_FILTER_INVALID',
      undefined,
    );
  });

  it('applies maximumLength', () => {
    expect(validateTopicFilter('abcd', { maximumLength: 4 })).toBeUndefined();
    expectError(validateTopicFilter('abc/#', { maximumLength: 4 }), 'TOPIC_FILTER_INVALID', undefined);
  });
});

describe('utf8ByteLength', () => {
  it('agrees with TextEncoder on any string, lone surrogates included', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.oneof(
            fc.constantFrom('\ud800', '\udc00', 'a'),
            fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
          ),
        }),
        (text) => {
          expect(utf8ByteLength(text)).toBe(encoder.encode(text).length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('decides the 65535-byte boundary on UTF-8 bytes for any characters', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
        fc.integer({ min: -8, max: 8 }),
        (text, extra) => {
          const tail = [...text].map((c) => ('+#/\u0000'.includes(c) ? 'x' : c)).join('');
          const long = 'a'.repeat(65535 + extra - utf8ByteLength(tail)) + tail;
          expect(utf8ByteLength(long)).toBe(65535 + extra);
          expect(validateTopicName(long) === undefined).toBe(extra <= 0);
          expect(validateTopicFilter(long) === undefined).toBe(extra <= 0);
        },
      ),
      { numRuns: 100 },
    );
  });
});
