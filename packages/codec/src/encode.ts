import type { Packet, ProtocolVersion } from '@mqttkit/types';
import { encodeAuth, measureAuth } from './packets/auth.js';
import { encodeConnack, measureConnack } from './packets/connack.js';
import { encodeConnect, measureConnect } from './packets/connect.js';
import { encodeDisconnect, measureDisconnect } from './packets/disconnect.js';
import { encodePingreq, encodePingresp } from './packets/ping.js';
import { encodePubAck, measurePubAck } from './packets/pub-ack.js';
import { encodePublish, measurePublish } from './packets/publish.js';
import { encodeSuback, measureSuback } from './packets/suback.js';
import { encodeSubscribe, measureSubscribe } from './packets/subscribe.js';
import { encodeUnsuback, measureUnsuback } from './packets/unsuback.js';
import { encodeUnsubscribe, measureUnsubscribe } from './packets/unsubscribe.js';
import { varintSize } from './varint.js';

function checkVersion(version: unknown): asserts version is ProtocolVersion {
  if (version !== 3 && version !== 4 && version !== 5) {
    throw new TypeError(`protocol version must be 3, 4 or 5, got ${String(version)}`);
  }
}

function unknownType(packet: never): never {
  throw new TypeError(`unknown packet type ${String((packet as { type?: unknown }).type)}`);
}

/**
 * Encodes `packet` as one complete MQTT frame for protocol `version` (3 = 3.1, 4 = 3.1.1, 5 = 5.0).
 * Throws `MqttError` when the packet breaks a rule of that version and `TypeError` for a malformed
 * argument; never returns a frame the `Decoder` would reject.
 */
export function encode(packet: Packet, version: ProtocolVersion): Uint8Array {
  checkVersion(version);
  switch (packet.type) {
    case 'publish':
      return encodePublish(packet, version);
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return encodePubAck(packet, version);
    case 'connect':
      return encodeConnect(packet, version);
    case 'connack':
      return encodeConnack(packet, version);
    case 'subscribe':
      return encodeSubscribe(packet, version);
    case 'suback':
      return encodeSuback(packet, version);
    case 'unsubscribe':
      return encodeUnsubscribe(packet, version);
    case 'unsuback':
      return encodeUnsuback(packet, version);
    case 'pingreq':
      return encodePingreq();
    case 'pingresp':
      return encodePingresp();
    case 'disconnect':
      return encodeDisconnect(packet, version);
    case 'auth':
      return encodeAuth(packet, version);
    default:
      return unknownType(packet);
  }
}

/** The number of bytes `encode(packet, version)` returns, fixed header included (v5 "packet size"). */
export function encodedSize(packet: Packet, version: ProtocolVersion): number {
  checkVersion(version);
  let remainingLength: number;
  switch (packet.type) {
    case 'publish':
      remainingLength = measurePublish(packet, version);
      break;
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      remainingLength = measurePubAck(packet, version);
      break;
    case 'connect':
      remainingLength = measureConnect(packet, version);
      break;
    case 'connack':
      remainingLength = measureConnack(packet, version);
      break;
    case 'subscribe':
      remainingLength = measureSubscribe(packet, version);
      break;
    case 'suback':
      remainingLength = measureSuback(packet, version);
      break;
    case 'unsubscribe':
      remainingLength = measureUnsubscribe(packet, version);
      break;
    case 'unsuback':
      remainingLength = measureUnsuback(packet, version);
      break;
    case 'pingreq':
    case 'pingresp':
      remainingLength = 0;
      break;
    case 'disconnect':
      remainingLength = measureDisconnect(packet, version);
      break;
    case 'auth':
      remainingLength = measureAuth(packet, version);
      break;
    default:
      return unknownType(packet);
  }
  return 1 + varintSize(remainingLength) + remainingLength;
}
