import { malformed } from './errors.js';
import { readVarint, varintLength } from './varint.js';

/**
 * In-place edits of an encoded PUBLISH frame, for design decision 4: the broker encodes a message once
 * per wire shape and patches only the Packet Identifier (and DUP on a resend) per subscriber.
 */

/** Returns the offset of a QoS > 0 PUBLISH frame's Packet Identifier, or throws TypeError. */
function packetIdOffset(frame: Uint8Array): number {
  checkPublishFrame(frame);
  if (((frame[0]! >>> 1) & 3) === 0) throw new TypeError('a QoS 0 PUBLISH has no Packet Identifier to set');
  const remainingLength = readVarint(frame, 1, frame.length);
  if (remainingLength < 0) throw new TypeError('PUBLISH frame has an invalid Remaining Length');
  const topicAt = 1 + varintLength;
  if (topicAt + 2 > frame.length) throw new TypeError('PUBLISH frame is truncated');
  const offset = topicAt + 2 + ((frame[topicAt]! << 8) | frame[topicAt + 1]!);
  if (offset + 2 > frame.length || offset + 2 > topicAt + remainingLength)
    throw new TypeError('PUBLISH frame is truncated');
  return offset;
}

function checkPublishFrame(frame: Uint8Array): void {
  if (!(frame instanceof Uint8Array) || frame.length < 2 || frame[0]! >>> 4 !== 3) {
    throw new TypeError('not an encoded PUBLISH frame');
  }
}

/** Writes `packetId` (1..65535) into an encoded QoS 1 or QoS 2 PUBLISH frame, in place. */
export function setPublishPacketId(frame: Uint8Array, packetId: number): void {
  if (!Number.isInteger(packetId) || packetId < 1 || packetId > 0xffff) {
    throw new TypeError(`packetId must be an integer from 1 to 65535, got ${String(packetId)}`);
  }
  const offset = packetIdOffset(frame);
  frame[offset] = packetId >>> 8;
  frame[offset + 1] = packetId & 0xff;
}

/** Sets or clears the DUP flag of an encoded PUBLISH frame, in place (QoS 0 frames cannot set it). */
export function setPublishDup(frame: Uint8Array, dup: boolean): void {
  checkPublishFrame(frame);
  const first = frame[0]!;
  if (dup && ((first >>> 1) & 3) === 0) malformed('PUBLISH at QoS 0 cannot set DUP', 'MQTT-3.3.1-2');
  frame[0] = dup ? first | 0x08 : first & ~0x08;
}
