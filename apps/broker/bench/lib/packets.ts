/**
 * MQTT 3.1.1 packets for the load generator, built by hand once per connection or row so the hot
 * path only copies bytes. Every broker under test speaks 3.1.1, so all of them get the same bytes.
 */

/** Bytes of a Remaining Length varint. */
function varint(length: number): number[] {
  const out: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    out.push(byte);
  } while (length > 0);
  return out;
}

function utf8(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(2 + bytes.length);
  out.writeUInt16BE(bytes.length, 0);
  bytes.copy(out, 2);
  return out;
}

function frame(firstByte: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([firstByte, ...varint(body.length)]), body]);
}

/** CONNECT, protocol level 4, clean session. */
export function connectPacket(clientId: string, keepAliveSeconds: number): Buffer {
  const header = Buffer.from([
    0,
    4,
    0x4d,
    0x51,
    0x54,
    0x54,
    4,
    0x02,
    keepAliveSeconds >> 8,
    keepAliveSeconds & 0xff,
  ]);
  return frame(0x10, Buffer.concat([header, utf8(clientId)]));
}

/** SUBSCRIBE to one filter. */
export function subscribePacket(packetId: number, filter: string, qos: 0 | 1): Buffer {
  return frame(
    0x82,
    Buffer.concat([Buffer.from([packetId >> 8, packetId & 0xff]), utf8(filter), Buffer.from([qos])]),
  );
}

/** A PUBLISH template; for QoS 1 the packet id is 0 and must be patched at `packetIdOffset`. */
export interface PublishTemplate {
  bytes: Buffer;
  /** Offset of the 2-byte packet id (QoS 1), or -1. */
  packetIdOffset: number;
  /** Offset of the last 8 payload bytes, where a timestamp may be written. */
  timestampOffset: number;
}

export function publishTemplate(topic: string, qos: 0 | 1, payloadBytes: number): PublishTemplate {
  if (payloadBytes < 8) throw new RangeError('payload must hold an 8-byte timestamp');
  const topicBytes = utf8(topic);
  const idBytes = qos === 1 ? 2 : 0;
  const body = Buffer.alloc(topicBytes.length + idBytes + payloadBytes, 0x61);
  topicBytes.copy(body, 0);
  if (qos === 1) body.writeUInt16BE(0, topicBytes.length);
  const bytes = frame(qos === 1 ? 0x32 : 0x30, body);
  const headerBytes = bytes.length - body.length;
  return {
    bytes,
    packetIdOffset: qos === 1 ? headerBytes + topicBytes.length : -1,
    timestampOffset: bytes.length - 8,
  };
}

/** `count` copies of a QoS 0 PUBLISH back to back, written with one `write`. */
export function repeat(packet: Buffer, count: number): Buffer {
  const out = Buffer.allocUnsafe(packet.length * count);
  for (let i = 0; i < count; i++) packet.copy(out, i * packet.length);
  return out;
}

export const DISCONNECT = Buffer.from([0xe0, 0x00]);

export const PACKET = { CONNACK: 2, PUBLISH: 3, PUBACK: 4, SUBACK: 9 } as const;
