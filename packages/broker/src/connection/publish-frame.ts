import { encode, setPublishPacketId } from '@mqttkit/codec';
import type { ProtocolVersion, PublishPacket, PublishProperties, QoS } from '@mqttkit/types';
import { type Message, remainingExpiry } from '../router/message.js';

/** Per-subscriber parts of a PUBLISH that prevent sharing one encoded frame. */
export interface PublishExtras {
  subscriptionIdentifiers: readonly number[] | undefined;
  /** Topic alias to send, and whether the topic goes out too (false once the client knows the alias). */
  topicAlias: number | undefined;
  sendTopic: boolean;
}

// 3.1 and 3.1.1 PUBLISH frames are identical on the wire; 5.0 adds properties.
const SLOTS_PER_VERSION = 6;

/**
 * The PUBLISH frame for one delivery. Frames without per-subscriber parts are encoded once per wire
 * shape (protocol family, QoS, RETAIN) and cached on the message (design decision 4): QoS 0 deliveries
 * share the very same bytes, QoS 1/2 ones copy them and patch the packet id. The returned frame is
 * never mutated afterwards, so it may sit in several sockets' write queues at once.
 */
export function publishFrame(
  message: Message,
  version: ProtocolVersion,
  qos: QoS,
  retain: boolean,
  packetId: number,
  dup: boolean,
  extras: PublishExtras | undefined,
  now: number,
): Uint8Array {
  const isV5 = version === 5;
  if (message.cacheFrames && !dup && extras === undefined && !(isV5 && message.expiresAt !== undefined)) {
    const slot = (isV5 ? SLOTS_PER_VERSION : 0) + qos * 2 + (retain ? 1 : 0);
    let frames = message.frames;
    if (frames === undefined) {
      frames = new Array<Uint8Array | undefined>(SLOTS_PER_VERSION * 2);
      message.frames = frames;
    }
    let frame = frames[slot];
    if (frame === undefined) {
      frame = encode(buildPacket(message, version, qos, retain, 1, false, undefined, now), version);
      frames[slot] = frame;
    }
    if (qos === 0) return frame;
    const copy = frame.slice();
    setPublishPacketId(copy, packetId);
    return copy;
  }
  return encode(buildPacket(message, version, qos, retain, packetId, dup, extras, now), version);
}

function buildPacket(
  message: Message,
  version: ProtocolVersion,
  qos: QoS,
  retain: boolean,
  packetId: number,
  dup: boolean,
  extras: PublishExtras | undefined,
  now: number,
): PublishPacket {
  const packet: PublishPacket = {
    type: 'publish',
    topic: extras === undefined || extras.sendTopic ? message.topic : '',
    payload: message.payload,
    qos,
    retain,
    dup,
  };
  if (qos > 0) packet.packetId = packetId;
  if (version === 5) {
    const properties = forwardedProperties(message, extras, now);
    if (properties !== undefined) packet.properties = properties;
  }
  return packet;
}

/** The v5 properties of one forwarded copy: the publisher's, plus expiry left, ids and alias. */
function forwardedProperties(
  message: Message,
  extras: PublishExtras | undefined,
  now: number,
): PublishProperties | undefined {
  const expiry = remainingExpiry(message, now);
  const subIds = extras?.subscriptionIdentifiers;
  const alias = extras?.topicAlias;
  if (expiry === undefined && subIds === undefined && alias === undefined) return message.properties;
  const properties: PublishProperties = { ...message.properties };
  // The forwarded expiry is what is left of the publisher's interval [MQTT-3.3.2-6].
  if (expiry !== undefined) properties.messageExpiryInterval = expiry;
  if (subIds !== undefined && subIds.length > 0) properties.subscriptionIdentifiers = subIds;
  if (alias !== undefined) properties.topicAlias = alias;
  return properties;
}
