import {
  CONNECT_RETURN_CODE_TEXT,
  type DisconnectPacket,
  MqttErrorCode,
  REASON_CODE_TEXT,
  ReasonCode,
} from '@mqttkit/types';

/** Reason code → stable error code, the inverse of `MqttErrorCode` (built once). */
const CODE_BY_REASON: ReadonlyMap<number, MqttErrorCode> = new Map(
  (Object.entries(MqttErrorCode) as [MqttErrorCode, number][]).map(([code, reason]) => [reason, code]),
);

/** The `MqttErrorCode` for a v5 reason code; successes and undefined values map to UNSPECIFIED_ERROR. */
export function errorCodeFor(reasonCode: number): MqttErrorCode {
  return CODE_BY_REASON.get(reasonCode) ?? 'UNSPECIFIED_ERROR';
}

/** `Not authorized (0x87)`: the spec's wording of a v5 reason code with its value, for messages. */
export function describeReason(reasonCode: number): string {
  const text = REASON_CODE_TEXT[reasonCode] ?? 'Unknown reason code';
  return `${text} (0x${reasonCode.toString(16).padStart(2, '0')})`;
}

/** `Not authorized (0x87): bad token`: a DISCONNECT's reason code and Reason String, for messages. */
export function describeDisconnect(packet: DisconnectPacket): string {
  const reasonString = packet.properties?.reasonString;
  return `${describeReason(packet.reasonCode ?? 0)}${reasonString === undefined ? '' : `: ${reasonString}`}`;
}

/**
 * MQTT 3.1 / 3.1.1 CONNACK return codes mapped to the v5 reason code with the same meaning, so callers
 * handle one set of codes whatever version they spoke.
 */
const V5_FOR_RETURN_CODE: Readonly<Record<number, number>> = {
  1: ReasonCode.UnsupportedProtocolVersion,
  2: ReasonCode.ClientIdentifierNotValid,
  3: ReasonCode.ServerUnavailable,
  4: ReasonCode.BadUserNameOrPassword,
  5: ReasonCode.NotAuthorized,
};

/** The v5 reason code for a 3.x CONNACK return code (an unknown one becomes Unspecified error). */
export function reasonForReturnCode(returnCode: number): number {
  return V5_FOR_RETURN_CODE[returnCode] ?? ReasonCode.UnspecifiedError;
}

/** The 3.x spec's wording of a CONNACK return code. */
export function describeReturnCode(returnCode: number): string {
  return `${CONNECT_RETURN_CODE_TEXT[returnCode] ?? 'Connection Refused, unknown return code'} (${returnCode})`;
}

/** True when `value` carries the registry-wide `marker`, so checks work across duplicate installs (R4). */
export function hasMarker(value: unknown, marker: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}

/** Marks every instance of `cls` (through its prototype) with `marker`. */
export function mark(cls: { prototype: object }, marker: symbol): void {
  Object.defineProperty(cls.prototype, marker, { value: true });
}
