import { type DisconnectPacket, MqttError, ReasonCode } from '@mqttkit/types';
import { describeDisconnect, errorCodeFor, hasMarker, mark } from './reason.js';

const MARKER = Symbol.for('@mqttkit/client/ConnectionClosedError');

/**
 * The connection or the client closed while something was still waiting on it: `end()` with requests
 * pending, a refusal to reconnect, or a server DISCONNECT (whose packet is kept in `disconnect`).
 */
export class ConnectionClosedError extends MqttError {
  /** The server's DISCONNECT, when the server closed the connection with one (v5). */
  readonly disconnect: DisconnectPacket | undefined;

  /** A closed-connection error saying `message`; a server DISCONNECT supplies the reason code. */
  constructor(message: string, options: { disconnect?: DisconnectPacket; cause?: unknown } = {}) {
    const reasonCode = options.disconnect?.reasonCode ?? ReasonCode.UnspecifiedError;
    super(errorCodeFor(reasonCode), message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'ConnectionClosedError';
    this.disconnect = options.disconnect;
  }

  /** The error for a server DISCONNECT packet, naming its reason and reason string. */
  static fromDisconnect(packet: DisconnectPacket): ConnectionClosedError {
    return new ConnectionClosedError(`the server closed the connection: ${describeDisconnect(packet)}`, {
      disconnect: packet,
    });
  }

  /** True for any `ConnectionClosedError`, including one from another copy of this package. */
  static override isInstance(value: unknown): value is ConnectionClosedError {
    return hasMarker(value, MARKER);
  }
}
mark(ConnectionClosedError, MARKER);
