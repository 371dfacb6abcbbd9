import type { Packet, ProtocolVersion, UserProperty } from '@mqttkit/types';
import * as mqttPacket from 'mqtt-packet';

/**
 * A mapping layer between mqtt-packet's object shape (`cmd`, `messageId`, `keepalive`, user
 * properties as an object, Buffers) and ours, for the oracle tests. It converts, it never validates:
 * each side's own checks decide what is valid.
 */

type Loose = Record<string, unknown>;

const toBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
/** A plain Uint8Array copy, since toStrictEqual tells Buffer and Uint8Array apart. */
const toBytes = (value: unknown) => new Uint8Array(value as Uint8Array);

function put(target: Loose, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/** Our properties → mqtt-packet's: user properties as an object, one Subscription Identifier key. */
function propertiesToTheirs(properties: object | undefined): Loose | undefined {
  if (properties === undefined) return undefined;
  const out: Loose = {};
  for (const [key, value] of Object.entries(properties)) {
    if (key === 'userProperties') {
      const map: Record<string, string | string[]> = {};
      for (const [name, v] of value as UserProperty[]) {
        const existing = map[name];
        map[name] = existing === undefined ? v : [...(Array.isArray(existing) ? existing : [existing]), v];
      }
      out.userProperties = map;
    } else if (key === 'subscriptionIdentifiers') {
      out.subscriptionIdentifier = value;
    } else {
      out[key] = value instanceof Uint8Array ? toBuffer(value) : value;
    }
  }
  return out;
}

/** mqtt-packet's properties → ours. */
function propertiesFromTheirs(properties: unknown, isPublish: boolean): Loose | undefined {
  if (properties === undefined || properties === null) return undefined;
  const out: Loose = {};
  for (const [key, value] of Object.entries(properties as Loose)) {
    if (key === 'userProperties') {
      const pairs: UserProperty[] = [];
      for (const [name, v] of Object.entries(value as Record<string, string | string[]>)) {
        for (const one of Array.isArray(v) ? v : [v]) pairs.push([name, one]);
      }
      out.userProperties = pairs;
    } else if (key === 'subscriptionIdentifier' && isPublish) {
      out.subscriptionIdentifiers = Array.isArray(value) ? value : [value];
    } else {
      out[key] = Buffer.isBuffer(value) ? toBytes(value) : value;
    }
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Our packet as mqtt-packet's `generate` expects it. */
export function toMqttPacket(p: Packet, version: ProtocolVersion): mqttPacket.Packet {
  const v5 = version === 5;
  const out: Loose = { cmd: p.type };
  switch (p.type) {
    case 'connect':
      Object.assign(out, {
        protocolId: version === 3 ? 'MQIsdp' : 'MQTT',
        protocolVersion: version,
        clean: p.clean,
        keepalive: p.keepAlive,
        clientId: p.clientId,
      });
      if (p.will !== undefined) {
        const will: Loose = {
          topic: p.will.topic,
          payload: toBuffer(p.will.payload),
          qos: p.will.qos,
          retain: p.will.retain,
        };
        put(will, 'properties', propertiesToTheirs(p.will.properties));
        out.will = will;
      }
      put(out, 'username', p.username);
      put(out, 'password', p.password === undefined ? undefined : toBuffer(p.password));
      break;
    case 'connack':
      out.sessionPresent = p.sessionPresent;
      out[v5 ? 'reasonCode' : 'returnCode'] = p.reasonCode;
      break;
    case 'publish':
      Object.assign(out, {
        topic: p.topic,
        payload: toBuffer(p.payload),
        qos: p.qos,
        retain: p.retain,
        dup: p.dup,
      });
      put(out, 'messageId', p.packetId);
      break;
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      out.messageId = p.packetId;
      if (v5) out.reasonCode = p.reasonCode ?? 0;
      break;
    case 'subscribe':
      out.messageId = p.packetId;
      out.subscriptions = p.subscriptions.map((s) =>
        v5
          ? {
              topic: s.topicFilter,
              qos: s.qos,
              nl: s.noLocal ?? false,
              rap: s.retainAsPublished ?? false,
              rh: s.retainHandling ?? 0,
            }
          : { topic: s.topicFilter, qos: s.qos },
      );
      break;
    case 'suback':
      out.messageId = p.packetId;
      out.granted = [...p.reasonCodes];
      break;
    case 'unsubscribe':
      out.messageId = p.packetId;
      out.unsubscriptions = [...p.topicFilters];
      break;
    case 'unsuback':
      out.messageId = p.packetId;
      if (v5) out.granted = [...(p.reasonCodes ?? [])];
      break;
    case 'disconnect':
    case 'auth':
      if (v5) out.reasonCode = p.reasonCode ?? 0;
      break;
  }
  if (v5 && 'properties' in p) put(out, 'properties', propertiesToTheirs(p.properties));
  return out as unknown as mqttPacket.Packet;
}

/** A packet parsed by mqtt-packet, in the shape our decoder returns. */
export function fromMqttPacket(t: mqttPacket.Packet, version: ProtocolVersion): Packet {
  const v5 = version === 5;
  const x = t as unknown as Loose;
  const out: Loose = { type: x.cmd };
  switch (x.cmd) {
    case 'connect': {
      Object.assign(out, {
        protocolVersion: x.protocolVersion,
        clean: x.clean,
        keepAlive: x.keepalive,
        clientId: x.clientId,
      });
      const w = x.will as Loose | undefined;
      if (w !== undefined) {
        const will: Loose = { topic: w.topic, payload: toBytes(w.payload), qos: w.qos, retain: w.retain };
        put(will, 'properties', propertiesFromTheirs(w.properties, false));
        out.will = will;
      }
      put(out, 'username', x.username);
      put(out, 'password', x.password === undefined ? undefined : toBytes(x.password));
      break;
    }
    case 'connack':
      out.sessionPresent = x.sessionPresent;
      out.reasonCode = v5 ? x.reasonCode : x.returnCode;
      break;
    case 'publish':
      Object.assign(out, {
        topic: x.topic,
        payload: toBytes(x.payload),
        qos: x.qos,
        retain: x.retain,
        dup: x.dup,
      });
      if ((x.qos as number) > 0) out.packetId = x.messageId;
      break;
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      out.packetId = x.messageId;
      if (v5) out.reasonCode = x.reasonCode ?? 0;
      break;
    case 'subscribe':
      out.packetId = x.messageId;
      out.subscriptions = (x.subscriptions as Loose[]).map((s) =>
        v5
          ? {
              topicFilter: s.topic,
              qos: s.qos,
              noLocal: s.nl,
              retainAsPublished: s.rap,
              retainHandling: s.rh,
            }
          : { topicFilter: s.topic, qos: s.qos },
      );
      break;
    case 'suback':
      out.packetId = x.messageId;
      out.reasonCodes = x.granted;
      break;
    case 'unsubscribe':
      out.packetId = x.messageId;
      out.topicFilters = x.unsubscriptions;
      break;
    case 'unsuback':
      out.packetId = x.messageId;
      if (v5) out.reasonCodes = x.granted;
      break;
    case 'disconnect':
    case 'auth':
      if (v5) out.reasonCode = x.reasonCode ?? 0;
      break;
  }
  if (v5) put(out, 'properties', propertiesFromTheirs(x.properties, x.cmd === 'publish'));
  return out as unknown as Packet;
}

/** Parses one frame with a fresh mqtt-packet parser; throws what it reports. */
export function parseWithMqttPacket(frame: Uint8Array, version: ProtocolVersion): mqttPacket.Packet[] {
  const parser = mqttPacket.parser({ protocolVersion: version });
  const packets: mqttPacket.Packet[] = [];
  let failure: unknown;
  parser.on('packet', (p) => packets.push(p));
  parser.on('error', (e) => {
    failure = e;
  });
  parser.parse(toBuffer(frame));
  if (failure !== undefined) throw failure;
  return packets;
}

/** Encodes with mqtt-packet's `generate`. */
export function generateWithMqttPacket(packet: Packet, version: ProtocolVersion): Uint8Array {
  return mqttPacket.generate(toMqttPacket(packet, version), { protocolVersion: version });
}
