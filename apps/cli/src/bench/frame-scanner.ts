/**
 * Splits a byte stream into MQTT frames by their fixed header alone (type byte + Remaining Length), the
 * only parsing the bench does on every received byte. A frame is handed over as (first byte, buffer,
 * body start, body end) without copying when it lies inside one chunk; a frame that spans chunks is
 * gathered and joined once, when its last byte has arrived.
 */

/** Receives each complete frame. */
export type FrameHandler = (first: number, buffer: Buffer, bodyStart: number, bodyEnd: number) => void;

/** Thrown for a Remaining Length that is malformed or larger than the limit. */
export class FrameError extends Error {
  /** Builds the error. */
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

/** A streaming frame splitter with a bound on frame size. */
export class FrameScanner {
  readonly #maxFrameBytes: number;
  /** Chunks of an incomplete frame, and their total size. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Total size of the incomplete frame once its header is known; 0 while it is not. */
  #need = 0;

  /** A scanner refusing frames over `maxFrameBytes` (header included). */
  constructor(maxFrameBytes = 16 * 1024 * 1024) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  /** Feeds `chunk`; calls `onFrame` for every frame it completes. Throws `FrameError`. */
  push(chunk: Buffer, onFrame: FrameHandler): void {
    let buffer = chunk;
    if (this.#pendingBytes > 0) {
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
      // Join only when the frame can be complete: no quadratic copying for large frames.
      if (this.#need !== 0 && this.#pendingBytes < this.#need) return;
      buffer = Buffer.concat(this.#pending, this.#pendingBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#need = 0;
    }
    const length = buffer.length;
    let position = 0;
    while (position < length) {
      // Remaining Length: 1 to 4 bytes, 7 bits each, least significant first.
      let remaining = 0;
      let multiplier = 1;
      let at = position + 1;
      let byte = 0x80;
      while ((byte & 0x80) !== 0) {
        if (at >= length) {
          this.#keep(buffer, position, 0);
          return;
        }
        if (multiplier > 128 * 128 * 128) throw new FrameError('malformed Remaining Length');
        byte = buffer[at++]!;
        remaining += (byte & 0x7f) * multiplier;
        multiplier *= 128;
      }
      const end = at + remaining;
      if (end - position > this.#maxFrameBytes) {
        throw new FrameError(
          `a frame of ${end - position} bytes exceeds the limit of ${this.#maxFrameBytes}`,
        );
      }
      if (end > length) {
        this.#keep(buffer, position, end - position);
        return;
      }
      onFrame(buffer[position]!, buffer, at, end);
      position = end;
    }
  }

  #keep(buffer: Buffer, from: number, need: number): void {
    const rest = buffer.subarray(from);
    this.#pending = [rest];
    this.#pendingBytes = rest.length;
    this.#need = need;
  }
}
