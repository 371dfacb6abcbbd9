import { Decoder } from '@mqttkit/codec';
import type { Packet, ProtocolVersion, QoS } from '@mqttkit/types';
import { describe, expect, it } from 'vitest';
import {
  AckType,
  connectFrame,
  DISCONNECT,
  PINGREQ,
  publishTemplate,
  subscribeFrame,
  writeAck,
} from './packets.js';
import { readStamp, STAMP_BYTES, writeStamp } from './payload-stamp.js';

function decode(bytes: Uint8Array, version: ProtocolVersion, side: 'server' | 'client' = 'server'): Packet {
  const decoder = new Decoder({ side, protocolVersion: version });
  decoder.push(bytes);
  const packet = decoder.next();
  if (packet === undefined || packet instanceof Error) throw packet ?? new Error('incomplete');
  expect(decoder.bufferedBytes).toBe(0);
  return packet;
}

describe('pre-encoded bench packets', () => {
  it('CONNECT and SUBSCRIBE decode as what was asked', () => {
    const connect = decode(
      connectFrame({ clientId: 'b-1', protocolVersion: 5, keepAlive: 30, username: 'u', password: 'p' }),
      5,
    );
    expect(connect).toMatchObject({
      type: 'connect',
      protocolVersion: 5,
      clientId: 'b-1',
      keepAlive: 30,
      clean: true,
      username: 'u',
    });
    expect(decode(subscribeFrame('t/#', 2, 4), 4)).toMatchObject({
      type: 'subscribe',
      packetId: 1,
      subscriptions: [{ topicFilter: 't/#', qos: 2 }],
    });
  });

  for (const version of [3, 4, 5] as const) {
    for (const qos of [0, 1, 2] as const) {
      for (const size of [0, STAMP_BYTES, 300]) {
        it(`a patched PUBLISH template decodes (v${version}, QoS ${qos}, ${size} bytes)`, () => {
          const topic = size === 300 ? 't'.repeat(200) : 'bench/ü/1';
          const template = publishTemplate(topic, size, qos as QoS, true, version);
          const frame = Buffer.from(template.frame);
          if (qos > 0) frame.writeUInt16BE(0xbeef, template.packetIdOffset);
          if (size >= STAMP_BYTES) writeStamp(frame, template.payloadOffset, 1234.5);
          const packet = decode(frame, version);
          expect(packet).toMatchObject({ type: 'publish', topic, qos, retain: true, dup: false });
          if (packet.type !== 'publish') throw new Error('not a publish');
          expect(packet.packetId).toBe(qos > 0 ? 0xbeef : undefined);
          expect(packet.payload.byteLength).toBe(size);
          if (size >= STAMP_BYTES)
            expect(readStamp(frame, template.payloadOffset, frame.length)).toBe(1234.5);
        });
      }
    }
  }

  it('acknowledgements, PINGREQ and DISCONNECT are valid packets', () => {
    const ack = Buffer.alloc(4);
    for (const [type, name] of [
      [AckType.puback, 'puback'],
      [AckType.pubrec, 'pubrec'],
      [AckType.pubcomp, 'pubcomp'],
    ] as const) {
      writeAck(ack, 0, type, 513);
      expect(decode(ack, 4, 'client')).toMatchObject({ type: name, packetId: 513 });
      expect(decode(ack, 5, 'client')).toMatchObject({ type: name, packetId: 513, reasonCode: 0 });
    }
    writeAck(ack, 0, AckType.pubrel, 7);
    expect(decode(ack, 4)).toMatchObject({ type: 'pubrel', packetId: 7 });
    expect(decode(PINGREQ, 4)).toEqual({ type: 'pingreq' });
    expect(decode(DISCONNECT, 5)).toMatchObject({ type: 'disconnect' });
  });

  it('a payload without the magic carries no stamp', () => {
    expect(readStamp(Buffer.alloc(20), 0, 20)).toBeUndefined();
    expect(readStamp(Buffer.alloc(8), 0, 8)).toBeUndefined();
  });
});
