/**
 * Variable Byte Integers (MQTT 5.0 section 1.5.5; 3.1.1 section 2.2.3): 7 bits per byte, least
 * significant group first, high bit set on every byte but the last, at most four bytes.
 */

/** The largest value a Variable Byte Integer can hold (four bytes): 268,435,455. */
export const MAX_VARINT = 268_435_455;

/** `readVarint` result: the bytes end before the integer does. */
export const VARINT_INCOMPLETE = -1;
/** `readVarint` result: a fifth byte would be needed, which the spec does not allow. */
export const VARINT_TOO_LONG = -2;
/** `readVarint` result: more bytes than the value needs [MQTT-1.5.5-1]. */
export const VARINT_NOT_MINIMAL = -3;

/**
 * How many bytes the last successful `readVarint` consumed. A module variable instead of a returned
 * pair, so the hot path allocates nothing.
 */
export let varintLength = 0;

/**
 * Reads a Variable Byte Integer at `pos`, looking no further than `end`. Returns the value (>= 0) and
 * sets `varintLength`, or returns one of the negative `VARINT_*` results.
 */
export function readVarint(buf: Uint8Array, pos: number, end: number): number {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 4; i++) {
    if (pos + i >= end) return VARINT_INCOMPLETE;
    const byte = buf[pos + i]!;
    value += (byte & 0x7f) * multiplier;
    if (byte < 0x80) {
      // A multi-byte encoding whose last group is zero could have been shorter [MQTT-1.5.5-1].
      if (byte === 0 && i > 0) return VARINT_NOT_MINIMAL;
      varintLength = i + 1;
      return value;
    }
    multiplier *= 128;
  }
  return VARINT_TOO_LONG;
}

/** The number of bytes `value` (0..MAX_VARINT) takes as a Variable Byte Integer. */
export function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x20_0000 ? 3 : 4;
}

/** Writes `value` (0..MAX_VARINT) at `pos` in its minimal encoding and returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  while (value >= 0x80) {
    buf[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[pos++] = value;
  return pos;
}
