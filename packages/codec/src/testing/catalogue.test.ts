import { MqttError, type Packet } from '@mqttkit/types';
import { describe, expect, it } from 'vitest';
import { Decoder } from '../decoder.js';
import { encode, encodedSize } from '../encode.js';
import {
  CATALOGUE,
  type CatalogueCase,
  decoderOptionsFor,
  ERROR_CASES,
  type ErrorCase,
  isErrorCase,
  VALID_CASES,
  type ValidCase,
} from './index.js';

type Result = Packet | MqttError | undefined;

/** Pushes `parts` in order, calling next() after each, and returns every non-undefined result. */
function decodeParts(c: CatalogueCase, parts: Uint8Array[]): { results: Result[]; decoder: Decoder } {
  const decoder = new Decoder(decoderOptionsFor(c));
  const results: Result[] = [];
  for (const part of parts) {
    decoder.push(part);
    // Bounded: a catalogue case is one frame, so at most one result per push (plus the final undefined).
    for (let i = 0; i < 3; i++) {
      const result = decoder.next();
      if (result === undefined) break;
      results.push(result);
      if (MqttError.isInstance(result)) break;
    }
  }
  return { results, decoder };
}

/**
 * Deep equality with typed arrays compared byte by byte: vitest's matcher walks a 16 KiB payload far
 * too slowly to run once per split point. Also checks that no key is present with an undefined value.
 */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && same(ra[k], rb[k]));
}

function expectValid(c: ValidCase, results: Result[], decoder: Decoder, fast: boolean): void {
  expect(results).toHaveLength(1);
  if (fast) expect(same(results[0], c.packet), 'decoded packet differs').toBe(true);
  else expect(results[0]).toStrictEqual(c.packet);
  expect(decoder.next()).toBeUndefined();
  expect(decoder.bufferedBytes).toBe(0);
}

function expectError(c: ErrorCase, results: Result[], decoder: Decoder): void {
  expect(results.length).toBeGreaterThanOrEqual(1);
  const error = results[0];
  expect(MqttError.isInstance(error), `expected an MqttError, got ${JSON.stringify(error)}`).toBe(true);
  const e = error as MqttError;
  expect({ code: e.code, specRef: e.specRef }).toEqual({ code: c.error.code, specRef: c.error.specRef });
  expect(e.reasonCode).toBeGreaterThanOrEqual(0x80);
  // Failed for good: the same error again, nothing buffered.
  expect(decoder.next()).toBe(e);
  expect(decoder.bufferedBytes).toBe(0);
  if (c.requestedProtocolLevel !== undefined)
    expect(decoder.requestedProtocolLevel).toBe(c.requestedProtocolLevel);
}

function check(c: CatalogueCase, parts: Uint8Array[], fast = false): void {
  const { results, decoder } = decodeParts(c, parts);
  if (isErrorCase(c)) expectError(c, results, decoder);
  else expectValid(c, results, decoder, fast);
}

/** Every two-part split of the bytes, then one byte at a time. */
function checkSplits(c: CatalogueCase): void {
  for (let at = 1; at < c.bytes.length; at++) check(c, [c.bytes.subarray(0, at), c.bytes.subarray(at)], true);
  check(
    c,
    Array.from(c.bytes, (b) => Uint8Array.of(b)),
    true,
  );
}

describe('golden catalogue', () => {
  it('has unique names and covers every packet type in every version where it exists', () => {
    const names = new Set(CATALOGUE.map((c) => c.name));
    expect(names.size).toBe(CATALOGUE.length);
    const seen = new Set(VALID_CASES.map((c) => `${c.version}:${c.packet.type}`));
    const types = [
      'connect',
      'connack',
      'publish',
      'puback',
      'pubrec',
      'pubrel',
      'pubcomp',
      'subscribe',
      'suback',
    ];
    types.push('unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect');
    for (const version of [3, 4, 5])
      for (const type of types) expect(seen.has(`${version}:${type}`), `${version}:${type}`).toBe(true);
    expect(seen.has('5:auth')).toBe(true);
  });

  describe.each(VALID_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('decodes to the packet', () => check(c, [c.bytes]));
    if (c.decodeOnly === true) {
      it('is another form: the encoder writes other bytes, no longer, that decode to the same packet', () => {
        const frame = encode(c.packet, c.version);
        expect(frame).not.toEqual(c.bytes);
        expect(frame.length).toBeLessThanOrEqual(c.bytes.length);
        check({ ...c, bytes: frame }, [frame]);
      });
    } else {
      it('encodes to the same bytes', () => {
        expect(encode(c.packet, c.version)).toEqual(c.bytes);
        expect(encodedSize(c.packet, c.version)).toBe(c.bytes.length);
      });
    }
    it('decodes the same under every split and one byte at a time', () => checkSplits(c));
  });

  describe.each(ERROR_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('is refused with its reason code', () => check(c, [c.bytes]));
    it('is refused the same under every split and one byte at a time', () => checkSplits(c));
  });
});
