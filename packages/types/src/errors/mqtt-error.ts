import { REASON_CODE_TEXT, ReasonCode } from '../reason-codes.js';

/**
 * Stable string codes for the errors mqttkit raises, one per v5 reason code it uses for errors.
 * Callers switch on `code`; `reasonCode` is what goes on the wire.
 */
export const MqttErrorCode = {
  UNSPECIFIED_ERROR: ReasonCode.UnspecifiedError,
  MALFORMED_PACKET: ReasonCode.MalformedPacket,
  PROTOCOL_ERROR: ReasonCode.ProtocolError,
  IMPLEMENTATION_SPECIFIC_ERROR: ReasonCode.ImplementationSpecificError,
  UNSUPPORTED_PROTOCOL_VERSION: ReasonCode.UnsupportedProtocolVersion,
  CLIENT_IDENTIFIER_NOT_VALID: ReasonCode.ClientIdentifierNotValid,
  BAD_USER_NAME_OR_PASSWORD: ReasonCode.BadUserNameOrPassword,
  NOT_AUTHORIZED: ReasonCode.NotAuthorized,
  SERVER_UNAVAILABLE: ReasonCode.ServerUnavailable,
  SERVER_BUSY: ReasonCode.ServerBusy,
  BANNED: ReasonCode.Banned,
  SERVER_SHUTTING_DOWN: ReasonCode.ServerShuttingDown,
  BAD_AUTHENTICATION_METHOD: ReasonCode.BadAuthenticationMethod,
  KEEP_ALIVE_TIMEOUT: ReasonCode.KeepAliveTimeout,
  SESSION_TAKEN_OVER: ReasonCode.SessionTakenOver,
  TOPIC_FILTER_INVALID: ReasonCode.TopicFilterInvalid,
  TOPIC_NAME_INVALID: ReasonCode.TopicNameInvalid,
  PACKET_IDENTIFIER_IN_USE: ReasonCode.PacketIdentifierInUse,
  PACKET_IDENTIFIER_NOT_FOUND: ReasonCode.PacketIdentifierNotFound,
  RECEIVE_MAXIMUM_EXCEEDED: ReasonCode.ReceiveMaximumExceeded,
  TOPIC_ALIAS_INVALID: ReasonCode.TopicAliasInvalid,
  PACKET_TOO_LARGE: ReasonCode.PacketTooLarge,
  MESSAGE_RATE_TOO_HIGH: ReasonCode.MessageRateTooHigh,
  QUOTA_EXCEEDED: ReasonCode.QuotaExceeded,
  ADMINISTRATIVE_ACTION: ReasonCode.AdministrativeAction,
  PAYLOAD_FORMAT_INVALID: ReasonCode.PayloadFormatInvalid,
  RETAIN_NOT_SUPPORTED: ReasonCode.RetainNotSupported,
  QOS_NOT_SUPPORTED: ReasonCode.QoSNotSupported,
  USE_ANOTHER_SERVER: ReasonCode.UseAnotherServer,
  SERVER_MOVED: ReasonCode.ServerMoved,
  SHARED_SUBSCRIPTIONS_NOT_SUPPORTED: ReasonCode.SharedSubscriptionsNotSupported,
  CONNECTION_RATE_EXCEEDED: ReasonCode.ConnectionRateExceeded,
  MAXIMUM_CONNECT_TIME: ReasonCode.MaximumConnectTime,
  SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED: ReasonCode.SubscriptionIdentifiersNotSupported,
  WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED: ReasonCode.WildcardSubscriptionsNotSupported,
} as const;

/** A stable error code string, e.g. `'MALFORMED_PACKET'`. */
export type MqttErrorCode = keyof typeof MqttErrorCode;

/** What an `MqttError` is built from. */
export interface MqttErrorOptions {
  /** The normative statement broken, e.g. `'MQTT-3.3.2-2'`, when there is one. */
  specRef?: string;
  cause?: unknown;
}

const CODE_BY_REASON: ReadonlyMap<number, MqttErrorCode> = new Map(
  (Object.entries(MqttErrorCode) as [MqttErrorCode, number][]).map(([code, reason]) => [reason, code]),
);

// A registry-wide symbol, so `isInstance` works across two installed copies of this package.
const MARKER = Symbol.for('@mqttkit/types/MqttError');

/**
 * The one error type the codec, topic validation and broker raise (design decision 3): a stable
 * `code`, the v5 `reasonCode` it maps to on the wire, a readable message and, where the spec names
 * one, the normative id that was broken. The broker maps it to CONNACK, DISCONNECT or a plain close.
 */
export class MqttError extends Error {
  readonly code: MqttErrorCode;
  readonly reasonCode: number;
  readonly specRef: string | undefined;

  constructor(code: MqttErrorCode, message: string, options: MqttErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MqttError';
    this.code = code;
    this.reasonCode = MqttErrorCode[code];
    this.specRef = options.specRef;
  }

  /** True for any `MqttError`, including one thrown by another copy of this package. */
  static isInstance(value: unknown): value is MqttError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }

  /**
   * An error for a v5 reason code, e.g. one a hook answered with. Codes without an `MqttErrorCode`
   * (successes, or values the spec does not define) become UNSPECIFIED_ERROR.
   */
  static fromReasonCode(reasonCode: number, message: string, options: MqttErrorOptions = {}): MqttError {
    return new MqttError(CODE_BY_REASON.get(reasonCode) ?? 'UNSPECIFIED_ERROR', message, options);
  }

  /** The spec's wording of this error's reason code, e.g. `'Malformed Packet'`. */
  get reasonText(): string {
    return REASON_CODE_TEXT[this.reasonCode] ?? `Reason code 0x${this.reasonCode.toString(16)}`;
  }
}

Object.defineProperty(MqttError.prototype, MARKER, { value: true });
