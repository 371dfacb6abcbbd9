import type { Packet, ProtocolVersion } from '@mqttkit/types';

/**
 * The workloads of the benchmark, in our packet shape; `toTheirs` maps them to mqtt-packet's. The
 * topic has 25 characters, a typical size (the TextDecoder path starts above 32 bytes).
 */

export const TOPIC = 'sensors/b7/f3/temperature';
/** The Content Type of the 5.0 PUBLISH. */
export const CONTENT_TYPE = 'application/json';
const V5_PROPERTIES = { messageExpiryInterval: 3600, contentType: CONTENT_TYPE };

/** A QoS 1 PUBLISH with a `size`-byte payload; in 5.0 with two typical properties. */
export function publish(size: number, version: ProtocolVersion, packetId = 42): Packet {
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i++) payload[i] = (i * 31) & 0xff;
  const packet: Packet = {
    type: 'publish',
    topic: TOPIC,
    payload,
    qos: 1,
    retain: false,
    dup: false,
    packetId,
  };
  if (version === 5) packet.properties = V5_PROPERTIES;
  return packet;
}

/** The 20 packets of a short session, split by direction: what the server reads and what the client reads. */
export function session(version: ProtocolVersion): { toServer: Packet[]; toClient: Packet[] } {
  const v5 = version === 5;
  const ack = (type: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp', packetId: number): Packet =>
    v5 ? { type, packetId, reasonCode: 0 } : { type, packetId };
  const small = (qos: 0 | 1 | 2, packetId: number): Packet => {
    const p: Packet = {
      type: 'publish',
      topic: TOPIC,
      payload: new Uint8Array(32).fill(1),
      qos,
      retain: false,
      dup: false,
    };
    if (qos > 0) p.packetId = packetId;
    if (v5) p.properties = V5_PROPERTIES;
    return p;
  };
  const sub: Packet = {
    type: 'subscribe',
    packetId: 1,
    subscriptions: [
      v5
        ? {
            topicFilter: 'sensors/+/+/temperature',
            qos: 1,
            noLocal: false,
            retainAsPublished: false,
            retainHandling: 0,
          }
        : { topicFilter: 'sensors/+/+/temperature', qos: 1 },
    ],
  };
  const toServer: Packet[] = [
    { type: 'connect', protocolVersion: version, clean: true, keepAlive: 60, clientId: 'bench-client-0001' },
    sub,
    small(0, 0),
    small(0, 0),
    small(1, 2),
    small(2, 3),
    ack('pubrel', 3),
    ack('puback', 10),
    { type: 'unsubscribe', packetId: 4, topicFilters: ['sensors/+/+/temperature'] },
    { type: 'pingreq' },
    // With a Reason String: mqtt-packet reads a 5.0 DISCONNECT's reason code and Property Length from
    // whatever follows in its buffer when the packet omits them (Remaining Length 0 or 1), which
    // breaks its parsing of a stream; the long form keeps the comparison running.
    v5 ? { type: 'disconnect', reasonCode: 0, properties: { reasonString: 'bye' } } : { type: 'disconnect' },
  ];
  const toClient: Packet[] = [
    v5
      ? { type: 'connack', sessionPresent: false, reasonCode: 0 }
      : { type: 'connack', sessionPresent: false, reasonCode: 0 },
    { type: 'suback', packetId: 1, reasonCodes: [1] },
    ack('puback', 2),
    ack('pubrec', 3),
    ack('pubcomp', 3),
    small(1, 10),
    small(0, 0),
    v5 ? { type: 'unsuback', packetId: 4, reasonCodes: [0] } : { type: 'unsuback', packetId: 4 },
    { type: 'pingresp' },
  ];
  return { toServer, toClient };
}

type Loose = Record<string, unknown>;

/** The same packet in mqtt-packet's shape (`cmd`, `messageId`, Buffers). */
export function toTheirs(p: Packet): Loose {
  const out: Loose = { ...p, cmd: p.type };
  delete out.type;
  if ('packetId' in p) {
    out.messageId = p.packetId;
    delete out.packetId;
  }
  switch (p.type) {
    case 'publish':
      out.payload = Buffer.from(p.payload);
      break;
    case 'connect':
      out.keepalive = p.keepAlive;
      out.protocolId = p.protocolVersion === 3 ? 'MQIsdp' : 'MQTT';
      delete out.keepAlive;
      break;
    case 'connack':
      out.returnCode = p.reasonCode;
      break;
    case 'subscribe':
      out.subscriptions = p.subscriptions.map((s) => ({ topic: s.topicFilter, qos: s.qos }));
      break;
    case 'suback':
      out.granted = p.reasonCodes;
      break;
    case 'unsubscribe':
      out.unsubscriptions = p.topicFilters;
      break;
    case 'unsuback':
      out.granted = p.reasonCodes ?? [];
      break;
  }
  return out;
}

/** Concatenates `frames` repeated until at least `minBytes`, cut into socket-sized chunks. */
export function socketChunks(
  frames: Uint8Array[],
  minBytes: number,
  chunkSize = 65_536,
): { chunks: Buffer[]; packets: number } {
  const one = frames.reduce((n, f) => n + f.length, 0);
  const repeats = Math.max(1, Math.ceil(minBytes / one));
  const stream = Buffer.allocUnsafe(one * repeats);
  let at = 0;
  for (let r = 0; r < repeats; r++) {
    for (const f of frames) {
      stream.set(f, at);
      at += f.length;
    }
  }
  const chunks: Buffer[] = [];
  for (let i = 0; i < stream.length; i += chunkSize)
    chunks.push(stream.subarray(i, Math.min(stream.length, i + chunkSize)));
  return { chunks, packets: frames.length * repeats };
}
