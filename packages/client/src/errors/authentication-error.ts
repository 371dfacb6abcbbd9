import type { DisconnectPacket } from '@mqttkit/types';
import { ConnectionClosedError } from './connection-closed-error.js';
import { describeDisconnect, hasMarker, mark } from './reason.js';

const MARKER = Symbol.for('@mqttkit/client/AuthenticationError');

/**
 * MQTT 5.0 enhanced authentication failed and the connection was closed: the server refused a
 * re-authentication with DISCONNECT (kept in `disconnect`, its code in `reasonCode`), or an `auth`
 * handler threw (its error is the `cause`; code UNSPECIFIED_ERROR). A refusing CONNACK is a
 * `ConnectionRefusedError` instead.
 */
export class AuthenticationError extends ConnectionClosedError {
  /** An authentication error saying `message`; a server DISCONNECT supplies the reason code. */
  constructor(message: string, options: { disconnect?: DisconnectPacket; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'AuthenticationError';
  }

  /** The error for a server DISCONNECT that ended a re-authentication [MQTT-4.12.1-2]. */
  static override fromDisconnect(packet: DisconnectPacket): AuthenticationError {
    return new AuthenticationError(`re-authentication failed: ${describeDisconnect(packet)}`, {
      disconnect: packet,
    });
  }

  /** True for any `AuthenticationError`, including one from another copy of this package. */
  static override isInstance(value: unknown): value is AuthenticationError {
    return hasMarker(value, MARKER);
  }
}
mark(AuthenticationError, MARKER);
