import { MqttError, MqttErrorCode, type ProtocolVersion } from '@mqttkit/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decoder, type DecoderOptions, encode } from '../src/index.js';
import { chunking, type Side, split, stream } from './arbitraries.js';

/**
 * Hostile input: random bytes and mutated valid streams, pushed in random chunks. The decoder must
 * never throw, never loop, end every stream in packets followed by `undefined` or one reason-coded
 * MqttError, never hold more than one partial frame within the limit, and return only packets that
 * re-encode and decode back to themselves.
 */

const TIME = { plugins: [fc.interruptAfterTimeLimit(3000)] };
const ERROR_CODES = new Set(Object.keys(MqttErrorCode));

interface Setup {
  side: Side;
  version: ProtocolVersion;
  awaitingConnect: boolean;
  maximumPacketSize: number;
}

const setup: fc.Arbitrary<Setup> = fc.record(
  {
    side: fc.constantFrom<Side>('server', 'client'),
    version: fc.constantFrom<ProtocolVersion>(3, 4, 5),
    awaitingConnect: fc.boolean(),
    maximumPacketSize: fc.constantFrom(2, 16, 128, 1024, 1_048_576),
  },
  { noNullPrototype: true },
);

/** Feeds the chunks like a broker would, checking every invariant on the way. */
function feed(s: Setup, chunks: Uint8Array[]): { packets: number; error: MqttError | undefined } {
  const options: DecoderOptions = { side: s.side, maximumPacketSize: s.maximumPacketSize };
  if (!(s.side === 'server' && s.awaitingConnect)) options.protocolVersion = s.version;
  const decoder = new Decoder(options);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  let packets = 0;
  let steps = 0;
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (;;) {
      // Every packet takes at least 2 bytes: more results than that would mean a loop.
      expect(++steps).toBeLessThanOrEqual(total + chunks.length + 1);
      const result = decoder.next();
      if (result === undefined) {
        // At most one partial frame, and only one within the limit (or a partial fixed header).
        expect(decoder.bufferedBytes).toBeLessThanOrEqual(Math.max(s.maximumPacketSize - 1, 4));
        break;
      }
      if (MqttError.isInstance(result)) {
        expect(ERROR_CODES.has(result.code)).toBe(true);
        expect(result.reasonCode).toBeGreaterThanOrEqual(0x80);
        expect(decoder.next()).toBe(result);
        expect(decoder.bufferedBytes).toBe(0);
        return { packets, error: result };
      }
      packets++;
      // Whatever the decoder accepts is a valid packet: it encodes, and decodes back to itself.
      const version = result.type === 'connect' ? result.protocolVersion : decoder.protocolVersion!;
      const again = new Decoder({ side: s.side, protocolVersion: version });
      again.push(encode(result, version));
      expect(again.next()).toStrictEqual(result);
      // What a broker does after CONNECT: adopt its version before reading on.
      if (result.type === 'connect' && decoder.protocolVersion === undefined)
        decoder.setProtocolVersion(result.protocolVersion);
    }
  }
  expect(packets * 2).toBeLessThanOrEqual(total);
  return { packets, error: undefined };
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

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'hugeLength'; frame: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant('hugeLength' as const), frame: fc.nat() }),
);

function mutate(frames: Uint8Array[], mutations: Mutation[]): Uint8Array {
  let bytes = concat(frames);
  for (const m of mutations) {
    if (bytes.length === 0) break;
    if (m.kind === 'flip') {
      bytes[m.at % bytes.length]! ^= 1 << m.bit;
    } else if (m.kind === 'truncate') {
      bytes = bytes.slice(0, m.at % bytes.length);
    } else if (m.kind === 'insert') {
      const at = m.at % bytes.length;
      bytes = concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
    } else {
      // Announce a 256 MiB body on one frame (Remaining Length ff ff ff 7f).
      let start = 0;
      for (let i = 0; i < m.frame % frames.length; i++) start += frames[i]!.length;
      if (start + 4 < bytes.length) bytes.set([0xff, 0xff, 0xff, 0x7f], start + 1);
    }
  }
  return bytes;
}

describe('fuzz', () => {
  it('random byte streams in random chunks', () => {
    fc.assert(
      fc.property(
        setup,
        fc
          .uint8Array({ maxLength: 400 })
          .chain((bytes) => fc.tuple(fc.constant(bytes), chunking(bytes.length))),
        (s, [bytes, cuts]) => {
          feed(s, split(bytes, cuts));
        },
      ),
      { numRuns: 4000, ...TIME },
    );
  });

  it('random bytes after a valid CONNECT', () => {
    const connect = encode(
      { type: 'connect', protocolVersion: 5, clean: true, keepAlive: 10, clientId: 'c' },
      5,
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), chunking(300), (tail, cuts) => {
        const result = feed(
          { side: 'server', version: 5, awaitingConnect: true, maximumPacketSize: 1024 },
          split(concat([connect, tail]), cuts),
        );
        expect(result.packets).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 2000, ...TIME },
    );
  });

  it('mutated valid streams: bit flips, truncation, inserted bytes, huge lengths', () => {
    fc.assert(
      fc.property(
        stream,
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { maxLength: 30 }),
        fc.constantFrom(128, 4096, 1_048_576),
        (s, mutations, rawCuts, maximumPacketSize) => {
          const frames = s.packets.map((p) => encode(p, s.version));
          const bytes = mutate(frames, mutations);
          const cuts = [...new Set(rawCuts)].sort((a, b) => a - b);
          feed(
            { side: s.side, version: s.version, awaitingConnect: false, maximumPacketSize },
            split(bytes, cuts),
          );
        },
      ),
      { numRuns: 3000, ...TIME },
    );
  });

  it('unmutated streams decode completely', () => {
    fc.assert(
      fc.property(stream, (s) => {
        const frames = s.packets.map((p) => encode(p, s.version));
        const result = feed(
          { side: s.side, version: s.version, awaitingConnect: false, maximumPacketSize: 1_048_576 },
          [concat(frames)],
        );
        expect(result).toEqual({ packets: s.packets.length, error: undefined });
      }),
      { numRuns: 500, ...TIME },
    );
  });

  it('a 256 MiB announcement is refused at once, whatever the limit', () => {
    for (const maximumPacketSize of [2, 1_048_576, 268_435_460 - 1]) {
      const decoder = new Decoder({ side: 'server', protocolVersion: 4, maximumPacketSize });
      decoder.push(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0x7f));
      expect((decoder.next() as MqttError).code).toBe('PACKET_TOO_LARGE');
      expect(decoder.bufferedBytes).toBe(0);
    }
  });
});
