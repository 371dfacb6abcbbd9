import {
  CONNACK_REASON_CODES,
  type ConnackPacket,
  ConnectReturnCode,
  DISCONNECT_REASON_CODES,
  type DisconnectPacket,
  type MqttError,
  type ProtocolVersion,
  ReasonCode,
} from '@mqttkit/types';

const connackCodes: ReadonlySet<number> = new Set(CONNACK_REASON_CODES);
const disconnectCodes: ReadonlySet<number> = new Set(DISCONNECT_REASON_CODES);

/**
 * The 3.1 / 3.1.1 CONNACK return code for a v5 reason code, where 3.x has one (3.1.1 section 3.2.2.3).
 * Malformed and protocol errors have none: 3.x servers just close [MQTT-4.8.0-1].
 */
export function connectReturnCodeFor(reasonCode: number): ConnectReturnCode | undefined {
  switch (reasonCode) {
    case ReasonCode.UnsupportedProtocolVersion:
      return ConnectReturnCode.UnacceptableProtocolVersion;
    case ReasonCode.ClientIdentifierNotValid:
      return ConnectReturnCode.IdentifierRejected;
    case ReasonCode.ServerUnavailable:
    case ReasonCode.ServerBusy:
    case ReasonCode.ServerShuttingDown:
    case ReasonCode.ConnectionRateExceeded:
    case ReasonCode.QuotaExceeded:
      return ConnectReturnCode.ServerUnavailable;
    case ReasonCode.BadUserNameOrPassword:
      return ConnectReturnCode.BadUserNameOrPassword;
    case ReasonCode.NotAuthorized:
    case ReasonCode.Banned:
    case ReasonCode.BadAuthenticationMethod:
      return ConnectReturnCode.NotAuthorized;
    default:
      return undefined;
  }
}

/**
 * What to send before closing for `error` (style guide R4, the one mapping point):
 * - before a successful CONNACK: a CONNACK with the error's code, in v5 form [MQTT-3.2.2-6] or, for
 *   3.x, only where a return code exists; nothing at all for an incorrect Protocol Name;
 * - after it: a v5 DISCONNECT with the code [MQTT-4.13.1-1]; nothing for 3.x, which just closes.
 * The reason string carries the readable message when it fits the client's Maximum Packet Size.
 */
export function errorAnswer(
  error: MqttError,
  version: ProtocolVersion,
  connackSent: boolean,
  clientMaximumPacketSize: number,
): ConnackPacket | DisconnectPacket | undefined {
  if (!connackSent) {
    // An incorrect Protocol Name: the peer may not speak MQTT at all, so it gets no MQTT answer
    // [MQTT-3.1.2-1] (3.1.1: "MAY disconnect", never "process in line with this specification").
    if (error.specRef === 'MQTT-3.1.2-1') return undefined;
    if (version === 5) {
      const code = connackCodes.has(error.reasonCode) ? error.reasonCode : ReasonCode.UnspecifiedError;
      return withReasonString(
        { type: 'connack', sessionPresent: false, reasonCode: code as ConnackPacket['reasonCode'] },
        error.message,
        clientMaximumPacketSize,
      );
    }
    const code = connectReturnCodeFor(error.reasonCode);
    return code === undefined ? undefined : { type: 'connack', sessionPresent: false, reasonCode: code };
  }
  if (version !== 5) return undefined;
  const code = disconnectCodes.has(error.reasonCode) ? error.reasonCode : ReasonCode.UnspecifiedError;
  return withReasonString(
    { type: 'disconnect', reasonCode: code as DisconnectPacket['reasonCode'] & number },
    error.message,
    clientMaximumPacketSize,
  );
}

// Fixed header, reason code, property length and the property's own id and length prefix.
const REASON_STRING_OVERHEAD = 16;

function withReasonString<P extends ConnackPacket | DisconnectPacket>(
  packet: P,
  reasonString: string,
  maximumPacketSize: number,
): P {
  // A reason string must not push a packet past the client's limit [MQTT-3.2.2-19], [MQTT-3.14.2-3].
  if (reasonString.length * 3 + REASON_STRING_OVERHEAD > maximumPacketSize) return packet;
  return { ...packet, properties: { reasonString } };
}
