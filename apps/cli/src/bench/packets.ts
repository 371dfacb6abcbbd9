/**
 * Packets the bench sends, encoded once with `@mqttkit/codec` and patched in place afterwards (packet
 * identifiers, timestamps), so the hot path is a memory copy, never an encode.
 */
import { encode } from '@mqttkit/codec';
import type { ProtocolVersion, QoS } from '@mqttkit/types';

/** What CONNECT carries. */
export interface ConnectFields {
  readonly clientId: string;
  readonly protocolVersion: ProtocolVersion;
  readonly keepAlive: number;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
}

/** An encoded CONNECT (clean session). */
export function connectFrame(fields: ConnectFields): Buffer {
  const frame = encode(
    {
      type: 'connect',
      protocolVersion: fields.protocolVersion,
      clean: true,
      keepAlive: fields.keepAlive,
      clientId: fields.clientId,
      ...(fields.username === undefined ? {} : { username: fields.username }),
      ...(fields.password === undefined ? {} : { password: new TextEncoder().encode(fields.password) }),
    },
    fields.protocolVersion,
  );
  return Buffer.from(frame);
}

/** An encoded SUBSCRIBE of one filter with packet id 1. */
export function subscribeFrame(topicFilter: string, qos: QoS, version: ProtocolVersion): Buffer {
  return Buffer.from(
    encode({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter, qos }] }, version),
  );
}

/** An encoded PUBLISH with where to patch it. */
export interface PublishTemplate {
  readonly frame: Buffer;
  /** Offset of the two packet-id bytes, or -1 at QoS 0. */
  readonly packetIdOffset: number;
  /** Offset of the payload. */
  readonly payloadOffset: number;
}

/** Encodes a PUBLISH of `payloadSize` zero bytes (patched per message). */
export function publishTemplate(
  topic: string,
  payloadSize: number,
  qos: QoS,
  retain: boolean,
  version: ProtocolVersion,
): PublishTemplate {
  const frame = Buffer.from(
    encode(
      {
        type: 'publish',
        topic,
        payload: new Uint8Array(payloadSize),
        qos,
        retain,
        dup: false,
        ...(qos > 0 ? { packetId: 1 } : {}),
      },
      version,
    ),
  );
  const payloadOffset = frame.length - payloadSize;
  // Fixed header (1 + Remaining Length bytes), then the topic's 2-byte length and bytes.
  let headerBytes = 2;
  while ((frame[headerBytes - 1]! & 0x80) !== 0) headerBytes++;
  const packetIdOffset = qos === 0 ? -1 : headerBytes + 2 + Buffer.byteLength(topic);
  return { frame, packetIdOffset, payloadOffset };
}

/** First bytes of the acknowledgement packets (their packet id follows in two bytes). */
export const AckType = {
  puback: 0x40,
  pubrec: 0x50,
  // PUBREL has fixed flags 0010 [MQTT-3.6.1-1].
  pubrel: 0x62,
  pubcomp: 0x70,
} as const;

/**
 * Writes a 4-byte acknowledgement (`AckType`) for `packetId` at `offset`: fixed header, Remaining
 * Length 2, packet id. Valid in 3.1.1 and, as the short form with reason code 0 omitted, in 5.0.
 */
export function writeAck(target: Buffer, offset: number, type: number, packetId: number): void {
  target[offset] = type;
  target[offset + 1] = 2;
  target[offset + 2] = packetId >>> 8;
  target[offset + 3] = packetId & 0xff;
}

/** PINGREQ. */
export const PINGREQ = Buffer.from([0xc0, 0x00]);
/** DISCONNECT (3.x; in 5.0 the short form means Normal disconnection). */
export const DISCONNECT = Buffer.from([0xe0, 0x00]);
