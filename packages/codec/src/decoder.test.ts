import { MqttError, type Packet, type PublishPacket } from '@mqttkit/types';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAXIMUM_PACKET_SIZE, Decoder } from './decoder.js';
import { encode } from './encode.js';

const CONNECT_V5 = Uint8Array.of(
  0x10,
  0x0d,
  0x00,
  0x04,
  0x4d,
  0x51,
  0x54,
  0x54,
  0x05,
  0x02,
  0x00,
  0x3c,
  0x00,
  0x00,
  0x00,
);
const PINGREQ = Uint8Array.of(0xc0, 0x00);

function publish(payloadLength: number, packetId?: number): PublishPacket {
  const packet: PublishPacket = {
    type: 'publish',
    topic: 'a/b',
    payload: Uint8Array.from({ length: payloadLength }, (_, i) => i & 0xff),
    qos: packetId === undefined ? 0 : 1,
    retain: false,
    dup: false,
  };
  if (packetId !== undefined) packet.packetId = packetId;
  return packet;
}

function drain(decoder: Decoder): (Packet | MqttError)[] {
  const out: (Packet | MqttError)[] = [];
  for (let i = 0; i < 10_000; i++) {
    const next = decoder.next();
    if (next === undefined) return out;
    out.push(next);
    if (MqttError.isInstance(next)) return out;
  }
  throw new Error('decoder did not settle');
}

function concat(...frames: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

describe('Decoder options', () => {
  it('validates side, version and size', () => {
    expect(() => new Decoder({ side: 'both' as 'server' })).toThrow(TypeError);
    expect(() => new Decoder({ side: 'client' })).toThrow(TypeError);
    expect(() => new Decoder({ side: 'server', protocolVersion: 6 as 5 })).toThrow(TypeError);
    expect(() => new Decoder({ side: 'server', maximumPacketSize: 1 })).toThrow(TypeError);
    expect(() => new Decoder({ side: 'server', maximumPacketSize: 268_435_461 })).toThrow(TypeError);
    expect(() => new Decoder({ side: 'server', maximumPacketSize: 1.5 })).toThrow(TypeError);
    const d = new Decoder({ side: 'server' });
    expect(d.maximumPacketSize).toBe(DEFAULT_MAXIMUM_PACKET_SIZE);
    expect(DEFAULT_MAXIMUM_PACKET_SIZE).toBe(1_048_576);
    expect(() => d.setProtocolVersion(2 as 3)).toThrow(TypeError);
    expect(() => d.setMaximumPacketSize(0)).toThrow(TypeError);
    expect(() => d.push('x' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('Decoder', () => {
  it('returns undefined with nothing buffered', () => {
    const d = new Decoder({ side: 'client', protocolVersion: 4 });
    expect(d.next()).toBeUndefined();
    d.push(new Uint8Array(0));
    expect(d.next()).toBeUndefined();
    expect(d.bufferedBytes).toBe(0);
  });

  it('decodes many packets from one chunk, with payloads that are views into it', () => {
    const chunk = concat(encode(publish(5), 4), encode(publish(300, 7), 4), PINGREQ);
    const d = new Decoder({ side: 'server', protocolVersion: 4 });
    d.push(chunk);
    expect(d.bufferedBytes).toBe(chunk.length);
    const [a, b, c] = drain(d) as [PublishPacket, PublishPacket, Packet];
    expect(a).toStrictEqual(publish(5));
    expect(b).toStrictEqual(publish(300, 7));
    expect(c).toStrictEqual({ type: 'pingreq' });
    expect(a.payload.buffer).toBe(chunk.buffer);
    expect(b.payload.buffer).toBe(chunk.buffer);
    expect(d.bufferedBytes).toBe(0);
  });

  it('copies a frame that spans chunks, once, and keeps the rest of the chunk', () => {
    const frame = encode(publish(100, 1), 5);
    const d = new Decoder({ side: 'server', protocolVersion: 5 });
    const first = frame.slice(0, 50);
    const second = concat(frame.slice(50), PINGREQ);
    d.push(first);
    expect(d.next()).toBeUndefined();
    expect(d.bufferedBytes).toBe(50);
    d.push(second);
    const [p, ping] = drain(d) as [PublishPacket, Packet];
    expect(p).toStrictEqual({ ...publish(100, 1) });
    expect(p.payload.buffer).not.toBe(first.buffer);
    expect(p.payload.buffer).not.toBe(second.buffer);
    expect(ping).toStrictEqual({ type: 'pingreq' });
  });

  it('reads a Remaining Length split across chunks', () => {
    const frame = encode(publish(20_000), 4); // three-byte Remaining Length
    const d = new Decoder({ side: 'server', protocolVersion: 4 });
    d.push(frame.subarray(0, 2));
    expect(d.next()).toBeUndefined();
    d.push(frame.subarray(2, 3));
    expect(d.next()).toBeUndefined();
    d.push(frame.subarray(3));
    expect(drain(d)).toStrictEqual([publish(20_000)]);
  });

  it('handles thousands of tiny chunks and compacts its chunk list', () => {
    const frame = encode(publish(3000, 9), 4);
    const d = new Decoder({ side: 'client', protocolVersion: 4 });
    for (let i = 0; i < frame.length; i++) {
      d.push(frame.subarray(i, i + 1));
      if (i < frame.length - 1) expect(d.next()).toBeUndefined();
    }
    expect(drain(d)).toStrictEqual([publish(3000, 9)]);
    expect(d.bufferedBytes).toBe(0);
  });

  it('accepts Node Buffers and returns plain Uint8Array payload views over them', () => {
    const d = new Decoder({ side: 'server', protocolVersion: 4 });
    const chunk = Buffer.from(concat(encode(publish(4), 4), PINGREQ));
    d.push(chunk);
    const p = d.next() as PublishPacket;
    expect(p).toStrictEqual(publish(4));
    expect(Object.getPrototypeOf(p.payload)).toBe(Uint8Array.prototype);
    expect(p.payload.buffer).toBe(chunk.buffer);
    expect(d.next()).toStrictEqual({ type: 'pingreq' });
  });
});

describe('Decoder on a new server connection', () => {
  it('returns CONNECT without learning its version, then waits for setProtocolVersion', () => {
    const d = new Decoder({ side: 'server' });
    expect(d.protocolVersion).toBeUndefined();
    d.push(concat(CONNECT_V5, PINGREQ));
    const connect = d.next();
    expect(connect).toMatchObject({ type: 'connect', protocolVersion: 5 });
    expect(d.protocolVersion).toBeUndefined();
    expect(d.requestedProtocolLevel).toBe(5);
    expect(() => d.next()).toThrow(/setProtocolVersion/);
    d.setProtocolVersion(5);
    expect(d.protocolVersion).toBe(5);
    expect(d.next()).toStrictEqual({ type: 'pingreq' });
  });

  it('still reads a second CONNECT: refusing it is the broker’s decision [MQTT-3.1.0-2]', () => {
    const d = new Decoder({ side: 'server' });
    d.push(concat(CONNECT_V5, CONNECT_V5));
    expect(d.next()).toMatchObject({ type: 'connect' });
    expect(d.next()).toMatchObject({ type: 'connect' });
  });

  it('reports the level of a 5.0 CONNECT that fails later, so the answer can be a 5.0 CONNACK', () => {
    const broken = CONNECT_V5.slice();
    broken[12] = 0x05; // a Property Length running past the packet
    const d = new Decoder({ side: 'server' });
    d.push(broken);
    const error = d.next() as MqttError;
    expect(error.code).toBe('MALFORMED_PACKET');
    expect(d.requestedProtocolLevel).toBe(5);
  });
});

describe('Decoder limits and failure', () => {
  it('refuses an oversized packet from its fixed header, before buffering the body', () => {
    const d = new Decoder({ side: 'server', protocolVersion: 5, maximumPacketSize: 100 });
    d.push(Uint8Array.of(0x30, 0x7f)); // 129 bytes announced
    const error = d.next() as MqttError;
    expect(error.code).toBe('PACKET_TOO_LARGE');
    expect(error.reasonCode).toBe(0x95);
    expect(d.bufferedBytes).toBe(0);
  });

  it('accepts a packet of exactly the maximum size, fixed header included [MQTT-3.1.2-24]', () => {
    const frame = encode(publish(95), 5); // 2 + 5 + 1 + 95 = 103 bytes
    expect(frame.length).toBe(103);
    const ok = new Decoder({ side: 'client', protocolVersion: 5, maximumPacketSize: 103 });
    ok.push(frame);
    expect(ok.next()).toMatchObject({ type: 'publish' });
    const tooSmall = new Decoder({ side: 'client', protocolVersion: 5, maximumPacketSize: 102 });
    tooSmall.push(frame);
    expect((tooSmall.next() as MqttError).code).toBe('PACKET_TOO_LARGE');
  });

  it('applies a lowered limit to a frame already announced', () => {
    const frame = encode(publish(200), 4);
    const d = new Decoder({ side: 'server', protocolVersion: 4 });
    d.push(frame.subarray(0, 10));
    expect(d.next()).toBeUndefined();
    d.setMaximumPacketSize(50);
    expect((d.next() as MqttError).code).toBe('PACKET_TOO_LARGE');
  });

  it('stays failed: the same error, later pushes ignored', () => {
    const d = new Decoder({ side: 'server', protocolVersion: 4 });
    d.push(Uint8Array.of(0x00, 0x00, 0xc0, 0x00));
    const error = d.next();
    expect(MqttError.isInstance(error)).toBe(true);
    d.push(PINGREQ);
    expect(d.next()).toBe(error);
    expect(d.bufferedBytes).toBe(0);
  });

  it('returns the packets before an error, then the error', () => {
    const d = new Decoder({ side: 'server', protocolVersion: 4 });
    d.push(concat(PINGREQ, PINGREQ, Uint8Array.of(0x30, 0x02, 0x00, 0x00)));
    const results = drain(d);
    expect(results.slice(0, 2)).toStrictEqual([{ type: 'pingreq' }, { type: 'pingreq' }]);
    expect((results[2] as MqttError).code).toBe('TOPIC_NAME_INVALID');
  });
});
