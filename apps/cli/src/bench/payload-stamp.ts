/**
 * The timestamp `bench pub` writes at the start of each payload so `bench sub` (another process on the
 * same machine) can compute end-to-end latency: 4 magic bytes `MKB1`, then the send time as a
 * big-endian float64 of epoch milliseconds with sub-millisecond precision
 * (`performance.timeOrigin + performance.now()`, which both processes read from the same system clock).
 */

/** Bytes a stamp takes; smaller payloads carry none (and give no latency). */
export const STAMP_BYTES = 12;
const MAGIC = 0x4d4b4231; // "MKB1"

/** Wall-clock time in epoch milliseconds, with sub-millisecond precision. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Writes a stamp for `timeMs` at `offset` (the caller checked there is room). */
export function writeStamp(buffer: Buffer, offset: number, timeMs: number): void {
  buffer.writeUInt32BE(MAGIC, offset);
  buffer.writeDoubleBE(timeMs, offset + 4);
}

/** The stamp's time at `offset`, or undefined when `[offset, end)` holds no stamp. */
export function readStamp(buffer: Buffer, offset: number, end: number): number | undefined {
  if (end - offset < STAMP_BYTES || buffer.readUInt32BE(offset) !== MAGIC) return undefined;
  return buffer.readDoubleBE(offset + 4);
}
