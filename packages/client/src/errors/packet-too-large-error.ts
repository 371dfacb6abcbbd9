import { MqttError } from '@mqttkit/types';
import { hasMarker, mark } from './reason.js';

const MARKER = Symbol.for('@mqttkit/client/PacketTooLargeError');

/**
 * A packet is larger than the server's Maximum Packet Size (v5 CONNACK), so it was not sent
 * [MQTT-3.1.2-24]: the request is refused here instead of the server closing the connection.
 */
export class PacketTooLargeError extends MqttError {
  /** The encoded size of the packet, fixed header included. */
  readonly size: number;
  /** The server's limit. */
  readonly maximumPacketSize: number;

  /** Builds the error for a `size`-byte packet of kind `what` against `maximumPacketSize`. */
  constructor(what: string, size: number, maximumPacketSize: number) {
    super(
      'PACKET_TOO_LARGE',
      `${what} is ${size} bytes, more than the server's Maximum Packet Size of ${maximumPacketSize} bytes`,
      { specRef: 'MQTT-3.1.2-24' },
    );
    this.name = 'PacketTooLargeError';
    this.size = size;
    this.maximumPacketSize = maximumPacketSize;
  }

  /** True for any `PacketTooLargeError`, including one from another copy of this package. */
  static override isInstance(value: unknown): value is PacketTooLargeError {
    return hasMarker(value, MARKER);
  }
}
mark(PacketTooLargeError, MARKER);
