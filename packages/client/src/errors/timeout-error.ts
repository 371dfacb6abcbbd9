import { MqttError } from '@mqttkit/types';
import { hasMarker, mark } from './reason.js';

const MARKER = Symbol.for('@mqttkit/client/TimeoutError');

/** What was being waited for when a `TimeoutError` struck. */
export type TimeoutOperation = 'connect' | 'keepalive' | 'request' | 'reauthenticate' | 'end';

/**
 * Something did not happen in time: the connection and CONNACK (`connect`), a PINGRESP (`keepalive`,
 * code KEEP_ALIVE_TIMEOUT), a response (`request`), the end of a re-authentication (`reauthenticate`).
 * Other operations use UNSPECIFIED_ERROR as their code, since MQTT has no reason code for a
 * client-side timeout.
 */
export class TimeoutError extends MqttError {
  /** The operation that timed out. */
  readonly operation: TimeoutOperation;
  /** The limit that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  /** Builds the error for `operation` after `timeoutMs`; `detail` is appended to the message. */
  constructor(operation: TimeoutOperation, timeoutMs: number, detail?: string) {
    super(
      operation === 'keepalive' ? 'KEEP_ALIVE_TIMEOUT' : 'UNSPECIFIED_ERROR',
      `${DESCRIPTION[operation]} within ${timeoutMs} ms${detail === undefined ? '' : `: ${detail}`}`,
    );
    this.name = 'TimeoutError';
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }

  /** True for any `TimeoutError`, including one from another copy of this package. */
  static override isInstance(value: unknown): value is TimeoutError {
    return hasMarker(value, MARKER);
  }
}
mark(TimeoutError, MARKER);

const DESCRIPTION: Readonly<Record<TimeoutOperation, string>> = {
  connect: 'no CONNACK',
  keepalive: 'no answer to PINGREQ (the connection looks dead)',
  request: 'no response',
  reauthenticate: 'no answer to re-authentication',
  end: 'the connection did not finish closing',
};
