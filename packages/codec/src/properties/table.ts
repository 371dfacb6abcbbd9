import { type MqttErrorCode, PropertyId } from '@mqttkit/types';

/**
 * The one table of MQTT 5.0 properties (section 2.2.2.2) that drives both reading and writing: each
 * property's id, its key in the packet's `properties` object, its wire type, its allowed values and
 * the packets that may carry it. Reading and writing never switch on property names.
 */

/** How a property's value is laid out on the wire. */
export const Wire = {
  /** One byte, any value (Maximum QoS narrows it with min/max). */
  Byte: 0,
  /** One byte holding 0 or 1, surfaced as a boolean. */
  Bool: 1,
  U16: 2,
  U32: 3,
  Varint: 4,
  String: 5,
  Binary: 6,
  /** User Property: a UTF-8 String Pair. */
  Pair: 7,
} as const;
/** A wire type from `Wire`. */
export type Wire = (typeof Wire)[keyof typeof Wire];

/** The property groups the spec allows per packet; PUBACK, PUBREC, PUBREL and PUBCOMP share one. */
export const PropertySet = {
  Connect: 0,
  Will: 1,
  Connack: 2,
  Publish: 3,
  Ack: 4,
  Subscribe: 5,
  Suback: 6,
  Unsubscribe: 7,
  Unsuback: 8,
  Disconnect: 9,
  Auth: 10,
} as const;
/** A property group from `PropertySet`. */
export type PropertySet = (typeof PropertySet)[keyof typeof PropertySet];

/** Names of the property sets, for error messages. */
export const PROPERTY_SET_NAME: readonly string[] = [
  'CONNECT',
  'Will',
  'CONNACK',
  'PUBLISH',
  'PUBACK/PUBREC/PUBREL/PUBCOMP',
  'SUBSCRIBE',
  'SUBACK',
  'UNSUBSCRIBE',
  'UNSUBACK',
  'DISCONNECT',
  'AUTH',
];

/** One property as the codec sees it. */
export interface PropertyDescriptor {
  readonly id: number;
  /** The key in the packet's `properties` object. */
  readonly key: string;
  /** The spec's name, for messages. */
  readonly label: string;
  readonly wire: Wire;
  /** May appear more than once; the values are collected into an array in wire order. */
  readonly repeated: boolean;
  /** Smallest and largest allowed value, for numeric wire types. */
  readonly min: number;
  readonly max: number;
  /** The error a value outside min..max raises, and its normative id where there is one. */
  readonly rangeCode: MqttErrorCode;
  readonly rangeRef: string | undefined;
  /** Bit i set when PropertySet i may carry the property. */
  readonly sets: number;
}

const S = PropertySet;
const bits = (...sets: PropertySet[]): number => sets.reduce<number>((mask, set) => mask | (1 << set), 0);
const MESSAGE = bits(S.Publish, S.Will);
const REASON_STRING = bits(S.Connack, S.Ack, S.Suback, S.Unsuback, S.Disconnect, S.Auth);
const ALL = (1 << 11) - 1;

interface Row {
  id: number;
  key: string;
  label: string;
  wire: Wire;
  sets: number;
  repeated?: boolean;
  min?: number;
  max?: number;
  rangeCode?: MqttErrorCode;
  rangeRef?: string;
}

const MAX_BY_WIRE = [0xff, 1, 0xffff, 0xffff_ffff, 268_435_455, 0, 0, 0];

// "It is a Protocol Error to include X more than once or to have a value other than 0 or 1" is the
// wording for every byte-valued flag (3.1.2.11.6, 3.2.2.3.5, 3.2.2.3.11 ...), and "... or for it to have
// the value 0" for Receive Maximum and Maximum Packet Size; hence PROTOCOL_ERROR as the default.
const ROWS: Row[] = [
  {
    id: PropertyId.payloadFormatIndicator,
    key: 'payloadFormatIndicator',
    label: 'Payload Format Indicator',
    wire: Wire.Bool,
    sets: MESSAGE,
  },
  {
    id: PropertyId.messageExpiryInterval,
    key: 'messageExpiryInterval',
    label: 'Message Expiry Interval',
    wire: Wire.U32,
    sets: MESSAGE,
  },
  { id: PropertyId.contentType, key: 'contentType', label: 'Content Type', wire: Wire.String, sets: MESSAGE },
  {
    id: PropertyId.responseTopic,
    key: 'responseTopic',
    label: 'Response Topic',
    wire: Wire.String,
    sets: MESSAGE,
  },
  {
    id: PropertyId.correlationData,
    key: 'correlationData',
    label: 'Correlation Data',
    wire: Wire.Binary,
    sets: MESSAGE,
  },
  // In PUBLISH (server to client) one per matching subscription [MQTT-3.3.4-4]; once in SUBSCRIBE.
  {
    id: PropertyId.subscriptionIdentifier,
    key: 'subscriptionIdentifiers',
    label: 'Subscription Identifier',
    wire: Wire.Varint,
    sets: bits(S.Publish),
    repeated: true,
    min: 1,
  },
  {
    id: PropertyId.subscriptionIdentifier,
    key: 'subscriptionIdentifier',
    label: 'Subscription Identifier',
    wire: Wire.Varint,
    sets: bits(S.Subscribe),
    min: 1,
  },
  {
    id: PropertyId.sessionExpiryInterval,
    key: 'sessionExpiryInterval',
    label: 'Session Expiry Interval',
    wire: Wire.U32,
    sets: bits(S.Connect, S.Connack, S.Disconnect),
  },
  {
    id: PropertyId.assignedClientIdentifier,
    key: 'assignedClientIdentifier',
    label: 'Assigned Client Identifier',
    wire: Wire.String,
    sets: bits(S.Connack),
  },
  {
    id: PropertyId.serverKeepAlive,
    key: 'serverKeepAlive',
    label: 'Server Keep Alive',
    wire: Wire.U16,
    sets: bits(S.Connack),
  },
  {
    id: PropertyId.authenticationMethod,
    key: 'authenticationMethod',
    label: 'Authentication Method',
    wire: Wire.String,
    sets: bits(S.Connect, S.Connack, S.Auth),
  },
  {
    id: PropertyId.authenticationData,
    key: 'authenticationData',
    label: 'Authentication Data',
    wire: Wire.Binary,
    sets: bits(S.Connect, S.Connack, S.Auth),
  },
  {
    id: PropertyId.requestProblemInformation,
    key: 'requestProblemInformation',
    label: 'Request Problem Information',
    wire: Wire.Bool,
    sets: bits(S.Connect),
  },
  {
    id: PropertyId.willDelayInterval,
    key: 'willDelayInterval',
    label: 'Will Delay Interval',
    wire: Wire.U32,
    sets: bits(S.Will),
  },
  {
    id: PropertyId.requestResponseInformation,
    key: 'requestResponseInformation',
    label: 'Request Response Information',
    wire: Wire.Bool,
    sets: bits(S.Connect),
  },
  {
    id: PropertyId.responseInformation,
    key: 'responseInformation',
    label: 'Response Information',
    wire: Wire.String,
    sets: bits(S.Connack),
  },
  {
    id: PropertyId.serverReference,
    key: 'serverReference',
    label: 'Server Reference',
    wire: Wire.String,
    sets: bits(S.Connack, S.Disconnect),
  },
  {
    id: PropertyId.reasonString,
    key: 'reasonString',
    label: 'Reason String',
    wire: Wire.String,
    sets: REASON_STRING,
  },
  {
    id: PropertyId.receiveMaximum,
    key: 'receiveMaximum',
    label: 'Receive Maximum',
    wire: Wire.U16,
    sets: bits(S.Connect, S.Connack),
    min: 1,
  },
  {
    id: PropertyId.topicAliasMaximum,
    key: 'topicAliasMaximum',
    label: 'Topic Alias Maximum',
    wire: Wire.U16,
    sets: bits(S.Connect, S.Connack),
  },
  // 3.3.4: "A Topic Alias value of 0 ... is a Protocol Error, the receiver uses DISCONNECT with Reason
  // Code of 0x94 (Topic Alias invalid)".
  {
    id: PropertyId.topicAlias,
    key: 'topicAlias',
    label: 'Topic Alias',
    wire: Wire.U16,
    sets: bits(S.Publish),
    min: 1,
    rangeCode: 'TOPIC_ALIAS_INVALID',
    rangeRef: 'MQTT-3.3.2-8',
  },
  {
    id: PropertyId.maximumQoS,
    key: 'maximumQoS',
    label: 'Maximum QoS',
    wire: Wire.Byte,
    sets: bits(S.Connack),
    max: 1,
  },
  {
    id: PropertyId.retainAvailable,
    key: 'retainAvailable',
    label: 'Retain Available',
    wire: Wire.Bool,
    sets: bits(S.Connack),
  },
  {
    id: PropertyId.maximumPacketSize,
    key: 'maximumPacketSize',
    label: 'Maximum Packet Size',
    wire: Wire.U32,
    sets: bits(S.Connect, S.Connack),
    min: 1,
  },
  {
    id: PropertyId.wildcardSubscriptionAvailable,
    key: 'wildcardSubscriptionAvailable',
    label: 'Wildcard Subscription Available',
    wire: Wire.Bool,
    sets: bits(S.Connack),
  },
  {
    id: PropertyId.subscriptionIdentifiersAvailable,
    key: 'subscriptionIdentifiersAvailable',
    label: 'Subscription Identifier Available',
    wire: Wire.Bool,
    sets: bits(S.Connack),
  },
  {
    id: PropertyId.sharedSubscriptionAvailable,
    key: 'sharedSubscriptionAvailable',
    label: 'Shared Subscription Available',
    wire: Wire.Bool,
    sets: bits(S.Connack),
  },
  // Written last so application pairs trail the protocol's own properties.
  {
    id: PropertyId.userProperty,
    key: 'userProperties',
    label: 'User Property',
    wire: Wire.Pair,
    sets: ALL,
    repeated: true,
  },
];

const DESCRIPTORS: readonly PropertyDescriptor[] = ROWS.map((row) => ({
  id: row.id,
  key: row.key,
  label: row.label,
  wire: row.wire,
  repeated: row.repeated ?? false,
  min: row.min ?? 0,
  max: row.max ?? MAX_BY_WIRE[row.wire]!,
  rangeCode: row.rangeCode ?? 'PROTOCOL_ERROR',
  rangeRef: row.rangeRef,
  sets: row.sets,
}));

/** `LOOKUP[set][id]`: the descriptor of property `id` when `set` allows it, else undefined. */
export const LOOKUP: readonly (readonly (PropertyDescriptor | undefined)[])[] = PROPERTY_SET_NAME.map(
  (_, set) => {
    const byId: (PropertyDescriptor | undefined)[] = new Array(0x80).fill(undefined);
    for (const d of DESCRIPTORS) if (d.sets & (1 << set)) byId[d.id] = d;
    return byId;
  },
);

/** `ORDER[set]`: the descriptors `set` allows, in the order the encoder writes them. */
export const ORDER: readonly (readonly PropertyDescriptor[])[] = PROPERTY_SET_NAME.map((_, set) =>
  DESCRIPTORS.filter((d) => d.sets & (1 << set)),
);

/** The spec's name of property `id`, or undefined when no property has that id. */
export function propertyLabel(id: number): string | undefined {
  return DESCRIPTORS.find((d) => d.id === id)?.label;
}
