/**
 * Buffered output for message streams: chunks written in one event-loop turn go out in one write, so a
 * fast subscription costs one system call per turn rather than one per message.
 */
import type { Writable } from 'node:stream';

/** Flush early once this much is waiting, so one turn cannot hold much memory. */
const FLUSH_BYTES = 64 * 1024;

/** A writer that batches chunks per event-loop turn. */
export class OutputSink {
  readonly #stream: Writable;
  #chunks: Buffer[] = [];
  #bytes = 0;
  #scheduled = false;
  #broken = false;
  #onBroken: (() => void) | undefined;

  /** Writes to `stream` (stdout by default). A closed pipe (EPIPE) silently stops output. */
  constructor(stream: Writable = process.stdout) {
    this.#stream = stream;
    stream.on('error', () => {
      // The reader went away (`mqttkit sub ... | head -1`): stop writing, nothing to report.
      this.#broken = true;
      this.#onBroken?.();
    });
  }

  /** Calls `listener` once output fails (the command can stop: nobody reads what it prints). */
  onBroken(listener: () => void): void {
    this.#onBroken = listener;
  }

  /** True once the stream failed (for example the reader closed the pipe). */
  get isBroken(): boolean {
    return this.#broken;
  }

  /** Queues `chunk` (a string is UTF-8) for this turn's write. */
  write(chunk: Buffer | string): void {
    if (this.#broken) return;
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.#chunks.push(buffer);
    this.#bytes += buffer.length;
    if (this.#bytes >= FLUSH_BYTES) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes what is queued now. */
  flush(): void {
    this.#scheduled = false;
    if (this.#chunks.length === 0 || this.#broken) return;
    const data = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#bytes);
    this.#chunks = [];
    this.#bytes = 0;
    this.#stream.write(data);
  }

  /** Flushes and resolves once the stream has taken everything (pipes to a slow reader may lag). */
  async drain(): Promise<void> {
    this.flush();
    if (this.#broken || this.#stream.writableLength === 0) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.#stream.off('drain', done);
        this.#stream.off('error', done);
        resolve();
      };
      this.#stream.once('drain', done);
      this.#stream.once('error', done);
    });
  }
}
