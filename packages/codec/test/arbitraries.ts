import {
  AUTH_REASON_CODES,
  CONNACK_REASON_CODES,
  DISCONNECT_REASON_CODES,
  type Packet,
  type ProtocolVersion,
  PUBACK_REASON_CODES,
  PUBREL_REASON_CODES,
  type QoS,
  SUBACK_REASON_CODES,
  type Subscription,
  UNSUBACK_REASON_CODES,
  type UserProperty,
} from '@mqttkit/types';
import fc from 'fast-check';

/**
 * fast-check arbitraries for valid packets of every type and version, in the exact shape the decoder
 * returns (v5 acknowledgements always carry `reasonCode`, `properties` is absent rather than `{}`, ...),
 * so `decode(encode(p))` must equal `p`.
 */

export type Side = 'server' | 'client';
export const VERSIONS: readonly ProtocolVersion[] = [3, 4, 5];

/** Knobs the oracle tests use to stay within what mqtt-packet can represent. */
export interface Restrictions {
  /** User properties with distinct names starting with a letter (mqtt-packet keeps them in an object). */
  readonly plainUserProperties?: boolean;
  /** A non-empty client id, and a password only with a user name (mqtt-packet refuses the rest). */
  readonly mqttPacketConnect?: boolean;
  /** No AUTH in its empty Success form (mqtt-packet cannot parse Remaining Length 0). */
  readonly noEmptyAuth?: boolean;
}

/** One code point, anything but U+0000 (which MQTT strings may not contain). */
const mqttChar = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '\0');
/** Mostly ASCII with some of everything else: astral, 2- and 3-byte characters, BOM. */
const textChar = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: mqttChar },
);

export const mqttString = (maxLength = 12): fc.Arbitrary<string> => fc.string({ unit: textChar, maxLength });
export const topicName = fc.string({
  unit: textChar.filter((c) => c !== '+' && c !== '#'),
  minLength: 1,
  maxLength: 16,
});
const topicFilter = mqttString(16);
const binary = (maxLength = 16) => fc.uint8Array({ maxLength });
const packetId = fc.integer({ min: 1, max: 0xffff });
const qos = fc.constantFrom<QoS>(0, 1, 2);
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.nat({ max: 0xffff_ffff });
const varint = fc.oneof(
  fc.integer({ min: 1, max: 127 }),
  fc.integer({ min: 128, max: 268_435_455 }),
  fc.constant(268_435_455),
);

function userProperties(r: Restrictions): fc.Arbitrary<UserProperty[]> {
  if (r.plainUserProperties) {
    const name = fc
      .tuple(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), mqttString(6))
      .map(([a, b]) => a + b);
    return fc.uniqueArray(fc.tuple(name, mqttString(8)), {
      minLength: 1,
      maxLength: 4,
      selector: ([n]) => n,
    });
  }
  // Repeated names are allowed and their order matters [MQTT-3.3.2-18].
  const name = fc.oneof(fc.constantFrom('a', 'b', ''), mqttString(6));
  return fc.array(fc.tuple(name, mqttString(8)), { minLength: 1, maxLength: 5 });
}

/** An optional properties object: absent, or with at least one key. */
function properties<T>(fields: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<Partial<T> | undefined> {
  const some = fc
    .record(fields, { requiredKeys: [], noNullPrototype: true })
    .filter((o) => Object.keys(o).length > 0);
  return fc.option(some, { nil: undefined }) as fc.Arbitrary<Partial<T> | undefined>;
}

/** Adds `key: value` to `target` unless the value is undefined (exactOptionalPropertyTypes). */
function put<T extends object>(target: T, key: string, value: unknown): T {
  if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  return target;
}

const reasonString = () => mqttString(10);

/** fc.record with ordinary objects: the decoder returns plain objects, and toStrictEqual compares prototypes. */
function record<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
}

function connect(v: ProtocolVersion, r: Restrictions): fc.Arbitrary<Packet> {
  const v5 = v === 5;
  const willProps = properties({
    payloadFormatIndicator: fc.boolean(),
    messageExpiryInterval: u32,
    contentType: mqttString(),
    responseTopic: topicName,
    correlationData: binary(),
    willDelayInterval: u32,
    userProperties: userProperties(r),
  });
  const will = fc.option(
    record({
      topic: topicName,
      payload: binary(32),
      qos,
      retain: fc.boolean(),
      properties: v5 ? willProps : fc.constant(undefined),
    }),
    { nil: undefined },
  );
  const props = properties({
    sessionExpiryInterval: u32,
    receiveMaximum: fc.integer({ min: 1, max: 0xffff }),
    maximumPacketSize: fc.integer({ min: 1, max: 0xffff_ffff }),
    topicAliasMaximum: u16,
    requestResponseInformation: fc.boolean(),
    requestProblemInformation: fc.boolean(),
    authenticationMethod: mqttString(),
    authenticationData: binary(),
    userProperties: userProperties(r),
  }).filter(
    (p) => p === undefined || p.authenticationData === undefined || p.authenticationMethod !== undefined,
  );
  const clientId = r.mqttPacketConnect ? mqttString(12).filter((s) => s.length > 0) : mqttString(12);
  return record({
    clean: fc.boolean(),
    keepAlive: u16,
    clientId,
    will,
    username: fc.option(mqttString(), { nil: undefined }),
    password: fc.option(binary(), { nil: undefined }),
    properties: v5 ? props : fc.constant(undefined),
  }).map((f) => {
    const p = {
      type: 'connect',
      protocolVersion: v,
      clean: f.clean,
      keepAlive: f.keepAlive,
      clientId: f.clientId,
    } as const;
    const packet = { ...p } as Packet & { type: 'connect' };
    if (f.will !== undefined) {
      const { properties: wp, ...w } = f.will;
      packet.will = put({ ...w }, 'properties', wp);
    }
    put(packet, 'username', f.username);
    // A password needs a user name before 5.0 [MQTT-3.1.2-22]; mqtt-packet wants one always.
    if (f.username !== undefined || (v5 && !r.mqttPacketConnect)) put(packet, 'password', f.password);
    return put(packet, 'properties', f.properties);
  });
}

function connack(v: ProtocolVersion, r: Restrictions): fc.Arbitrary<Packet> {
  const code = v === 5 ? fc.constantFrom(...CONNACK_REASON_CODES) : fc.integer({ min: 0, max: 5 });
  const props = properties({
    sessionExpiryInterval: u32,
    receiveMaximum: fc.integer({ min: 1, max: 0xffff }),
    maximumQoS: fc.constantFrom<0 | 1>(0, 1),
    retainAvailable: fc.boolean(),
    maximumPacketSize: fc.integer({ min: 1, max: 0xffff_ffff }),
    assignedClientIdentifier: mqttString(),
    topicAliasMaximum: u16,
    reasonString: reasonString(),
    wildcardSubscriptionAvailable: fc.boolean(),
    subscriptionIdentifiersAvailable: fc.boolean(),
    sharedSubscriptionAvailable: fc.boolean(),
    serverKeepAlive: u16,
    responseInformation: mqttString(),
    serverReference: mqttString(),
    authenticationMethod: mqttString(),
    authenticationData: binary(),
    userProperties: userProperties(r),
  });
  return record({ sp: fc.boolean(), code, props: v === 5 ? props : fc.constant(undefined) }).map(
    ({ sp, code, props }) =>
      // A refusal never has a session [MQTT-3.2.2-6].
      put(
        { type: 'connack', sessionPresent: sp && code === 0, reasonCode: code } as Packet,
        'properties',
        props,
      ),
  );
}

function publish(v: ProtocolVersion, side: Side, r: Restrictions): fc.Arbitrary<Packet> {
  const props = properties({
    payloadFormatIndicator: fc.boolean(),
    messageExpiryInterval: u32,
    topicAlias: fc.integer({ min: 1, max: 0xffff }),
    responseTopic: topicName,
    correlationData: binary(),
    userProperties: userProperties(r),
    // Only a server sends Subscription Identifiers [MQTT-3.3.4-6], one per matching subscription.
    subscriptionIdentifiers:
      side === 'client' ? fc.array(varint, { minLength: 1, maxLength: 3 }) : fc.constant(undefined),
    contentType: mqttString(),
  }).map((p) => (p !== undefined && Object.values(p).every((x) => x === undefined) ? undefined : p));
  return record({
    topic:
      v === 5
        ? fc.oneof({ weight: 5, arbitrary: topicName }, { weight: 1, arbitrary: fc.constant('') })
        : topicName,
    payload: fc.oneof({ weight: 4, arbitrary: binary(64) }, { weight: 1, arbitrary: binary(3000) }),
    qos,
    retain: fc.boolean(),
    dup: fc.boolean(),
    packetId,
    properties: v === 5 ? props : fc.constant(undefined),
  }).map((f) => {
    let properties: Record<string, unknown> | undefined;
    if (f.properties !== undefined) {
      properties = {};
      for (const [k, x] of Object.entries(f.properties)) put(properties, k, x);
    }
    // An empty topic stands for a Topic Alias, which must then be present.
    if (f.topic === '') properties = { ...properties, topicAlias: properties?.topicAlias ?? 1 };
    const packet = {
      type: 'publish',
      topic: f.topic,
      payload: f.payload,
      qos: f.qos,
      retain: f.retain,
      dup: f.qos > 0 && f.dup,
    } as Packet;
    if (f.qos > 0) put(packet, 'packetId', f.packetId);
    return put(packet, 'properties', properties);
  });
}

function pubAck(
  type: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp',
  v: ProtocolVersion,
  r: Restrictions,
): fc.Arbitrary<Packet> {
  if (v !== 5) return packetId.map((id) => ({ type, packetId: id }) as Packet);
  const codes = type === 'puback' || type === 'pubrec' ? PUBACK_REASON_CODES : PUBREL_REASON_CODES;
  const props = properties({ reasonString: reasonString(), userProperties: userProperties(r) });
  return record({ id: packetId, code: fc.constantFrom(...codes), props }).map(({ id, code, props }) =>
    put({ type, packetId: id, reasonCode: code } as Packet, 'properties', props),
  );
}

function subscribe(v: ProtocolVersion, r: Restrictions): fc.Arbitrary<Packet> {
  const subscription: fc.Arbitrary<Subscription> =
    v === 5
      ? record({
          topicFilter: fc.oneof(topicFilter, fc.constant('$share/g/a/#')),
          qos,
          noLocal: fc.boolean(),
          retainAsPublished: fc.boolean(),
          retainHandling: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
        })
          // No Local on a Shared Subscription is a Protocol Error [MQTT-3.8.3-4].
          .map((s) => ({ ...s, noLocal: s.noLocal && !s.topicFilter.startsWith('$share/') }))
      : record({ topicFilter, qos });
  const props = properties({ subscriptionIdentifier: varint, userProperties: userProperties(r) });
  return record({
    id: packetId,
    subs: fc.array(subscription, { minLength: 1, maxLength: 4 }),
    props: v === 5 ? props : fc.constant(undefined),
  }).map(({ id, subs, props }) =>
    put({ type: 'subscribe', packetId: id, subscriptions: subs } as Packet, 'properties', props),
  );
}

function suback(v: ProtocolVersion, r: Restrictions): fc.Arbitrary<Packet> {
  const code = v === 5 ? fc.constantFrom(...SUBACK_REASON_CODES) : fc.constantFrom(0, 1, 2, 0x80);
  const props = properties({ reasonString: reasonString(), userProperties: userProperties(r) });
  return record({
    id: packetId,
    codes: fc.array(code, { minLength: 1, maxLength: 5 }),
    props: v === 5 ? props : fc.constant(undefined),
  }).map(({ id, codes, props }) =>
    put({ type: 'suback', packetId: id, reasonCodes: codes } as Packet, 'properties', props),
  );
}

function unsubscribe(v: ProtocolVersion, r: Restrictions): fc.Arbitrary<Packet> {
  const props = properties({ userProperties: userProperties(r) });
  return record({
    id: packetId,
    filters: fc.array(topicFilter, { minLength: 1, maxLength: 4 }),
    props: v === 5 ? props : fc.constant(undefined),
  }).map(({ id, filters, props }) =>
    put({ type: 'unsubscribe', packetId: id, topicFilters: filters } as Packet, 'properties', props),
  );
}

function unsuback(v: ProtocolVersion, r: Restrictions): fc.Arbitrary<Packet> {
  if (v !== 5) return packetId.map((id) => ({ type: 'unsuback', packetId: id }) as Packet);
  const props = properties({ reasonString: reasonString(), userProperties: userProperties(r) });
  return record({
    id: packetId,
    codes: fc.array(fc.constantFrom(...UNSUBACK_REASON_CODES), { minLength: 1, maxLength: 5 }),
    props,
  }).map(({ id, codes, props }) =>
    put({ type: 'unsuback', packetId: id, reasonCodes: codes } as Packet, 'properties', props),
  );
}

function disconnect(v: ProtocolVersion, side: Side, r: Restrictions): fc.Arbitrary<Packet> {
  if (v !== 5) return fc.constant({ type: 'disconnect' } as Packet);
  const props = properties({
    // The server never sends Session Expiry Interval [MQTT-3.14.2-2].
    sessionExpiryInterval: side === 'server' ? u32 : fc.constant(undefined),
    reasonString: reasonString(),
    serverReference: mqttString(),
    userProperties: userProperties(r),
  }).map((p) => (p !== undefined && Object.values(p).every((x) => x === undefined) ? undefined : p));
  return record({ code: fc.constantFrom(...DISCONNECT_REASON_CODES), props }).map(({ code, props }) => {
    let clean: Record<string, unknown> | undefined;
    if (props !== undefined) {
      clean = {};
      for (const [k, x] of Object.entries(props)) put(clean, k, x);
    }
    return put({ type: 'disconnect', reasonCode: code } as Packet, 'properties', clean);
  });
}

function auth(r: Restrictions): fc.Arbitrary<Packet> {
  const props = properties({
    authenticationMethod: mqttString(),
    authenticationData: binary(),
    reasonString: reasonString(),
    userProperties: userProperties(r),
  });
  return record({ code: fc.constantFrom(...AUTH_REASON_CODES), props })
    .filter(({ code, props }) => !(r.noEmptyAuth && code === 0 && props === undefined))
    .map(({ code, props }) => put({ type: 'auth', reasonCode: code } as Packet, 'properties', props));
}

/** A valid packet of version `v` that `side` can receive. */
export function packetFor(v: ProtocolVersion, side: Side, r: Restrictions = {}): fc.Arbitrary<Packet> {
  const both = [
    publish(v, side, r),
    pubAck('puback', v, r),
    pubAck('pubrec', v, r),
    pubAck('pubrel', v, r),
    pubAck('pubcomp', v, r),
  ];
  if (side === 'server') {
    const toServer = [
      connect(v, r),
      subscribe(v, r),
      unsubscribe(v, r),
      fc.constant({ type: 'pingreq' } as Packet),
      disconnect(v, side, r),
    ];
    return fc.oneof(...both, ...toServer, ...(v === 5 ? [auth(r)] : []));
  }
  const toClient = [connack(v, r), suback(v, r), unsuback(v, r), fc.constant({ type: 'pingresp' } as Packet)];
  return fc.oneof(...both, ...toClient, ...(v === 5 ? [disconnect(v, side, r), auth(r)] : []));
}

/** A version, a receiving side and some packets for it. */
export const stream = record({
  version: fc.constantFrom(...VERSIONS),
  side: fc.constantFrom<Side>('server', 'client'),
}).chain(({ version, side }) =>
  record({
    version: fc.constant(version),
    side: fc.constant(side),
    packets: fc.array(packetFor(version, side), { minLength: 1, maxLength: 12 }),
  }),
);

/** Cut points splitting `length` bytes into chunks. */
export function chunking(length: number): fc.Arbitrary<number[]> {
  return fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: Math.min(40, length) })
    .map((cuts) => cuts.sort((a, b) => a - b));
}

/** Splits `bytes` at sorted cut points. */
export function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const cut of cuts) {
    if (cut <= at || cut >= bytes.length) continue;
    parts.push(bytes.subarray(at, cut));
    at = cut;
  }
  parts.push(bytes.subarray(at));
  return parts;
}
