import { MqttError } from '@mqttkit/types';
import { describe, expect, it } from 'vitest';
import { ByteReader } from './byte-reader.js';

function reader(bytes: number[], isV5 = false): ByteReader {
  const r = new ByteReader();
  r.reset(Uint8Array.from([0xee, ...bytes, 0xee]), 1, 1 + bytes.length, isV5);
  return r;
}

function thrown(fn: () => unknown): MqttError {
  try {
    fn();
  } catch (error) {
    if (MqttError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a throw');
}

describe('ByteReader', () => {
  it('reads integers big-endian within its window', () => {
    const r = reader([0x01, 0x02, 0x03, 0xff, 0xff, 0xff, 0xfe, 0x80, 0x01]);
    expect(r.u8()).toBe(1);
    expect(r.u16()).toBe(0x0203);
    expect(r.u32()).toBe(0xfffffffe);
    expect(r.varint()).toBe(128);
    expect(r.remaining()).toBe(0);
    expect(thrown(() => r.u8()).code).toBe('MALFORMED_PACKET');
  });

  it('never reads past `end`, even when the array goes on', () => {
    expect(thrown(() => reader([0x01]).u16()).code).toBe('MALFORMED_PACKET');
    expect(thrown(() => reader([0x01, 0x02, 0x03]).u32()).code).toBe('MALFORMED_PACKET');
    expect(thrown(() => reader([0x00, 0x02, 0x61]).utf8()).code).toBe('MALFORMED_PACKET');
    expect(thrown(() => reader([0x00, 0x02, 0x61]).binary()).code).toBe('MALFORMED_PACKET');
    expect(thrown(() => reader([0x80]).varint()).code).toBe('MALFORMED_PACKET');
  });

  it('refuses long and non-minimal Variable Byte Integers, citing 1.5.5-1 in 5.0', () => {
    expect(thrown(() => reader([0x80, 0x80, 0x80, 0x80, 0x01]).varint()).specRef).toBeUndefined();
    expect(thrown(() => reader([0x80, 0x00], true).varint()).specRef).toBe('MQTT-1.5.5-1');
    expect(thrown(() => reader([0x80, 0x00], false).varint()).specRef).toBeUndefined();
  });

  it('reads strings and cites the UTF-8 rule of its version', () => {
    expect(reader([0x00, 0x03, 0x61, 0x2f, 0x62]).utf8()).toBe('a/b');
    expect(thrown(() => reader([0x00, 0x01, 0xff]).utf8()).specRef).toBe('MQTT-1.5.3-1');
    expect(thrown(() => reader([0x00, 0x01, 0xff], true).utf8()).specRef).toBe('MQTT-1.5.4-1');
    expect(thrown(() => reader([0x00, 0x01, 0x00]).utf8()).specRef).toBe('MQTT-1.5.3-2');
    expect(thrown(() => reader([0x00, 0x01, 0x00], true).utf8()).specRef).toBe('MQTT-1.5.4-2');
  });

  it('returns binary data and the rest as views, without copying', () => {
    const r = reader([0x00, 0x02, 0x0a, 0x0b, 0x0c]);
    const data = r.binary();
    expect([...data]).toEqual([0x0a, 0x0b]);
    expect(data.buffer).toBe(r.buf.buffer);
    const rest = r.rest();
    expect([...rest]).toEqual([0x0c]);
    expect(rest.buffer).toBe(r.buf.buffer);
    expect(r.rest().length).toBe(0);
  });

  it('expectEnd refuses trailing bytes', () => {
    const r = reader([0x01, 0x02]);
    r.u8();
    expect(thrown(() => r.expectEnd('X')).code).toBe('MALFORMED_PACKET');
    r.u8();
    expect(() => r.expectEnd('X')).not.toThrow();
  });
});
