import { MqttError } from '@mqttkit/types';
import { hasMarker, mark } from './reason.js';

const MARKER = Symbol.for('@mqttkit/client/QueueFullError');

/**
 * A bounded buffer is full, so the item was refused rather than dropped silently: the outgoing queue
 * (messages waiting for the connection or for the server's Receive Maximum) or a `messages()` iterator
 * whose consumer fell behind. Code QUOTA_EXCEEDED.
 */
export class QueueFullError extends MqttError {
  /** The bound that was reached. */
  readonly limit: number;

  /** Builds the error for `what` (e.g. 'the outgoing queue') at `limit` items. */
  constructor(what: string, limit: number) {
    super('QUOTA_EXCEEDED', `${what} is full (${limit} messages)`);
    this.name = 'QueueFullError';
    this.limit = limit;
  }

  /** True for any `QueueFullError`, including one from another copy of this package. */
  static override isInstance(value: unknown): value is QueueFullError {
    return hasMarker(value, MARKER);
  }
}
mark(QueueFullError, MARKER);
