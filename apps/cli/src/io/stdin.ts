/**
 * Reading standard input for `mqttkit pub -s` (all of it, one message) and `-l` (one message per line).
 */
import type { Readable } from 'node:stream';

/** The largest message `-s` reads: MQTT's own limit on a packet (256 MiB). */
export const MAX_STDIN_BYTES = 268_435_455;

/** Reads `stream` to its end; rejects when it holds more than `limit` bytes. */
export async function readAll(stream: Readable, limit = MAX_STDIN_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    total += buffer.length;
    if (total > limit) throw new RangeError(`standard input holds more than ${limit} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, total);
}

/**
 * The lines of `stream` as bytes, without their `\n` (a `\r` is kept, as mosquitto_pub keeps it). An
 * empty line is an empty message; a last line without a newline is still a line. `maxLine` bounds the
 * memory one unterminated line may take.
 */
export async function* readLines(stream: Readable, maxLine = MAX_STDIN_BYTES): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    let start = 0;
    for (let newline = buffer.indexOf(10, start); newline !== -1; newline = buffer.indexOf(10, start)) {
      const piece = buffer.subarray(start, newline);
      yield pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      pendingBytes = 0;
      start = newline + 1;
    }
    if (start < buffer.length) {
      pending.push(buffer.subarray(start));
      pendingBytes += buffer.length - start;
      if (pendingBytes > maxLine)
        throw new RangeError(`a line of standard input is longer than ${maxLine} bytes`);
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}
