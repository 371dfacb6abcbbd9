/**
 * MQTT 5.0 properties, one interface per packet listing only what the spec allows there
 * (section 2.2.2.2 and each packet's "Properties" section). Names follow the spec in camelCase.
 * Absent means "not sent"; byte-valued flags are booleans; binary data is a `Uint8Array`.
 */

/**
 * One User Property: a name/value pair of UTF-8 strings. User properties are kept as an ordered list,
 * because the spec allows the same name more than once and requires their order to be preserved
 * [MQTT-3.3.2-18].
 */
export type UserProperty = readonly [name: string, value: string];

/** Properties every packet that may carry any properties accepts. */
interface WithUserProperties {
  /** Application name/value pairs, in order, duplicates allowed. */
  userProperties?: readonly UserProperty[];
}

/** Properties carried by acknowledgements and similar replies. */
interface WithReasonString extends WithUserProperties {
  /** A human-readable diagnostic, not to be parsed by the receiver. */
  reasonString?: string;
}

/** Properties of an application message that travel with it from publisher to subscriber. */
export interface MessageProperties extends WithUserProperties {
  /** True when the payload is UTF-8 encoded character data (indicator 1), false for bytes (0). */
  payloadFormatIndicator?: boolean;
  /** Lifetime of the message in seconds. */
  messageExpiryInterval?: number;
  /** MIME-like description of the payload, chosen by the application. */
  contentType?: string;
  /** Topic name for a response message (request/response pattern). */
  responseTopic?: string;
  /** Binary data the requester uses to match a response to its request. */
  correlationData?: Uint8Array;
}

/** CONNECT properties (section 3.1.2.11). */
export interface ConnectProperties extends WithUserProperties {
  sessionExpiryInterval?: number;
  receiveMaximum?: number;
  maximumPacketSize?: number;
  topicAliasMaximum?: number;
  requestResponseInformation?: boolean;
  requestProblemInformation?: boolean;
  authenticationMethod?: string;
  authenticationData?: Uint8Array;
}

/** Will properties, sent in the CONNECT payload before the will topic (section 3.1.3.2). */
export interface WillProperties extends MessageProperties {
  /** Seconds the server waits after the connection closes before publishing the will. */
  willDelayInterval?: number;
}

/** CONNACK properties (section 3.2.2.3). */
export interface ConnackProperties extends WithReasonString {
  sessionExpiryInterval?: number;
  receiveMaximum?: number;
  /** The highest QoS the server supports; absent means 2. */
  maximumQoS?: 0 | 1;
  retainAvailable?: boolean;
  maximumPacketSize?: number;
  assignedClientIdentifier?: string;
  topicAliasMaximum?: number;
  wildcardSubscriptionAvailable?: boolean;
  subscriptionIdentifiersAvailable?: boolean;
  sharedSubscriptionAvailable?: boolean;
  serverKeepAlive?: number;
  responseInformation?: string;
  serverReference?: string;
  authenticationMethod?: string;
  authenticationData?: Uint8Array;
}

/** PUBLISH properties (section 3.3.2.3). */
export interface PublishProperties extends MessageProperties {
  /** A number standing for the topic name on this connection. */
  topicAlias?: number;
  /**
   * Identifiers of the subscriptions that matched, server to client only. A PUBLISH may carry
   * several, one per matching subscription [MQTT-3.3.4-4].
   */
  subscriptionIdentifiers?: readonly number[];
}

/** Properties of PUBACK, PUBREC, PUBREL and PUBCOMP (sections 3.4.2.2 to 3.7.2.2). */
export interface AckProperties extends WithReasonString {}

/** SUBSCRIBE properties (section 3.8.2.1). */
export interface SubscribeProperties extends WithUserProperties {
  /** 1 to 268,435,455; echoed in every PUBLISH this subscription matches. */
  subscriptionIdentifier?: number;
}

/** SUBACK properties (section 3.9.2.1). */
export interface SubackProperties extends WithReasonString {}

/** UNSUBSCRIBE properties (section 3.10.2.1). */
export interface UnsubscribeProperties extends WithUserProperties {}

/** UNSUBACK properties (section 3.11.2.1). */
export interface UnsubackProperties extends WithReasonString {}

/** DISCONNECT properties (section 3.14.2.2). */
export interface DisconnectProperties extends WithReasonString {
  /** Sent by the client only, and only if CONNECT had a non-zero value [MQTT-3.14.2-2]. */
  sessionExpiryInterval?: number;
  serverReference?: string;
}

/** AUTH properties (section 3.15.2.2). */
export interface AuthProperties extends WithReasonString {
  authenticationMethod?: string;
  authenticationData?: Uint8Array;
}
