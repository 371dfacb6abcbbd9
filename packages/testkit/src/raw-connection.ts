/**
 * One TCP connection seen as a queue of raw MQTT frames: the client side of broker tests
 * (`RawClient`) and each accepted socket of a `FakeBroker` are both this.
 */
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeFrame, FrameReader, packetName, type RawFrame } from './raw-reader.js';

/** Default bound, in milliseconds, for every wait on a socket (generous for a shared CI machine). */
export const DEFAULT_TIMEOUT_MS = 5000;

/** Options of `expectFrame`. */
export interface ExpectFrameOptions {
  /** The packet type number the next frame must have (e.g. 2 for CONNACK). */
  type?: number;
  /** How long to wait for it; default `DEFAULT_TIMEOUT_MS`. */
  timeoutMs?: number;
}

/** How a connection ended: `hadError` is true after a reset or other socket error. */
export interface CloseInfo {
  hadError: boolean;
  error?: Error;
}

/** The result of one check while waiting: settle with a value or an error message, or keep waiting. */
type Outcome<T> = { ok: true; value: T } | { ok: false; message: string } | undefined;

/**
 * A socket that splits what it receives into frames and keeps them in arrival order. Each
 * `expectFrame` takes the oldest frame not yet taken, so no frame is lost between calls;
 * `received` keeps the whole history.
 */
export class RawConnection implements AsyncDisposable {
  /** The underlying socket, for faults the helpers do not cover. */
  readonly socket: Socket;
  /** Names this connection in error messages. */
  readonly label: string;
  /** Resolves once the socket has closed, for whatever reason; never rejects. */
  readonly closed: Promise<CloseInfo>;
  readonly #history: RawFrame[] = [];
  readonly #queue: RawFrame[] = [];
  readonly #reader = new FrameReader();
  readonly #waiters = new Set<() => void>();
  #streamError: Error | undefined;
  #socketError: Error | undefined;
  #closeInfo: CloseInfo | undefined;

  constructor(socket: Socket, label = `${socket.remoteAddress}:${socket.remotePort}`) {
    this.socket = socket;
    this.label = label;
    // Split writes in tests must reach the peer as separate segments, not be coalesced by Nagle.
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    // An 'error' listener keeps a reset from crashing the test process; 'close' always follows it.
    socket.on('error', (error) => {
      this.#socketError = error;
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (hadError) => {
        const error = this.#socketError;
        this.#closeInfo = error === undefined ? { hadError } : { hadError, error };
        resolve(this.#closeInfo);
        this.#notify();
      });
    });
  }

  /** Every frame received so far, in order, including those already taken by `expectFrame`. */
  get received(): readonly RawFrame[] {
    return this.#history;
  }

  /** Frames received but not yet taken by `expectFrame`, oldest first. */
  get pending(): readonly RawFrame[] {
    return this.#queue;
  }

  /** True once the socket has closed. */
  get isClosed(): boolean {
    return this.#closeInfo !== undefined;
  }

  #onData(chunk: Buffer): void {
    if (this.#streamError !== undefined) return;
    try {
      for (const frame of this.#reader.push(chunk)) {
        this.#history.push(frame);
        this.#queue.push(frame);
      }
    } catch (error) {
      this.#streamError = error instanceof Error ? error : new Error(String(error));
    }
    this.#notify();
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** Runs `check` now and after every socket event until it settles, or settles with `onTimeout`. */
  #waitFor<T>(timeoutMs: number, check: () => Outcome<T>, onTimeout: () => Exclude<Outcome<T>, undefined>) {
    return new Promise<T>((resolve, reject) => {
      const settle = (outcome: Exclude<Outcome<T>, undefined>) => {
        clearTimeout(timer);
        this.#waiters.delete(poll);
        if (outcome.ok) resolve(outcome.value);
        else reject(new Error(`${this.label}: ${outcome.message}`));
      };
      const poll = () => {
        const outcome = check();
        if (outcome !== undefined) settle(outcome);
      };
      const timer = setTimeout(() => settle(onTimeout()), timeoutMs);
      this.#waiters.add(poll);
      poll();
    });
  }

  #bufferedNote(): string {
    const n = this.#reader.buffered;
    return n > 0 ? `; ${n} bytes of an incomplete frame are buffered` : '';
  }

  #lastNote(): string {
    const last = this.#history.at(-1);
    return last === undefined
      ? '; no frame was received before'
      : `; the last frame received was ${describeFrame(last)}`;
  }

  #closedNote(): string {
    const error = this.#closeInfo?.error;
    return error === undefined ? '' : ` (${error.message})`;
  }

  /**
   * Takes the next frame, waiting up to `timeoutMs`; rejects with a message naming what was expected
   * and what arrived instead (a frame of another type, which is taken, a close, or nothing).
   */
  expectFrame(options: ExpectFrameOptions = {}): Promise<RawFrame> {
    const { type, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
    const what = type === undefined ? 'a frame' : `a ${packetName(type)} frame`;
    return this.#waitFor<RawFrame>(
      timeoutMs,
      () => {
        const frame = this.#queue.shift();
        if (frame !== undefined) {
          if (type !== undefined && frame.type !== type) {
            return { ok: false, message: `expected ${what}, got ${describeFrame(frame)}` };
          }
          return { ok: true, value: frame };
        }
        if (this.#streamError !== undefined) {
          return {
            ok: false,
            message: `expected ${what}, but the bytes received are not MQTT frames: ${this.#streamError.message}`,
          };
        }
        if (this.#closeInfo !== undefined) {
          return {
            ok: false,
            message: `expected ${what}, but the connection closed${this.#closedNote()}${this.#bufferedNote()}${this.#lastNote()}`,
          };
        }
        return undefined;
      },
      () => ({
        ok: false,
        message: `expected ${what} within ${timeoutMs} ms, but nothing arrived${this.#bufferedNote()}${this.#lastNote()}`,
      }),
    );
  }

  /** Resolves after `ms` if no frame arrived meanwhile; rejects, naming the frame (left in the queue), if one did. */
  expectNoFrame(ms: number): Promise<void> {
    return this.#waitFor<void>(
      ms,
      () => {
        const frame = this.#queue[0];
        if (frame !== undefined)
          return { ok: false, message: `expected no frame for ${ms} ms, got ${describeFrame(frame)}` };
        if (this.#streamError !== undefined) {
          return {
            ok: false,
            message: `expected no frame for ${ms} ms, got bytes that are not MQTT frames: ${this.#streamError.message}`,
          };
        }
        return undefined;
      },
      () => ({ ok: true, value: undefined }),
    );
  }

  /**
   * Resolves when the peer has closed the connection (frames received before the close stay queued);
   * rejects if it is still open after `timeoutMs`.
   */
  expectClose(timeoutMs: number = DEFAULT_TIMEOUT_MS): Promise<CloseInfo> {
    return this.#waitFor<CloseInfo>(
      timeoutMs,
      () => (this.#closeInfo === undefined ? undefined : { ok: true, value: this.#closeInfo }),
      () => {
        const queued = this.#queue.map((f) => packetName(f.type)).join(', ');
        return {
          ok: false,
          message: `expected the connection to close within ${timeoutMs} ms, but it stayed open${
            queued === '' ? '' : `; frames received meanwhile: ${queued}`
          }${this.#bufferedNote()}`,
        };
      },
    );
  }

  /** Writes bytes and resolves once they are handed to the operating system. */
  send(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.destroyed || !this.socket.writable) {
        reject(new Error(`${this.label}: cannot send ${bytes.length} bytes, the connection is closed`));
        return;
      }
      this.socket.write(bytes, (error) => {
        if (error) reject(new Error(`${this.label}: sending ${bytes.length} bytes failed: ${error.message}`));
        else resolve();
      });
    });
  }

  /** Writes bytes in chunks of `bytesPerChunk`, pausing `delayMs` between chunks (split packets, slow peers). */
  async sendSlowly(bytes: Uint8Array, bytesPerChunk: number, delayMs: number): Promise<void> {
    if (!Number.isInteger(bytesPerChunk) || bytesPerChunk < 1) {
      throw new RangeError(`sendSlowly: bytesPerChunk must be a positive integer, got ${bytesPerChunk}`);
    }
    for (let offset = 0; offset < bytes.length; offset += bytesPerChunk) {
      if (offset > 0) await sleep(delayMs);
      await this.send(bytes.subarray(offset, offset + bytesPerChunk));
    }
  }

  /** Ends the connection gracefully (FIN) and waits for it to close; destroys it if the peer lingers. */
  async close(timeoutMs = 1000): Promise<void> {
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), timeoutMs);
    await this.closed;
    clearTimeout(timer);
  }

  /** Closes the socket at once without waiting for the peer (a dropped connection). */
  destroy(): void {
    this.socket.destroy();
  }

  /** Closes the socket with a TCP RST, as a crashed peer or a middlebox would. */
  reset(): void {
    if (this.socket.destroyed) return;
    this.socket.resetAndDestroy();
  }

  /** Destroys the socket and waits for it to close, so `await using` leaves nothing open. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.destroy();
    await this.closed;
  }
}
