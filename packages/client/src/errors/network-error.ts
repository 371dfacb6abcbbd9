import { MqttError } from '@mqttkit/types';
import { hasMarker, mark } from './reason.js';

const MARKER = Symbol.for('@mqttkit/client/NetworkError');

/**
 * The transport failed: the server could not be reached (refused, unreachable, DNS, TLS handshake) or
 * the connection broke. The original error is the `cause`.
 */
export class NetworkError extends MqttError {
  /** The server URL, without credentials. */
  readonly url: string;

  /** Builds the error for `url`; the message repeats the cause's message. */
  constructor(url: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('UNSPECIFIED_ERROR', `network error with ${url}: ${detail}`, { cause });
    this.name = 'NetworkError';
    this.url = url;
  }

  /** True for any `NetworkError`, including one from another copy of this package. */
  static override isInstance(value: unknown): value is NetworkError {
    return hasMarker(value, MARKER);
  }
}
mark(NetworkError, MARKER);
