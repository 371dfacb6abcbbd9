import { encode } from '@mqttkit/codec';
import type { Packet } from '@mqttkit/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameError, FrameScanner } from './frame-scanner.js';

const packets: Packet[] = [
  { type: 'connack', sessionPresent: false, reasonCode: 0 },
  {
    type: 'publish',
    topic: 'a/b',
    payload: new Uint8Array(5).fill(7),
    qos: 1,
    retain: false,
    dup: false,
    packetId: 3,
  },
  {
    type: 'publish',
    topic: 'big',
    payload: new Uint8Array(20_000).fill(1),
    qos: 0,
    retain: true,
    dup: false,
  },
  { type: 'puback', packetId: 3 },
  { type: 'pingresp' },
  {
    type: 'publish',
    topic: 'x',
    payload: new Uint8Array(200),
    qos: 2,
    retain: false,
    dup: false,
    packetId: 65535,
  },
];
const frames = packets.map((packet) => Buffer.from(encode(packet, 4)));
const stream = Buffer.concat(frames);

function scan(chunks: Buffer[], scanner = new FrameScanner()): Buffer[] {
  const out: Buffer[] = [];
  for (const chunk of chunks) {
    scanner.push(chunk, (first, buffer, start, end) => {
      // Rebuild the whole frame from what the scanner handed over.
      const header = [first];
      let remaining = end - start;
      do {
        header.push((remaining & 0x7f) | (remaining > 0x7f ? 0x80 : 0));
        remaining >>>= 7;
      } while (remaining > 0);
      out.push(Buffer.concat([Buffer.from(header), buffer.subarray(start, end)]));
    });
  }
  return out;
}

describe('FrameScanner', () => {
  it('finds every frame however the stream is split (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 40 }),
        (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
          const chunks = points.slice(1).map((end, i) => stream.subarray(points[i], end));
          expect(scan(chunks)).toEqual(frames);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('one byte at a time, and everything at once', () => {
    expect(scan([...stream].map((byte) => Buffer.from([byte])))).toEqual(frames);
    expect(scan([stream])).toEqual(frames);
  });

  it('holds only the incomplete frame', () => {
    const scanner = new FrameScanner();
    scan([stream.subarray(0, frames[0]!.length + 3)], scanner);
    expect(scanner.bufferedBytes).toBe(3);
  });

  it('refuses a malformed Remaining Length and a frame over the limit', () => {
    expect(() => scan([Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])])).toThrow(FrameError);
    expect(() => scan([Buffer.from([0x30, 0x80, 0x80, 0x01])], new FrameScanner(1000))).toThrow(
      'a frame of 16388 bytes exceeds the limit of 1000',
    );
  });
});
