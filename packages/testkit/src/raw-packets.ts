/**
 * Raw MQTT packet builder, written by hand from the MQTT 3.1.1 and 5.0 specifications and
 * deliberately independent of `@mqttkit/codec`: a broker test that sends these bytes cannot have a
 * codec bug cancel itself out (Mosquitto's `mosq_test.gen_*` idea).
 *
 * Every builder writes exactly what it is told. Fields that have no place in the chosen protocol
 * version (properties or reason codes before 5.0) throw instead of being dropped silently; to write
 * bytes the spec forbids, combine the low-level pieces (`frame`, `varint`, `utf8String`, ...).
 */

/** A protocol level a raw packet is built for: 3 (MQTT 3.1), 4 (3.1.1) or 5 (5.0). */
export type RawVersion = 3 | 4 | 5;

/** A string field: a JS string is UTF-8 encoded, bytes are written verbatim (for invalid UTF-8 tests). */
export type RawString = string | Uint8Array;

/** Application payload: a JS string is UTF-8 encoded, bytes are written verbatim. */
export type RawPayload = string | Uint8Array;

/** The wire types of MQTT 5.0 property values (section 2.2.2.2), plus `raw` for malformed values. */
export type RawPropertyType = 'byte' | 'twoByte' | 'fourByte' | 'varint' | 'utf8' | 'binary' | 'pair';

/** A property value with its wire type spelled out; `raw` writes the given bytes after the id verbatim. */
export type TypedPropertyValue =
  | { readonly type: 'byte' | 'twoByte' | 'fourByte' | 'varint'; readonly value: number }
  | { readonly type: 'utf8'; readonly value: RawString }
  | { readonly type: 'binary'; readonly value: Uint8Array }
  | { readonly type: 'pair'; readonly value: readonly [RawString, RawString] }
  | { readonly type: 'raw'; readonly value: Uint8Array };

/**
 * One property to write: `[id, value]`. A plain value takes its wire type from the spec's table
 * (`PROPERTY_TABLE`); a typed value (`{ type, value }`) is needed for unknown ids or to force a type.
 * Lists are written in order, so duplicates are written as given.
 */
export type RawProperty = readonly [
  id: number,
  value: number | string | Uint8Array | readonly [RawString, RawString] | TypedPropertyValue,
];

/** The MQTT 5.0 property table (section 2.2.2.2): id → spec name and wire type. */
export const PROPERTY_TABLE: ReadonlyMap<number, readonly [name: string, type: RawPropertyType]> = new Map<
  number,
  readonly [string, RawPropertyType]
>([
  [0x01, ['payloadFormatIndicator', 'byte']],
  [0x02, ['messageExpiryInterval', 'fourByte']],
  [0x03, ['contentType', 'utf8']],
  [0x08, ['responseTopic', 'utf8']],
  [0x09, ['correlationData', 'binary']],
  [0x0b, ['subscriptionIdentifier', 'varint']],
  [0x11, ['sessionExpiryInterval', 'fourByte']],
  [0x12, ['assignedClientIdentifier', 'utf8']],
  [0x13, ['serverKeepAlive', 'twoByte']],
  [0x15, ['authenticationMethod', 'utf8']],
  [0x16, ['authenticationData', 'binary']],
  [0x17, ['requestProblemInformation', 'byte']],
  [0x18, ['willDelayInterval', 'fourByte']],
  [0x19, ['requestResponseInformation', 'byte']],
  [0x1a, ['responseInformation', 'utf8']],
  [0x1c, ['serverReference', 'utf8']],
  [0x1f, ['reasonString', 'utf8']],
  [0x21, ['receiveMaximum', 'twoByte']],
  [0x22, ['topicAliasMaximum', 'twoByte']],
  [0x23, ['topicAlias', 'twoByte']],
  [0x24, ['maximumQoS', 'byte']],
  [0x25, ['retainAvailable', 'byte']],
  [0x26, ['userProperty', 'pair']],
  [0x27, ['maximumPacketSize', 'fourByte']],
  [0x28, ['wildcardSubscriptionAvailable', 'byte']],
  [0x29, ['subscriptionIdentifiersAvailable', 'byte']],
  [0x2a, ['sharedSubscriptionAvailable', 'byte']],
]);

// ---------------------------------------------------------------------------------------------
// Low-level pieces (section 1.5 of both specifications)
// ---------------------------------------------------------------------------------------------

/** Encodes a Variable Byte Integer (0..268,435,455) in the minimal number of bytes. */
export function varint(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 268_435_455) {
    throw new RangeError(`varint: ${n} is not an integer in 0..268435455`);
  }
  const bytes: number[] = [];
  let rest = n;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
}

/** One byte (0..255). */
export function u8(n: number): Buffer {
  const b = Buffer.alloc(1);
  b.writeUInt8(n);
  return b;
}

/** A Two Byte Integer, big-endian (0..65535). */
export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** A Four Byte Integer, big-endian (0..4294967295). */
export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Bytes of a string field: UTF-8 for a JS string, verbatim for bytes. */
function stringBytes(s: RawString): Buffer {
  return typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s);
}

/** A UTF-8 Encoded String: two-byte length, then the bytes (a `Uint8Array` is written verbatim). */
export function utf8String(s: RawString): Buffer {
  const bytes = stringBytes(s);
  return Buffer.concat([u16(bytes.length), bytes]);
}

/** Binary Data: two-byte length, then the bytes. */
export function binary(b: RawPayload): Buffer {
  return utf8String(b);
}

/** A whole packet: the first byte (type << 4 | flags), the Remaining Length, then the body. */
export function frame(firstByte: number, body: Uint8Array = Buffer.alloc(0)): Buffer {
  return Buffer.concat([u8(firstByte), varint(body.length), body]);
}

/** One property's bytes (identifier as a Variable Byte Integer, then the value) without any length prefix. */
function propertyBytes([id, value]: RawProperty): Buffer {
  const typed = typedValue(id, value);
  const head = varint(id);
  switch (typed.type) {
    case 'byte':
      return Buffer.concat([head, u8(typed.value)]);
    case 'twoByte':
      return Buffer.concat([head, u16(typed.value)]);
    case 'fourByte':
      return Buffer.concat([head, u32(typed.value)]);
    case 'varint':
      return Buffer.concat([head, varint(typed.value)]);
    case 'utf8':
      return Buffer.concat([head, utf8String(typed.value)]);
    case 'binary':
      return Buffer.concat([head, binary(typed.value)]);
    case 'pair':
      return Buffer.concat([head, utf8String(typed.value[0]), utf8String(typed.value[1])]);
    case 'raw':
      return Buffer.concat([head, Buffer.from(typed.value)]);
  }
}

/** Resolves a plain property value to a typed one through the spec's table. */
function typedValue(id: number, value: RawProperty[1]): TypedPropertyValue {
  if (typeof value === 'object' && 'type' in value) return value;
  const entry = PROPERTY_TABLE.get(id);
  if (entry === undefined) {
    throw new Error(
      `property 0x${id.toString(16)} is not in the MQTT 5.0 table; give its type: [id, { type: 'byte', value: 1 }]`,
    );
  }
  const [name, type] = entry;
  const mismatch = () =>
    new TypeError(`property ${name} (0x${id.toString(16)}) is a ${type}; got ${JSON.stringify(value)}`);
  switch (type) {
    case 'byte':
    case 'twoByte':
    case 'fourByte':
    case 'varint':
      if (typeof value !== 'number') throw mismatch();
      return { type, value };
    case 'utf8':
      if (typeof value !== 'string' && !(value instanceof Uint8Array)) throw mismatch();
      return { type, value };
    case 'binary':
      if (typeof value === 'string') return { type, value: Buffer.from(value, 'utf8') };
      if (!(value instanceof Uint8Array)) throw mismatch();
      return { type, value };
    case 'pair':
      if (!Array.isArray(value)) throw mismatch();
      return { type, value: value as readonly [RawString, RawString] };
  }
  throw mismatch();
}

/** A v5 property block: Property Length (Variable Byte Integer), then each property in the given order. */
export function rawProperties(properties: readonly RawProperty[] = []): Buffer {
  const body = Buffer.concat(properties.map(propertyBytes));
  return Buffer.concat([varint(body.length), body]);
}

/** Throws when a 5.0-only field is given for an older version, rather than dropping it silently. */
function onlyInV5(version: RawVersion, what: string, given: unknown): void {
  if (version !== 5 && given !== undefined) {
    throw new Error(
      `${what} exist only in MQTT 5.0 (version ${version} given); use frame() to write extra bytes`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Client → server packets
// ---------------------------------------------------------------------------------------------

/** The Will message of a CONNECT. */
export interface RawWill {
  topic: RawString;
  payload: RawPayload;
  /** 0..3; 3 is malformed on purpose [MQTT-3.1.2-14]. */
  qos: number;
  retain: boolean;
  /** Will properties (5.0 only). */
  properties?: readonly RawProperty[];
}

/** Fields of a CONNECT packet; the overrides let a test write a wrong protocol name, level or reserved bit. */
export interface RawConnectOptions {
  protocolVersion: RawVersion;
  clientId: RawString;
  /** Clean Session (3.1.1) / Clean Start (5.0); default true. */
  clean?: boolean;
  /** Keep Alive in seconds; default 60. */
  keepAlive?: number;
  username?: RawString;
  password?: RawPayload;
  will?: RawWill;
  /** CONNECT properties (5.0 only; a 5.0 CONNECT without them carries an empty property block). */
  properties?: readonly RawProperty[];
  /** Overrides the protocol name (default `MQIsdp` for level 3, `MQTT` otherwise). */
  protocolName?: RawString;
  /** Overrides the protocol level byte (default `protocolVersion`). */
  protocolLevel?: number;
  /** Sets the reserved bit 0 of the Connect Flags, which must be 0 [MQTT-3.1.2-3]. */
  reservedFlag?: boolean;
}

/** Builds a CONNECT packet (section 3.1). */
export function rawConnect(options: RawConnectOptions): Buffer {
  const { protocolVersion: version, will } = options;
  onlyInV5(version, 'CONNECT properties', options.properties);
  onlyInV5(version, 'Will properties', will?.properties);
  const clean = options.clean ?? true;
  let flags = 0;
  if (options.username !== undefined) flags |= 0x80;
  if (options.password !== undefined) flags |= 0x40;
  if (will !== undefined) flags |= 0x04 | (will.qos << 3) | (will.retain ? 0x20 : 0);
  if (clean) flags |= 0x02;
  if (options.reservedFlag === true) flags |= 0x01;
  const parts: Buffer[] = [
    utf8String(options.protocolName ?? (version === 3 ? 'MQIsdp' : 'MQTT')),
    u8(options.protocolLevel ?? version),
    u8(flags),
    u16(options.keepAlive ?? 60),
  ];
  if (version === 5) parts.push(rawProperties(options.properties));
  parts.push(utf8String(options.clientId));
  if (will !== undefined) {
    if (version === 5) parts.push(rawProperties(will.properties));
    parts.push(utf8String(will.topic), binary(will.payload));
  }
  if (options.username !== undefined) parts.push(utf8String(options.username));
  if (options.password !== undefined) parts.push(binary(options.password));
  return frame(0x10, Buffer.concat(parts));
}

/** Fields of a PUBLISH packet. */
export interface RawPublishOptions {
  topic: RawString;
  payload?: RawPayload;
  /** 0..3; 3 is malformed on purpose [MQTT-3.3.1-4]. */
  qos?: number;
  retain?: boolean;
  dup?: boolean;
  /** Required for QoS 1 and 2; written whenever given, so a QoS 0 packet with an id can be built. */
  packetId?: number;
  /** PUBLISH properties (5.0 only). */
  properties?: readonly RawProperty[];
}

/** Builds a PUBLISH packet (section 3.3), in either direction. */
export function rawPublish(options: RawPublishOptions, version: RawVersion): Buffer {
  onlyInV5(version, 'PUBLISH properties', options.properties);
  const qos = options.qos ?? 0;
  if (qos > 0 && options.packetId === undefined) {
    throw new Error(`rawPublish: QoS ${qos} needs a packetId; use frame() to build one without`);
  }
  const first = 0x30 | (options.dup === true ? 0x08 : 0) | (qos << 1) | (options.retain === true ? 0x01 : 0);
  const parts = [utf8String(options.topic)];
  if (options.packetId !== undefined) parts.push(u16(options.packetId));
  if (version === 5) parts.push(rawProperties(options.properties));
  parts.push(stringBytes(options.payload ?? ''));
  return frame(first, Buffer.concat(parts));
}

/**
 * PUBACK-family body (sections 3.4-3.7): the packet id, then in 5.0 the reason code and properties,
 * each omitted when not given (the spec allows both shortened forms).
 */
function rawAck(
  firstByte: number,
  name: string,
  packetId: number,
  version: RawVersion,
  reasonCode: number | undefined,
  properties: readonly RawProperty[] | undefined,
): Buffer {
  onlyInV5(version, `${name} reason codes`, reasonCode);
  onlyInV5(version, `${name} properties`, properties);
  const parts = [u16(packetId)];
  if (reasonCode !== undefined || properties !== undefined) parts.push(u8(reasonCode ?? 0));
  if (properties !== undefined) parts.push(rawProperties(properties));
  return frame(firstByte, Buffer.concat(parts));
}

/** Builds a PUBACK (section 3.4); reason code and properties are 5.0 only and omitted when not given. */
export function rawPuback(
  packetId: number,
  version: RawVersion,
  reasonCode?: number,
  properties?: readonly RawProperty[],
): Buffer {
  return rawAck(0x40, 'PUBACK', packetId, version, reasonCode, properties);
}

/** Builds a PUBREC (section 3.5); reason code and properties are 5.0 only and omitted when not given. */
export function rawPubrec(
  packetId: number,
  version: RawVersion,
  reasonCode?: number,
  properties?: readonly RawProperty[],
): Buffer {
  return rawAck(0x50, 'PUBREC', packetId, version, reasonCode, properties);
}

/** Builds a PUBREL (section 3.6, fixed-header flags 0b0010); reason code and properties are 5.0 only. */
export function rawPubrel(
  packetId: number,
  version: RawVersion,
  reasonCode?: number,
  properties?: readonly RawProperty[],
): Buffer {
  return rawAck(0x62, 'PUBREL', packetId, version, reasonCode, properties);
}

/** Builds a PUBCOMP (section 3.7); reason code and properties are 5.0 only and omitted when not given. */
export function rawPubcomp(
  packetId: number,
  version: RawVersion,
  reasonCode?: number,
  properties?: readonly RawProperty[],
): Buffer {
  return rawAck(0x70, 'PUBCOMP', packetId, version, reasonCode, properties);
}

/** One topic filter of a SUBSCRIBE and its options. */
export interface RawSubscription {
  filter: RawString;
  /** Maximum QoS, 0..3 (3 is malformed on purpose). */
  qos: number;
  /** 5.0 No Local option (bit 2). */
  noLocal?: boolean;
  /** 5.0 Retain As Published option (bit 3). */
  retainAsPublished?: boolean;
  /** 5.0 Retain Handling option (bits 4-5), 0..3 (3 is malformed on purpose). */
  retainHandling?: number;
  /** The whole options byte, written as given instead of the fields above (for reserved-bit tests). */
  options?: number;
}

/** Builds a SUBSCRIBE (section 3.8, fixed-header flags 0b0010). */
export function rawSubscribe(
  packetId: number,
  subscriptions: readonly RawSubscription[],
  version: RawVersion,
  properties?: readonly RawProperty[],
): Buffer {
  onlyInV5(version, 'SUBSCRIBE properties', properties);
  const parts = [u16(packetId)];
  if (version === 5) parts.push(rawProperties(properties));
  for (const sub of subscriptions) {
    const v5Options =
      sub.noLocal === true || sub.retainAsPublished === true || (sub.retainHandling ?? 0) !== 0;
    onlyInV5(version, 'No Local, Retain As Published and Retain Handling', v5Options ? true : undefined);
    const options =
      sub.options ??
      sub.qos |
        (sub.noLocal === true ? 0x04 : 0) |
        (sub.retainAsPublished === true ? 0x08 : 0) |
        ((sub.retainHandling ?? 0) << 4);
    parts.push(utf8String(sub.filter), u8(options));
  }
  return frame(0x82, Buffer.concat(parts));
}

/** Builds an UNSUBSCRIBE (section 3.10, fixed-header flags 0b0010). */
export function rawUnsubscribe(
  packetId: number,
  filters: readonly RawString[],
  version: RawVersion,
  properties?: readonly RawProperty[],
): Buffer {
  onlyInV5(version, 'UNSUBSCRIBE properties', properties);
  const parts = [u16(packetId)];
  if (version === 5) parts.push(rawProperties(properties));
  for (const filter of filters) parts.push(utf8String(filter));
  return frame(0xa2, Buffer.concat(parts));
}

/** Builds a PINGREQ (section 3.12): `C0 00`. */
export function rawPingreq(): Buffer {
  return frame(0xc0);
}

/**
 * Builds a DISCONNECT (section 3.14); in 5.0 the reason code and properties are omitted when neither
 * is given (Remaining Length 0 means Normal disconnection). A reason code alone is followed by an empty
 * property block; `frame(0xe0, u8(code))` builds the one-byte form.
 */
export function rawDisconnect(
  version: RawVersion,
  reasonCode?: number,
  properties?: readonly RawProperty[],
): Buffer {
  onlyInV5(version, 'DISCONNECT reason codes', reasonCode);
  onlyInV5(version, 'DISCONNECT properties', properties);
  return frame(0xe0, reasonAndProperties(reasonCode, properties));
}

/**
 * Builds an AUTH (5.0 section 3.15); with neither argument it is `F0 00` (Success, no properties), and
 * a reason code alone is followed by an empty property block.
 */
export function rawAuth(reasonCode?: number, properties?: readonly RawProperty[]): Buffer {
  return frame(0xf0, reasonAndProperties(reasonCode, properties));
}

/** The optional reason code + property block shared by DISCONNECT and AUTH. */
function reasonAndProperties(
  reasonCode: number | undefined,
  properties: readonly RawProperty[] | undefined,
): Buffer {
  if (reasonCode === undefined && properties === undefined) return Buffer.alloc(0);
  return Buffer.concat([u8(reasonCode ?? 0), rawProperties(properties)]);
}

// ---------------------------------------------------------------------------------------------
// Server → client packets, for scripted fake brokers
// ---------------------------------------------------------------------------------------------

/** Fields of a CONNACK packet. */
export interface RawConnackOptions {
  sessionPresent?: boolean;
  /** 3.1.1 return code or 5.0 reason code; default 0. */
  code?: number;
  /** CONNACK properties (5.0 only; a 5.0 CONNACK without them carries an empty property block). */
  properties?: readonly RawProperty[];
}

/** Builds a CONNACK (section 3.2). */
export function rawConnack(options: RawConnackOptions, version: RawVersion): Buffer {
  onlyInV5(version, 'CONNACK properties', options.properties);
  const parts = [u8(options.sessionPresent === true ? 1 : 0), u8(options.code ?? 0)];
  if (version === 5) parts.push(rawProperties(options.properties));
  return frame(0x20, Buffer.concat(parts));
}

/** Builds a SUBACK (section 3.9) with one return/reason code per requested filter. */
export function rawSuback(
  packetId: number,
  codes: readonly number[],
  version: RawVersion,
  properties?: readonly RawProperty[],
): Buffer {
  onlyInV5(version, 'SUBACK properties', properties);
  const parts = [u16(packetId)];
  if (version === 5) parts.push(rawProperties(properties));
  parts.push(Buffer.from(codes));
  return frame(0x90, Buffer.concat(parts));
}

/** Builds an UNSUBACK (section 3.11); reason codes and properties exist only in 5.0. */
export function rawUnsuback(
  packetId: number,
  codes: readonly number[],
  version: RawVersion,
  properties?: readonly RawProperty[],
): Buffer {
  onlyInV5(version, 'UNSUBACK properties', properties);
  onlyInV5(version, 'UNSUBACK reason codes', codes.length > 0 ? codes : undefined);
  const parts = [u16(packetId)];
  if (version === 5) parts.push(rawProperties(properties), Buffer.from(codes));
  return frame(0xb0, Buffer.concat(parts));
}

/** Builds a PINGRESP (section 3.13): `D0 00`. */
export function rawPingresp(): Buffer {
  return frame(0xd0);
}
