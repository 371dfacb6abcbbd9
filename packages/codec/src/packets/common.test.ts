import { MqttError } from '@mqttkit/types';
import { describe, expect, it } from 'vitest';
import { checkRemainingLength, hasWildcard, measureString, requirePacketId } from './common.js';

describe('packet helpers', () => {
  it('refuse a Remaining Length beyond 268,435,455 as PACKET_TOO_LARGE', () => {
    expect(checkRemainingLength(268_435_455, 'X')).toBe(268_435_455);
    let error: unknown;
    try {
      checkRemainingLength(268_435_456, 'X');
    } catch (e) {
      error = e;
    }
    expect(MqttError.isInstance(error) && error.code).toBe('PACKET_TOO_LARGE');
  });

  it('measure strings in UTF-8 bytes', () => {
    expect(measureString('\u00e9\u{1f600}', 'f', true)).toBe(6);
    expect(measureString('a'.repeat(65_535), 'f', false)).toBe(65_535);
    expect(() => measureString(3, 'f', false)).toThrow(TypeError);
  });

  it('check packet identifiers', () => {
    expect(requirePacketId(65_535, false, 'X')).toBe(65_535);
    expect(() => requirePacketId(1.5, false, 'X')).toThrow(TypeError);
  });

  it('recognise wildcards', () => {
    expect(hasWildcard('a/b')).toBe(false);
    expect(hasWildcard('a/+')).toBe(true);
    expect(hasWildcard('#')).toBe(true);
  });
});
