/**
 * The received message as the output formatters see it, and small helpers they share.
 */
import { isUtf8 } from 'node:buffer';
import type { PublishProperties, QoS } from '@mqttkit/types';
import type { PreciseTime } from './strftime.js';

/** A received message plus the time it arrived. */
export interface MessageView {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly dup?: boolean;
  readonly packetId?: number;
  readonly properties?: PublishProperties;
  /** Arrival time, epoch milliseconds with microsecond precision. */
  readonly receivedAt: PreciseTime;
}

/** The current time with sub-millisecond precision (epoch milliseconds). */
export function preciseNow(): PreciseTime {
  return performance.timeOrigin + performance.now();
}

/** Bytes as text when they are valid UTF-8, else base64, with which one it is. */
export function textOrBase64(bytes: Uint8Array): { text: string; encoding: 'utf8' | 'base64' } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isUtf8(buffer)
    ? { text: buffer.toString('utf8'), encoding: 'utf8' }
    : { text: buffer.toString('base64'), encoding: 'base64' };
}

/** A Buffer view of `bytes` without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
