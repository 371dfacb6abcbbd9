/**
 * Every MQTT 5.0 reason code (section 2.4), named after the spec's table in PascalCase.
 * Several codes share the value 0x00 (Success, NormalDisconnection, GrantedQoS0); they are listed
 * under each name so call sites read like the spec.
 */
export const ReasonCode = {
  Success: 0x00,
  NormalDisconnection: 0x00,
  GrantedQoS0: 0x00,
  GrantedQoS1: 0x01,
  GrantedQoS2: 0x02,
  DisconnectWithWillMessage: 0x04,
  NoMatchingSubscribers: 0x10,
  NoSubscriptionExisted: 0x11,
  ContinueAuthentication: 0x18,
  ReAuthenticate: 0x19,
  UnspecifiedError: 0x80,
  MalformedPacket: 0x81,
  ProtocolError: 0x82,
  ImplementationSpecificError: 0x83,
  UnsupportedProtocolVersion: 0x84,
  ClientIdentifierNotValid: 0x85,
  BadUserNameOrPassword: 0x86,
  NotAuthorized: 0x87,
  ServerUnavailable: 0x88,
  ServerBusy: 0x89,
  Banned: 0x8a,
  ServerShuttingDown: 0x8b,
  BadAuthenticationMethod: 0x8c,
  KeepAliveTimeout: 0x8d,
  SessionTakenOver: 0x8e,
  TopicFilterInvalid: 0x8f,
  TopicNameInvalid: 0x90,
  PacketIdentifierInUse: 0x91,
  PacketIdentifierNotFound: 0x92,
  ReceiveMaximumExceeded: 0x93,
  TopicAliasInvalid: 0x94,
  PacketTooLarge: 0x95,
  MessageRateTooHigh: 0x96,
  QuotaExceeded: 0x97,
  AdministrativeAction: 0x98,
  PayloadFormatInvalid: 0x99,
  RetainNotSupported: 0x9a,
  QoSNotSupported: 0x9b,
  UseAnotherServer: 0x9c,
  ServerMoved: 0x9d,
  SharedSubscriptionsNotSupported: 0x9e,
  ConnectionRateExceeded: 0x9f,
  MaximumConnectTime: 0xa0,
  SubscriptionIdentifiersNotSupported: 0xa1,
  WildcardSubscriptionsNotSupported: 0xa2,
} as const;

/** Any MQTT 5.0 reason code value. */
export type ReasonCode = (typeof ReasonCode)[keyof typeof ReasonCode];

/** The name of an MQTT 5.0 reason code. */
export type ReasonCodeName = keyof typeof ReasonCode;

const R = ReasonCode;

/** MQTT 3.1 / 3.1.1 CONNACK return codes (3.1.1 section 3.2.2.3). */
export const ConnectReturnCode = {
  Accepted: 0x00,
  UnacceptableProtocolVersion: 0x01,
  IdentifierRejected: 0x02,
  ServerUnavailable: 0x03,
  BadUserNameOrPassword: 0x04,
  NotAuthorized: 0x05,
} as const;

/** A 3.1 / 3.1.1 CONNACK return code. */
export type ConnectReturnCode = (typeof ConnectReturnCode)[keyof typeof ConnectReturnCode];

/** MQTT 3.1.1 SUBACK return codes: the granted QoS, or 0x80 for failure (3.1.1 section 3.9.3). */
export const SubackReturnCode = {
  GrantedQoS0: 0x00,
  GrantedQoS1: 0x01,
  GrantedQoS2: 0x02,
  Failure: 0x80,
} as const;

/** A 3.1.1 SUBACK return code. */
export type SubackReturnCode = (typeof SubackReturnCode)[keyof typeof SubackReturnCode];

/** The reason codes an MQTT 5.0 CONNACK may carry (section 3.2.2.2). */
export const CONNACK_REASON_CODES = [
  R.Success,
  R.UnspecifiedError,
  R.MalformedPacket,
  R.ProtocolError,
  R.ImplementationSpecificError,
  R.UnsupportedProtocolVersion,
  R.ClientIdentifierNotValid,
  R.BadUserNameOrPassword,
  R.NotAuthorized,
  R.ServerUnavailable,
  R.ServerBusy,
  R.Banned,
  R.BadAuthenticationMethod,
  R.TopicNameInvalid,
  R.PacketTooLarge,
  R.QuotaExceeded,
  R.PayloadFormatInvalid,
  R.RetainNotSupported,
  R.QoSNotSupported,
  R.UseAnotherServer,
  R.ServerMoved,
  R.ConnectionRateExceeded,
] as const;
/** A reason code valid in an MQTT 5.0 CONNACK. */
export type ConnackReasonCode = (typeof CONNACK_REASON_CODES)[number];

/** The reason codes an MQTT 5.0 PUBACK or PUBREC may carry (sections 3.4.2.1 and 3.5.2.1). */
export const PUBACK_REASON_CODES = [
  R.Success,
  R.NoMatchingSubscribers,
  R.UnspecifiedError,
  R.ImplementationSpecificError,
  R.NotAuthorized,
  R.TopicNameInvalid,
  R.PacketIdentifierInUse,
  R.QuotaExceeded,
  R.PayloadFormatInvalid,
] as const;
/** A reason code valid in an MQTT 5.0 PUBACK. */
export type PubackReasonCode = (typeof PUBACK_REASON_CODES)[number];
/** PUBREC allows exactly the PUBACK reason codes. */
export const PUBREC_REASON_CODES = PUBACK_REASON_CODES;
/** A reason code valid in an MQTT 5.0 PUBREC. */
export type PubrecReasonCode = PubackReasonCode;

/** The reason codes an MQTT 5.0 PUBREL or PUBCOMP may carry (sections 3.6.2.1 and 3.7.2.1). */
export const PUBREL_REASON_CODES = [R.Success, R.PacketIdentifierNotFound] as const;
/** A reason code valid in an MQTT 5.0 PUBREL. */
export type PubrelReasonCode = (typeof PUBREL_REASON_CODES)[number];
/** PUBCOMP allows exactly the PUBREL reason codes. */
export const PUBCOMP_REASON_CODES = PUBREL_REASON_CODES;
/** A reason code valid in an MQTT 5.0 PUBCOMP. */
export type PubcompReasonCode = PubrelReasonCode;

/** The reason codes an MQTT 5.0 SUBACK may carry, one per filter (section 3.9.3). */
export const SUBACK_REASON_CODES = [
  R.GrantedQoS0,
  R.GrantedQoS1,
  R.GrantedQoS2,
  R.UnspecifiedError,
  R.ImplementationSpecificError,
  R.NotAuthorized,
  R.TopicFilterInvalid,
  R.PacketIdentifierInUse,
  R.QuotaExceeded,
  R.SharedSubscriptionsNotSupported,
  R.SubscriptionIdentifiersNotSupported,
  R.WildcardSubscriptionsNotSupported,
] as const;
/** A reason code valid in an MQTT 5.0 SUBACK. */
export type SubackReasonCode = (typeof SUBACK_REASON_CODES)[number];

/** The reason codes an MQTT 5.0 UNSUBACK may carry, one per filter (section 3.11.3). */
export const UNSUBACK_REASON_CODES = [
  R.Success,
  R.NoSubscriptionExisted,
  R.UnspecifiedError,
  R.ImplementationSpecificError,
  R.NotAuthorized,
  R.TopicFilterInvalid,
  R.PacketIdentifierInUse,
] as const;
/** A reason code valid in an MQTT 5.0 UNSUBACK. */
export type UnsubackReasonCode = (typeof UNSUBACK_REASON_CODES)[number];

/** The reason codes an MQTT 5.0 DISCONNECT may carry (section 3.14.2.1). */
export const DISCONNECT_REASON_CODES = [
  R.NormalDisconnection,
  R.DisconnectWithWillMessage,
  R.UnspecifiedError,
  R.MalformedPacket,
  R.ProtocolError,
  R.ImplementationSpecificError,
  R.NotAuthorized,
  R.ServerBusy,
  R.ServerShuttingDown,
  R.KeepAliveTimeout,
  R.SessionTakenOver,
  R.TopicFilterInvalid,
  R.TopicNameInvalid,
  R.ReceiveMaximumExceeded,
  R.TopicAliasInvalid,
  R.PacketTooLarge,
  R.MessageRateTooHigh,
  R.QuotaExceeded,
  R.AdministrativeAction,
  R.PayloadFormatInvalid,
  R.RetainNotSupported,
  R.QoSNotSupported,
  R.UseAnotherServer,
  R.ServerMoved,
  R.SharedSubscriptionsNotSupported,
  R.ConnectionRateExceeded,
  R.MaximumConnectTime,
  R.SubscriptionIdentifiersNotSupported,
  R.WildcardSubscriptionsNotSupported,
] as const;
/** A reason code valid in an MQTT 5.0 DISCONNECT. */
export type DisconnectReasonCode = (typeof DISCONNECT_REASON_CODES)[number];

/** The reason codes an MQTT 5.0 AUTH may carry (section 3.15.2.1). */
export const AUTH_REASON_CODES = [R.Success, R.ContinueAuthentication, R.ReAuthenticate] as const;
/** A reason code valid in an MQTT 5.0 AUTH. */
export type AuthReasonCode = (typeof AUTH_REASON_CODES)[number];

/**
 * Human-readable names of the v5 reason codes, as the spec's table words them. Where one value has
 * several names the most general is used.
 */
export const REASON_CODE_TEXT: Readonly<Record<number, string>> = {
  0: 'Success',
  1: 'Granted QoS 1',
  2: 'Granted QoS 2',
  4: 'Disconnect with Will Message',
  16: 'No matching subscribers',
  17: 'No subscription existed',
  24: 'Continue authentication',
  25: 'Re-authenticate',
  128: 'Unspecified error',
  129: 'Malformed Packet',
  130: 'Protocol Error',
  131: 'Implementation specific error',
  132: 'Unsupported Protocol Version',
  133: 'Client Identifier not valid',
  134: 'Bad User Name or Password',
  135: 'Not authorized',
  136: 'Server unavailable',
  137: 'Server busy',
  138: 'Banned',
  139: 'Server shutting down',
  140: 'Bad authentication method',
  141: 'Keep Alive timeout',
  142: 'Session taken over',
  143: 'Topic Filter invalid',
  144: 'Topic Name invalid',
  145: 'Packet Identifier in use',
  146: 'Packet Identifier not found',
  147: 'Receive Maximum exceeded',
  148: 'Topic Alias invalid',
  149: 'Packet too large',
  150: 'Message rate too high',
  151: 'Quota exceeded',
  152: 'Administrative action',
  153: 'Payload format invalid',
  154: 'Retain not supported',
  155: 'QoS not supported',
  156: 'Use another server',
  157: 'Server moved',
  158: 'Shared Subscriptions not supported',
  159: 'Connection rate exceeded',
  160: 'Maximum connect time',
  161: 'Subscription Identifiers not supported',
  162: 'Wildcard Subscriptions not supported',
};

/** Human-readable names of the 3.1 / 3.1.1 CONNACK return codes. */
export const CONNECT_RETURN_CODE_TEXT: Readonly<Record<number, string>> = {
  0: 'Connection Accepted',
  1: 'Connection Refused, unacceptable protocol version',
  2: 'Connection Refused, identifier rejected',
  3: 'Connection Refused, Server unavailable',
  4: 'Connection Refused, bad user name or password',
  5: 'Connection Refused, not authorized',
};
