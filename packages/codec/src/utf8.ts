/**
 * UTF-8 for MQTT strings (5.0 section 1.5.4, 3.1.1 section 1.5.3): a validating decoder and an encoder,
 * both written for the short ASCII strings that dominate MQTT (topics, client ids, property names).
 *
 * Well-formed means RFC 3629: no overlong forms, no encoded surrogates U+D800..U+DFFF, nothing above
 * U+10FFFF [MQTT-1.5.4-1] [MQTT-1.5.3-1]. MQTT also forbids U+0000 [MQTT-1.5.4-2] [MQTT-1.5.3-2], and a
 * BOM (EF BB BF) is kept as U+FEFF, never stripped [MQTT-1.5.4-3].
 */

/** `decodeUtf8` result: the bytes are not well-formed UTF-8. */
export const UTF8_ILL_FORMED = 1;
/** `decodeUtf8` result: the bytes encode U+0000. */
export const UTF8_NULL = 2;
/** `utf8Length` result: the string holds a lone surrogate, which has no UTF-8 encoding. */
export const UTF8_LONE_SURROGATE = -1;
/** `utf8Length` result: the string holds U+0000, which MQTT strings may not carry. */
export const UTF8_HAS_NULL = -2;

/**
 * Above this many bytes the platform TextDecoder wins (measured on Node 20: it costs ~110 ns per call
 * whatever the length, the JS loop ~4 ns per byte). Below it the JS path also allocates nothing but
 * the string, where TextDecoder needs a subarray view per call.
 */
const JS_DECODE_MAX = 32;

/** fromCharCode.apply takes its arguments on the stack; larger strings are built in slices. */
const APPLY_SLICE = 8192;

/**
 * Reused arrays of exactly 0..JS_DECODE_MAX elements for `String.fromCharCode.apply`: resizing one
 * shared array instead (`length = n`) costs a runtime call per string, measured at ~10% of decoding.
 */
const EXACT: number[][] = Array.from({ length: JS_DECODE_MAX + 1 }, (_, n) => new Array<number>(n).fill(0));

/** Scratch for the UTF-16 code units of strings that are not pure ASCII. */
const units: number[] = [];

interface FatalTextDecoder {
  decode(input: Uint8Array): string;
}

interface TextDecoderConstructor {
  new (label: string, options: { fatal: boolean; ignoreBOM: boolean }): FatalTextDecoder;
}

// Looked up on globalThis rather than declared, so the build needs neither DOM nor Node types; every
// browser and Node >= 11 has it, and the JS path covers any runtime without it.
const TextDecoderImpl = (globalThis as { TextDecoder?: TextDecoderConstructor }).TextDecoder;
// fatal: ill-formed input throws instead of becoming U+FFFD; ignoreBOM: keep U+FEFF [MQTT-1.5.4-3].
const textDecoder =
  TextDecoderImpl === undefined ? undefined : new TextDecoderImpl('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes `buf[start..end)` as an MQTT UTF-8 string. Returns the string, or `UTF8_ILL_FORMED` /
 * `UTF8_NULL` (numbers) when the bytes are not allowed (ill-formed first, when both apply); the
 * caller turns those into reason codes.
 */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string | number {
  const length = end - start;
  if (length > JS_DECODE_MAX) {
    if (textDecoder !== undefined) return decodeNative(buf, start, end);
  } else {
    // ASCII fast path, straight into an array of the right size: one unsigned compare rejects
    // both 0x00 and bytes >= 0x80.
    const exact = EXACT[length]!;
    let i = 0;
    for (; i < length; i++) {
      const b = buf[start + i]!;
      if ((b - 1) >>> 0 >= 0x7f) break;
      exact[i] = b;
    }
    if (i === length) return String.fromCharCode.apply(null, exact);
  }
  return decodeMultiByte(buf, start, end);
}

/**
 * The portable path: validates and decodes every form in JavaScript, collecting UTF-16 code units.
 * Used for non-ASCII strings up to 32 bytes, and for every string where TextDecoder is missing.
 */
export function decodeMultiByte(buf: Uint8Array, start: number, end: number): string | number {
  let k = 0;
  let i = start;
  // Ill-formed bytes anywhere win over U+0000, as on the TextDecoder path, so the result does not
  // depend on the string's length.
  let hasNull = false;
  for (; i < end; ) {
    const b0 = buf[i]!;
    if (b0 < 0x80) {
      if (b0 === 0) hasNull = true;
      units[k++] = b0;
      i++;
    } else if (b0 < 0xc2) {
      // A continuation byte out of place, or the overlong lead bytes C0 / C1.
      return UTF8_ILL_FORMED;
    } else if (b0 < 0xe0) {
      if (i + 1 >= end) return UTF8_ILL_FORMED;
      const b1 = buf[i + 1]!;
      if ((b1 & 0xc0) !== 0x80) return UTF8_ILL_FORMED;
      units[k++] = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
      i += 2;
    } else if (b0 < 0xf0) {
      if (i + 2 >= end) return UTF8_ILL_FORMED;
      const b1 = buf[i + 1]!;
      const b2 = buf[i + 2]!;
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80) return UTF8_ILL_FORMED;
      // E0 80..9F would be overlong; ED A0..BF would encode a surrogate [MQTT-1.5.4-1].
      if ((b0 === 0xe0 && b1 < 0xa0) || (b0 === 0xed && b1 >= 0xa0)) return UTF8_ILL_FORMED;
      units[k++] = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
      i += 3;
    } else if (b0 < 0xf5) {
      if (i + 3 >= end) return UTF8_ILL_FORMED;
      const b1 = buf[i + 1]!;
      const b2 = buf[i + 2]!;
      const b3 = buf[i + 3]!;
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80 || (b3 & 0xc0) !== 0x80) return UTF8_ILL_FORMED;
      // F0 80..8F would be overlong; F4 90.. would pass U+10FFFF.
      if ((b0 === 0xf0 && b1 < 0x90) || (b0 === 0xf4 && b1 >= 0x90)) return UTF8_ILL_FORMED;
      const cp = (((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f)) - 0x10000;
      units[k++] = 0xd800 | (cp >> 10);
      units[k++] = 0xdc00 | (cp & 0x3ff);
      i += 4;
    } else {
      return UTF8_ILL_FORMED;
    }
  }
  return hasNull ? UTF8_NULL : fromUnits(k);
}

function fromUnits(count: number): string {
  if (count <= JS_DECODE_MAX) {
    const exact = EXACT[count]!;
    for (let i = 0; i < count; i++) exact[i] = units[i]!;
    return String.fromCharCode.apply(null, exact);
  }
  let result = '';
  for (let i = 0; i < count; i += APPLY_SLICE) {
    result += String.fromCharCode.apply(null, units.slice(i, Math.min(count, i + APPLY_SLICE)));
  }
  return result;
}

function decodeNative(buf: Uint8Array, start: number, end: number): string | number {
  let text: string;
  try {
    text = (textDecoder as FatalTextDecoder).decode(buf.subarray(start, end));
  } catch {
    return UTF8_ILL_FORMED;
  }
  // In well-formed UTF-8 only the byte 00 encodes U+0000, so searching the text finds it [MQTT-1.5.4-2].
  return text.indexOf('\0') === -1 ? text : UTF8_NULL;
}

/**
 * The UTF-8 byte length of `text`, or `UTF8_LONE_SURROGATE` / `UTF8_HAS_NULL` (negative) when it cannot
 * be sent as an MQTT string.
 */
export function utf8Length(text: string): number {
  const n = text.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0) return UTF8_HAS_NULL;
    } else if (c < 0x800) {
      bytes += 1;
    } else if (c < 0xd800 || c > 0xdfff) {
      bytes += 2;
    } else {
      // A high surrogate followed by a low one is one astral code point: 2 units, 4 bytes.
      if (c > 0xdbff || i + 1 === n) return UTF8_LONE_SURROGATE;
      const d = text.charCodeAt(i + 1);
      if (d < 0xdc00 || d > 0xdfff) return UTF8_LONE_SURROGATE;
      bytes += 2;
      i++;
    }
  }
  return bytes;
}

/** Writes `text` (already checked by `utf8Length`) as UTF-8 at `pos`; returns the position after it. */
export function writeUtf8(buf: Uint8Array, pos: number, text: string): number {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      buf[pos++] = c;
    } else if (c < 0x800) {
      buf[pos++] = 0xc0 | (c >> 6);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      buf[pos++] = 0xe0 | (c >> 12);
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else {
      c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      buf[pos++] = 0xf0 | (c >> 18);
      buf[pos++] = 0x80 | ((c >> 12) & 0x3f);
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos;
}
