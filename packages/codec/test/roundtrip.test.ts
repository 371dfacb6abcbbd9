import { MqttError, type Packet, type ProtocolVersion } from '@mqttkit/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decoder, encode, encodedSize } from '../src/index.js';
import { chunking, packetFor, type Side, split, stream, VERSIONS } from './arbitraries.js';

/** Decodes a whole byte stream pushed in `parts`; fails on any error. */
function decodeAll(version: ProtocolVersion, side: Side, parts: Uint8Array[]): Packet[] {
  const decoder = new Decoder({ side, protocolVersion: version, maximumPacketSize: 268_435_460 });
  const packets: Packet[] = [];
  for (const part of parts) {
    decoder.push(part);
    for (let i = 0; i <= part.length; i++) {
      const next = decoder.next();
      if (next === undefined) break;
      if (MqttError.isInstance(next)) throw next;
      packets.push(next);
    }
  }
  expect(decoder.next()).toBeUndefined();
  expect(decoder.bufferedBytes).toBe(0);
  return packets;
}

function concat(frames: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

const RUNS = { numRuns: 1000, plugins: [fc.interruptAfterTimeLimit(8000)] };

describe('round trip: decode(encode(p)) equals p', () => {
  for (const version of VERSIONS) {
    for (const side of ['server', 'client'] as const) {
      it(`for every packet a ${side} receives in version ${version}`, () => {
        fc.assert(
          fc.property(packetFor(version, side), (packet) => {
            const frame = encode(packet, version);
            expect(encodedSize(packet, version)).toBe(frame.length);
            expect(decodeAll(version, side, [frame])).toStrictEqual([packet]);
          }),
          RUNS,
        );
      });
    }
  }

  it('for a PUBLISH with a four-byte Remaining Length', () => {
    const packet: Packet = {
      type: 'publish',
      topic: 'big',
      payload: new Uint8Array(2_097_152).fill(7),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 9,
    };
    const frame = encode(packet, 5);
    expect(frame[1]! & 0x80 && frame[2]! & 0x80 && frame[3]! & 0x80).toBeTruthy();
    expect(frame[4]).toBe(0x01);
    const [decoded] = decodeAll(5, 'client', [frame.subarray(0, 3), frame.subarray(3)]);
    expect(decoded).toMatchObject({ topic: 'big', packetId: 9 });
    const payload = (decoded as { payload: Uint8Array }).payload;
    // Byte by byte: vitest's deep equality is slow on 2 MiB.
    expect(payload.length).toBe(2_097_152);
    expect(payload.every((b) => b === 7)).toBe(true);
  });
});

describe('split invariance', () => {
  it('decodes a multi-packet stream the same under any chunking', () => {
    fc.assert(
      fc.property(
        stream.chain((s) => {
          const bytes = concat(s.packets.map((p) => encode(p, s.version)));
          return fc.record({ s: fc.constant(s), bytes: fc.constant(bytes), cuts: chunking(bytes.length) });
        }),
        ({ s, bytes, cuts }) => {
          const whole = decodeAll(s.version, s.side, [bytes]);
          expect(whole).toStrictEqual(s.packets);
          expect(decodeAll(s.version, s.side, split(bytes, cuts))).toStrictEqual(whole);
        },
      ),
      RUNS,
    );
  });
});
