import { describe, expect, it } from 'vitest';
import { allocFrame, ByteWriter } from './byte-writer.js';

describe('allocFrame', () => {
  it('returns zero-filled frames of the exact size, pooled or not', () => {
    for (const size of [0, 2, 64, 65, 100, 4096, 4097, 70_000]) {
      const frame = allocFrame(size);
      expect(frame.length).toBe(size);
      expect(frame.every((b) => b === 0)).toBe(true);
    }
  });

  it('never hands out overlapping memory', () => {
    const frames = Array.from({ length: 400 }, (_, i) => allocFrame(65 + (i % 50) * 80));
    frames.forEach((frame, i) => {
      frame.fill((i % 255) + 1);
    });
    frames.forEach((frame, i) => {
      expect(frame.every((b) => b === (i % 255) + 1)).toBe(true);
    });
  });

  it('keeps pooled frames 8-byte aligned', () => {
    for (let i = 0; i < 50; i++) expect(allocFrame(65 + i).byteOffset % 8).toBe(0);
  });
});

describe('ByteWriter', () => {
  it('writes integers, strings and binary data', () => {
    const w = new ByteWriter();
    const frame = w.start(20);
    w.u8(0xab);
    w.u16(0x0102);
    w.u32(0xfffffffe);
    w.varint(16_384);
    w.string('a\u00e9', 3);
    w.binary(Uint8Array.of(7, 8));
    expect(w.pos).toBe(1 + 2 + 4 + 3 + 5 + 4);
    expect([...frame.subarray(0, w.pos)]).toEqual([
      0xab, 0x01, 0x02, 0xff, 0xff, 0xff, 0xfe, 0x80, 0x80, 0x01, 0x00, 0x03, 0x61, 0xc3, 0xa9, 0x00, 0x02, 7,
      8,
    ]);
  });

  it('copies short and long byte runs', () => {
    const w = new ByteWriter();
    const long = Uint8Array.from({ length: 100 }, (_, i) => i);
    const frame = w.start(110);
    w.bytes(Uint8Array.of(1, 2, 3));
    w.bytes(long);
    expect([...frame.subarray(0, 3)]).toEqual([1, 2, 3]);
    expect(frame.subarray(3, 103)).toEqual(long);
  });
});
