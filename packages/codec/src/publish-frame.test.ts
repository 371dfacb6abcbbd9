import { MqttError, type PublishPacket } from '@mqttkit/types';
import { describe, expect, it } from 'vitest';
import { Decoder } from './decoder.js';
import { encode } from './encode.js';
import { setPublishDup, setPublishPacketId } from './publish-frame.js';

function decode(frame: Uint8Array, version: 4 | 5): PublishPacket {
  const d = new Decoder({ side: 'client', protocolVersion: version });
  d.push(frame);
  return d.next() as PublishPacket;
}

const message = (qos: 0 | 1 | 2, payloadLength: number): PublishPacket => ({
  type: 'publish',
  topic: 'caf\u00e9/t',
  payload: new Uint8Array(payloadLength).fill(3),
  qos,
  retain: true,
  dup: false,
  ...(qos > 0 ? { packetId: 1 } : {}),
});

describe('setPublishPacketId', () => {
  it.each([
    [4, 10],
    [5, 10],
    [4, 300],
    [5, 20_000],
  ] as const)('patches the identifier in place (version %i, payload %i bytes)', (version, size) => {
    const source = {
      ...message(2, size),
      ...(version === 5 ? { properties: { contentType: 'x', topicAlias: 2 } } : {}),
    };
    const frame = encode(source, version);
    for (const id of [2, 0x1234, 65_535]) {
      setPublishPacketId(frame, id);
      expect(decode(frame, version)).toStrictEqual({ ...source, packetId: id });
    }
  });

  it('refuses QoS 0 frames, other packets and out-of-range identifiers', () => {
    expect(() => setPublishPacketId(encode(message(0, 1), 4), 5)).toThrow(TypeError);
    expect(() => setPublishPacketId(encode({ type: 'puback', packetId: 1 }, 4), 5)).toThrow(TypeError);
    expect(() => setPublishPacketId(encode(message(1, 1), 4), 0)).toThrow(TypeError);
    expect(() => setPublishPacketId(encode(message(1, 1), 4), 65_536)).toThrow(TypeError);
    expect(() => setPublishPacketId(Uint8Array.of(0x32, 0x05, 0x00), 5)).toThrow(TypeError);
  });
});

describe('setPublishDup', () => {
  it('sets and clears DUP in place', () => {
    const frame = encode(message(1, 4), 4);
    setPublishDup(frame, true);
    expect(decode(frame, 4).dup).toBe(true);
    setPublishDup(frame, false);
    expect(decode(frame, 4)).toStrictEqual(message(1, 4));
  });

  it('[MQTT-3.3.1-2] refuses DUP on a QoS 0 frame', () => {
    const frame = encode(message(0, 4), 4);
    let error: unknown;
    try {
      setPublishDup(frame, true);
    } catch (e) {
      error = e;
    }
    expect(MqttError.isInstance(error) && error.specRef).toBe('MQTT-3.3.1-2');
    expect(() => setPublishDup(frame, false)).not.toThrow();
    expect(() => setPublishDup(Uint8Array.of(0xc0, 0x00), true)).toThrow(TypeError);
  });
});
