/**
 * Helpers for writing bytes by hand. They only spell characters and repeat bytes: every length prefix
 * and every flag in the catalogue is written out literally, independent of the encoder.
 */

/** Concatenates bytes and byte lists into one array. */
export function bytes(...parts: readonly (number | readonly number[])[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') out.push(part);
    else out.push(...part);
  }
  for (const b of out)
    if (!Number.isInteger(b) || b < 0 || b > 0xff) throw new RangeError(`not a byte: ${b}`);
  return Uint8Array.from(out);
}

/** The bytes of an ASCII string (no length prefix). */
export function ascii(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) throw new RangeError(`not ASCII: ${text}`);
    out.push(c);
  }
  return out;
}

/** `count` copies of `byte`. */
export function repeat(byte: number, count: number): number[] {
  return new Array<number>(count).fill(byte);
}

/** A payload of the given bytes. */
export function u8(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}
