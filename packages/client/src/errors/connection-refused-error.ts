import { type ConnackPacket, type ConnackProperties, MqttError, ReasonCode } from '@mqttkit/types';
import {
  describeReason,
  describeReturnCode,
  errorCodeFor,
  hasMarker,
  mark,
  reasonForReturnCode,
} from './reason.js';

const MARKER = Symbol.for('@mqttkit/client/ConnectionRefusedError');

/**
 * The server answered CONNECT with a refusal. `reasonCode` is always a v5 reason code (a 3.x return
 * code is mapped to the v5 code with the same meaning and kept in `returnCode`).
 */
export class ConnectionRefusedError extends MqttError {
  /** The 3.1 / 3.1.1 CONNACK return code as received; undefined for 5.0. */
  readonly returnCode: number | undefined;
  /** The server's diagnostic text (v5 Reason String), when it sent one. */
  readonly reasonString: string | undefined;
  /** The v5 Server Reference, when the server names another server to use (0x9C, 0x9D). */
  readonly serverReference: string | undefined;
  /** The CONNACK's v5 properties. */
  readonly properties: ConnackProperties | undefined;

  /** Builds the error for a refusing CONNACK received on a connection of `protocolVersion`. */
  constructor(connack: ConnackPacket, protocolVersion: number) {
    const isV5 = protocolVersion === 5;
    const reasonCode = isV5 ? connack.reasonCode : reasonForReturnCode(connack.reasonCode);
    const reasonString = connack.properties?.reasonString;
    const what = isV5 ? describeReason(reasonCode) : describeReturnCode(connack.reasonCode);
    super(
      errorCodeFor(reasonCode),
      `connection refused by the server: ${what}${reasonString === undefined ? '' : `: ${reasonString}`}`,
    );
    this.name = 'ConnectionRefusedError';
    this.returnCode = isV5 ? undefined : connack.reasonCode;
    this.reasonString = reasonString;
    this.serverReference = connack.properties?.serverReference;
    this.properties = connack.properties;
  }

  /** True for any `ConnectionRefusedError`, including one from another copy of this package. */
  static override isInstance(value: unknown): value is ConnectionRefusedError {
    return hasMarker(value, MARKER);
  }

  /**
   * True when trying again later may succeed (server busy or unavailable, quota or rate exceeded);
   * false for refusals that will repeat until the configuration changes (credentials, client id, ...).
   */
  get isRetryable(): boolean {
    return RETRYABLE.has(this.reasonCode);
  }
}
mark(ConnectionRefusedError, MARKER);

const RETRYABLE: ReadonlySet<number> = new Set([
  ReasonCode.UnspecifiedError,
  ReasonCode.ImplementationSpecificError,
  ReasonCode.ServerUnavailable,
  ReasonCode.ServerBusy,
  ReasonCode.QuotaExceeded,
  ReasonCode.ConnectionRateExceeded,
]);
