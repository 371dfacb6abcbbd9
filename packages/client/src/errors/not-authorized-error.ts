import type { ConnackPacket } from '@mqttkit/types';
import { ConnectionRefusedError } from './connection-refused-error.js';
import { hasMarker, mark } from './reason.js';

const MARKER = Symbol.for('@mqttkit/client/NotAuthorizedError');

/**
 * The server refused the connection for its credentials: Bad User Name or Password (0x86) or Not
 * authorized (0x87); in 3.x, return codes 4 and 5.
 */
export class NotAuthorizedError extends ConnectionRefusedError {
  /** Builds the error for a refusing CONNACK received on a connection of `protocolVersion`. */
  constructor(connack: ConnackPacket, protocolVersion: number) {
    super(connack, protocolVersion);
    this.name = 'NotAuthorizedError';
  }

  /** True for any `NotAuthorizedError`, including one from another copy of this package. */
  static override isInstance(value: unknown): value is NotAuthorizedError {
    return hasMarker(value, MARKER);
  }
}
mark(NotAuthorizedError, MARKER);

/** The refusal error for a CONNACK: `NotAuthorizedError` for credential refusals, else the general one. */
export function connectionRefused(connack: ConnackPacket, protocolVersion: number): ConnectionRefusedError {
  const code = connack.reasonCode;
  const isAuth = protocolVersion === 5 ? code === 0x86 || code === 0x87 : code === 4 || code === 5;
  return isAuth
    ? new NotAuthorizedError(connack, protocolVersion)
    : new ConnectionRefusedError(connack, protocolVersion);
}
