import { describe, expect, it } from 'vitest';
import {
  MAX_VARINT,
  readVarint,
  VARINT_INCOMPLETE,
  VARINT_NOT_MINIMAL,
  VARINT_TOO_LONG,
  varintLength,
  varintSize,
  writeVarint,
} from './varint.js';

// The boundaries of 5.0 Table 1-1 / 3.1.1 Table 2.4 ("Size of Variable Byte Integer").
const TABLE: [number, number[]][] = [
  [0, [0x00]],
  [127, [0x7f]],
  [128, [0x80, 0x01]],
  [16_383, [0xff, 0x7f]],
  [16_384, [0x80, 0x80, 0x01]],
  [2_097_151, [0xff, 0xff, 0x7f]],
  [2_097_152, [0x80, 0x80, 0x80, 0x01]],
  [268_435_455, [0xff, 0xff, 0xff, 0x7f]],
];

describe('varint', () => {
  it.each(TABLE)('%i is written and read as the spec table shows', (value, encoded) => {
    const buf = new Uint8Array(6);
    expect(writeVarint(buf, 1, value)).toBe(1 + encoded.length);
    expect([...buf.subarray(1, 1 + encoded.length)]).toEqual(encoded);
    expect(varintSize(value)).toBe(encoded.length);
    expect(readVarint(Uint8Array.from(encoded), 0, encoded.length)).toBe(value);
    expect(varintLength).toBe(encoded.length);
  });

  it('has the spec maximum', () => expect(MAX_VARINT).toBe(268_435_455));

  it('reports an integer cut short', () => {
    expect(readVarint(Uint8Array.of(0x80, 0x80), 0, 2)).toBe(VARINT_INCOMPLETE);
    expect(readVarint(Uint8Array.of(0x05), 0, 0)).toBe(VARINT_INCOMPLETE);
    // `end` bounds the read even when the array is longer.
    expect(readVarint(Uint8Array.of(0x80, 0x01), 0, 1)).toBe(VARINT_INCOMPLETE);
  });

  it('refuses a fifth byte', () => {
    expect(readVarint(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x01), 0, 5)).toBe(VARINT_TOO_LONG);
    expect(readVarint(Uint8Array.of(0x80, 0x80, 0x80, 0x80), 0, 4)).toBe(VARINT_TOO_LONG);
  });

  it('[MQTT-1.5.5-1] refuses encodings longer than needed', () => {
    expect(readVarint(Uint8Array.of(0x80, 0x00), 0, 2)).toBe(VARINT_NOT_MINIMAL);
    expect(readVarint(Uint8Array.of(0xff, 0x80, 0x00), 0, 3)).toBe(VARINT_NOT_MINIMAL);
    expect(readVarint(Uint8Array.of(0x81, 0x80, 0x80, 0x00), 0, 4)).toBe(VARINT_NOT_MINIMAL);
  });

  it('round-trips every size boundary and a sweep of values', () => {
    const buf = new Uint8Array(4);
    for (
      let value = 0;
      value <= MAX_VARINT;
      value = value < 1000 ? value + 1 : Math.floor(value * 1.37) + 1
    ) {
      const end = writeVarint(buf, 0, value);
      expect(readVarint(buf, 0, end)).toBe(value);
    }
  });
});
