import { Decoder } from '@mqttkit/codec';
import type { Packet } from '@mqttkit/types';
import { describe, expect, it } from 'vitest';
import { type BenchArgs, parseBenchArgs } from './bench-args.js';
import type { BenchClient } from './bench-client.js';
import { readStamp } from './payload-stamp.js';
import { Publisher } from './publisher.js';

function args(...argv: string[]): BenchArgs {
  const parsed = parseBenchArgs('pub', argv);
  if (parsed.help) throw new Error('help');
  return parsed;
}

// Publisher reads only the client's index (for the topic); the socket is the role's business.
const client = { index: 3 } as BenchClient;

function decodeAll(batch: Buffer): Packet[] {
  const decoder = new Decoder({ side: 'server', protocolVersion: 4 });
  decoder.push(batch);
  const packets: Packet[] = [];
  for (let packet = decoder.next(); packet !== undefined; packet = decoder.next()) {
    if (packet instanceof Error) throw packet;
    packets.push(packet);
  }
  return packets;
}

describe('Publisher', () => {
  it('QoS 1: a batch of valid PUBLISH frames with consecutive packet ids, stamped; the window bounds it', () => {
    const publisher = new Publisher(client, args('-q', '1', '--inflight', '4', '-s', '20', '-t', 'b/%i'));
    expect(publisher.plan(10, false)).toEqual({ count: 4, probeAt: -1 });
    const batch = publisher.build(4, -1, 1, 5000.25);
    const packets = decodeAll(batch);
    expect(packets.map((p) => p.type === 'publish' && [p.topic, p.qos, p.packetId])).toEqual([
      ['b/3', 1, 1],
      ['b/3', 1, 2],
      ['b/3', 1, 3],
      ['b/3', 1, 4],
    ]);
    const frameBytes = batch.length / 4;
    expect(readStamp(batch, frameBytes - 20, frameBytes)).toBe(5000.25);
    expect(publisher.inflight).toBe(4);
    expect(publisher.plan(1, false)).toEqual({ count: 0, probeAt: -1 });
    expect(publisher.acknowledge(1)).toBe(1);
    expect(publisher.acknowledge(1)).toBeUndefined();
    expect(publisher.acknowledge(99)).toBeUndefined();
    expect(publisher.plan(5, false)).toEqual({ count: 1, probeAt: -1 });
    // Unpaced: wait for an eighth of the window (here 1 slot) before writing again.
    expect(publisher.plan(5, true)).toEqual({ count: 1, probeAt: -1 });
  });

  it('QoS 0: one QoS 1 probe every ~64 KiB of frames, at most 4 unacknowledged', () => {
    const publisher = new Publisher(client, args('-s', '1000'));
    const every = Math.floor((64 * 1024) / publisher.template.frame.length);
    expect(publisher.plan(10, true)).toEqual({ count: 10, probeAt: -1 });
    publisher.build(10, -1, 0, 0);
    const plan = publisher.plan(1000, true);
    expect(plan).toEqual({ count: every - 10, probeAt: every - 11 });
    const packets = decodeAll(publisher.build(plan.count, plan.probeAt, 0, 0));
    expect(packets.filter((p) => p.type === 'publish' && p.qos === 1)).toHaveLength(1);
    expect(packets.at(-1)).toMatchObject({ qos: 1, packetId: 1 });
    for (let probe = 2; probe <= 4; probe++) {
      const next = publisher.plan(1000, true);
      expect(next).toEqual({ count: every, probeAt: every - 1 });
      publisher.build(next.count, next.probeAt, 0, 0);
    }
    // Four probes unacknowledged: everything up to the next probe may go, then nothing.
    expect(publisher.plan(1000, true)).toEqual({ count: every - 1, probeAt: -1 });
    publisher.build(every - 1, -1, 0, 0);
    expect(publisher.plan(1000, true)).toEqual({ count: 0, probeAt: -1 });
    publisher.acknowledge(1);
    expect(publisher.plan(1000, true)).toEqual({ count: 1, probeAt: 0 });
  });
});
