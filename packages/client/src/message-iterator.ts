import { matches } from '@mqttkit/topic';
import { QueueFullError } from './errors/queue-full-error.js';
import type { MqttMessage } from './message.js';

/** Options of `client.messages()`. */
export interface MessagesOptions {
  /** Messages buffered while the consumer is busy; default 1000. */
  bufferSize?: number;
  /**
   * What happens when the buffer is full: `error` (default) ends the iteration with a `QueueFullError`
   * after the buffered messages; `drop-oldest` discards the oldest buffered message and counts it in
   * `dropped`. Either way nothing is lost without a trace.
   */
  overflow?: 'error' | 'drop-oldest';
}

/**
 * An async iterator over received messages, optionally limited to a topic filter (matched locally: it
 * does not subscribe). Buffers up to `bufferSize` messages; `return()` (or leaving a `for await` loop)
 * detaches it at once. It ends when the client closes.
 */
export class MessageIterator implements AsyncIterableIterator<MqttMessage> {
  readonly #filter: string | undefined;
  readonly #bufferSize: number;
  readonly #overflow: 'error' | 'drop-oldest';
  readonly #detach: (iterator: MessageIterator) => void;
  #buffer: MqttMessage[] = [];
  #head = 0;
  #waiting: ((result: IteratorResult<MqttMessage>) => void) | undefined;
  #waitingReject: ((error: Error) => void) | undefined;
  #done = false;
  #error: Error | undefined;
  #dropped = 0;

  /** Created by `client.messages()`; `detach` removes it from the client. */
  constructor(
    filter: string | undefined,
    options: MessagesOptions,
    detach: (iterator: MessageIterator) => void,
  ) {
    const bufferSize = options.bufferSize ?? 1000;
    if (!Number.isInteger(bufferSize) || bufferSize < 1) {
      throw new RangeError(`bufferSize must be a positive integer, got ${String(bufferSize)}`);
    }
    this.#filter = filter;
    this.#bufferSize = bufferSize;
    this.#overflow = options.overflow ?? 'error';
    this.#detach = detach;
  }

  /** Messages discarded by the `drop-oldest` policy. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Offers a received message; ignored when it does not match the filter or the iterator is done. */
  push(message: MqttMessage): void {
    if (this.#done || (this.#filter !== undefined && !matches(this.#filter, message.topic))) return;
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      this.#waitingReject = undefined;
      waiting({ value: message, done: false });
      return;
    }
    if (this.#buffer.length - this.#head >= this.#bufferSize) {
      if (this.#overflow === 'drop-oldest') {
        this.#take();
        this.#dropped++;
      } else {
        this.end(new QueueFullError('the messages() buffer', this.#bufferSize));
        return;
      }
    }
    this.#buffer.push(message);
  }

  /** Ends the iteration: buffered messages are still yielded, then `error` is thrown or iteration ends. */
  end(error?: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#error = error;
    this.#detach(this);
    if (this.#waiting !== undefined) {
      const resolve = this.#waiting;
      const reject = this.#waitingReject!;
      this.#waiting = undefined;
      this.#waitingReject = undefined;
      if (error === undefined) resolve({ value: undefined, done: true });
      else reject(error);
    }
  }

  /** The next message, waiting for one if the buffer is empty. */
  next(): Promise<IteratorResult<MqttMessage>> {
    const message = this.#take();
    if (message !== undefined) return Promise.resolve({ value: message, done: false });
    if (this.#done) {
      const error = this.#error;
      if (error !== undefined) {
        this.#error = undefined;
        return Promise.reject(error);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    if (this.#waiting !== undefined)
      return Promise.reject(new Error('next() called while a previous next() is pending'));
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#waitingReject = reject;
    });
  }

  /** Stops the iteration and detaches from the client; buffered messages are discarded. */
  return(): Promise<IteratorResult<MqttMessage>> {
    this.#buffer = [];
    this.#head = 0;
    this.#error = undefined;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #take(): MqttMessage | undefined {
    if (this.#head >= this.#buffer.length) return undefined;
    const message = this.#buffer[this.#head]!;
    this.#head++;
    if (this.#head === this.#buffer.length) {
      this.#buffer = [];
      this.#head = 0;
    } else if (this.#head >= 1024) {
      this.#buffer = this.#buffer.slice(this.#head);
      this.#head = 0;
    }
    return message;
  }
}
