import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeMultiByte,
  decodeUtf8,
  UTF8_HAS_NULL,
  UTF8_ILL_FORMED,
  UTF8_LONE_SURROGATE,
  UTF8_NULL,
  utf8Length,
  writeUtf8,
} from './utf8.js';

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** The reference: WHATWG fatal decoding (RFC 3629 well-formedness) plus MQTT's ban on U+0000. */
function reference(bytes: Uint8Array): string | number {
  let text: string;
  try {
    text = fatal.decode(bytes);
  } catch {
    return UTF8_ILL_FORMED;
  }
  return text.includes('\0') ? UTF8_NULL : text;
}

const decode = (bytes: Uint8Array) => decodeUtf8(bytes, 0, bytes.length);
const LONG = 'x'.repeat(40); // pushes a string onto the TextDecoder path (over 32 bytes)

describe('decodeUtf8', () => {
  it.each([
    ['', []],
    ['a/b', [0x61, 0x2f, 0x62]],
    ['\u00e9', [0xc3, 0xa9]],
    ['\u20ac', [0xe2, 0x82, 0xac]],
    ['\u{1f600}', [0xf0, 0x9f, 0x98, 0x80]],
    ['\u{10ffff}', [0xf4, 0x8f, 0xbf, 0xbf]],
    ['\ufeffa', [0xef, 0xbb, 0xbf, 0x61]],
  ])('decodes %j', (text, bytes) => {
    expect(decode(Uint8Array.from(bytes))).toBe(text);
    const long = encoder.encode(LONG + text + LONG);
    expect(decode(long)).toBe(LONG + text + LONG);
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['overlong C0/C1 leads', [0xc0, 0xaf]],
    ['overlong 3-byte form', [0xe0, 0x80, 0xaf]],
    ['overlong 4-byte form', [0xf0, 0x80, 0x80, 0xaf]],
    ['[MQTT-1.5.4-1] a high surrogate', [0xed, 0xa0, 0x80]],
    ['[MQTT-1.5.4-1] a low surrogate', [0xed, 0xbf, 0xbf]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a lead byte F5', [0xf5, 0x80, 0x80, 0x80]],
    ['a truncated 2-byte sequence', [0xc3]],
    ['a truncated 4-byte sequence', [0xf0, 0x9f, 0x98]],
    ['a bad continuation', [0xe2, 0x28, 0xa1]],
  ])('refuses %s on both paths', (_name, bytes) => {
    expect(decode(Uint8Array.from(bytes))).toBe(UTF8_ILL_FORMED);
    expect(decode(Uint8Array.from([...encoder.encode(LONG), ...bytes, ...encoder.encode(LONG)]))).toBe(
      UTF8_ILL_FORMED,
    );
  });

  it('[MQTT-1.5.4-2] refuses U+0000 on both paths', () => {
    expect(decode(Uint8Array.of(0x61, 0x00))).toBe(UTF8_NULL);
    expect(decode(Uint8Array.of(0xc3, 0xa9, 0x00))).toBe(UTF8_NULL);
    expect(decode(Uint8Array.from([...encoder.encode(LONG), 0x00]))).toBe(UTF8_NULL);
  });

  it('decodes a range inside a larger buffer', () => {
    const buf = Uint8Array.of(0xff, 0x61, 0x62, 0xff);
    expect(decodeUtf8(buf, 1, 3)).toBe('ab');
  });

  it('decodes strings up to 65,535 bytes, ASCII and not', () => {
    const ascii = 'a'.repeat(65_535);
    expect(decode(encoder.encode(ascii))).toBe(ascii);
    const mixed = '\u00e9\u{1f600}'.repeat(10_000);
    expect(decode(encoder.encode(mixed))).toBe(mixed);
  });

  it('agrees with the reference on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(decode(bytes)).toBe(reference(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with the reference on the portable path too, at any length (runtimes without TextDecoder)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 120 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (text, at, byte) => {
          const bytes = encoder.encode(text);
          expect(decodeMultiByte(bytes, 0, bytes.length)).toBe(reference(bytes));
          if (bytes.length > 0) bytes[at % bytes.length] = byte;
          expect(decodeMultiByte(bytes, 0, bytes.length)).toBe(reference(bytes));
        },
      ),
      { numRuns: 2000 },
    );
    const long = '\u00e9x'.repeat(20_000);
    expect(decodeMultiByte(encoder.encode(long), 0, encoder.encode(long).length)).toBe(long);
  });

  it('agrees with the reference on mutated valid UTF-8', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (text, at, byte) => {
          const bytes = encoder.encode(text);
          if (bytes.length > 0) bytes[at % bytes.length] = byte;
          expect(decode(bytes)).toBe(reference(bytes));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('utf8Length and writeUtf8', () => {
  it('match TextEncoder for well-formed strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        fc.pre(!text.includes('\0'));
        const expected = encoder.encode(text);
        expect(utf8Length(text)).toBe(expected.length);
        const buf = new Uint8Array(expected.length + 2);
        expect(writeUtf8(buf, 1, text)).toBe(expected.length + 1);
        expect(buf.subarray(1, -1)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('flags lone surrogates and U+0000', () => {
    expect(utf8Length('a\ud800')).toBe(UTF8_LONE_SURROGATE);
    expect(utf8Length('\udc00a')).toBe(UTF8_LONE_SURROGATE);
    expect(utf8Length('\ud800a')).toBe(UTF8_LONE_SURROGATE);
    expect(utf8Length('a\u0000')).toBe(UTF8_HAS_NULL);
    expect(utf8Length('\u{1f600}')).toBe(4);
  });
});
