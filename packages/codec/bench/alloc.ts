/**
 * Bytes allocated per decoded PUBLISH, for @mqttkit/codec and mqtt-packet. Run by bench/index.ts as
 *
 *   node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64 --import tsx bench/alloc.ts
 *
 * Method: every object a decoder allocates lands in V8's young generation. After warm-up and a full
 * GC, the growth of the young generation over N decoded packets, with no GC in between (checked with
 * a PerformanceObserver; the 64 MB semi-space leaves room for it), divided by N is the allocation per
 * packet. As a floor, the same is measured for building only what a decoded PUBLISH must hold: the
 * packet object, its topic string and its payload view (and in 5.0 its properties object and the
 * Content Type string).
 */

import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { Decoder, encode } from '@mqttkit/codec';
import type { ProtocolVersion } from '@mqttkit/types';
import * as mqttPacket from 'mqtt-packet';
import { CONTENT_TYPE, publish, socketChunks, TOPIC } from './scenarios.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

/** Start times of every GC, as the observer delivers them (asynchronously). */
const gcTimes: number[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcTimes.push(entry.startTime);
}).observe({ entryTypes: ['gc'] });

function youngBytes(): number {
  let used = 0;
  for (const space of v8.getHeapSpaceStatistics()) {
    if (space.space_name === 'new_space' || space.space_name === 'new_large_object_space')
      used += space.space_used_size;
  }
  return used;
}

/**
 * Decoded packets are stored here so none can be optimised away; preallocated so storing them costs no
 * allocation of its own.
 */
const held: unknown[] = new Array(1 << 18).fill(null);
let count = 0;

/** Allocation per packet of `decodeAll`, the smallest of a few clean measurements. */
async function perPacket(decodeAll: () => number): Promise<number> {
  for (let i = 0; i < 20; i++) decodeAll();
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 8; attempt++) {
    gc!();
    const t0 = performance.now();
    const start = youngBytes();
    const n = decodeAll();
    const grown = youngBytes() - start;
    const t1 = performance.now();
    // Let the observer deliver, then require that no collection started inside the window.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const collected = gcTimes.some((t) => t >= t0 && t <= t1);
    if (!collected && grown > 0) best = Math.min(best, grown / n);
  }
  held.fill(null);
  return best;
}

const N = 20_000;

async function measure(version: ProtocolVersion): Promise<string[]> {
  const packet = publish(16, version);
  const { chunks, packets } = socketChunks([encode(packet, version)], N * 60);
  const ours = await perPacket(() => {
    count = 0;
    const decoder = new Decoder({ side: 'server', protocolVersion: version });
    for (const chunk of chunks) {
      decoder.push(chunk);
      for (let p = decoder.next(); p !== undefined; p = decoder.next()) held[count++] = p;
    }
    return count;
  });
  const theirs = await perPacket(() => {
    count = 0;
    const parser = mqttPacket.parser({ protocolVersion: version });
    parser.on('packet', (p) => {
      held[count++] = p;
    });
    for (const chunk of chunks) parser.parse(chunk);
    return count;
  });
  // The floor: what a decoded PUBLISH must hold, built directly (in 5.0 with its two properties).
  const topicUnits = Array.from(TOPIC, (c) => c.charCodeAt(0));
  const typeUnits = Array.from(CONTENT_TYPE, (c) => c.charCodeAt(0));
  const payloadSource = chunks[0]!;
  const floor = await perPacket(() => {
    for (let i = 0; i < packets; i++) {
      const topic = String.fromCharCode.apply(null, topicUnits);
      const payload = new Uint8Array(payloadSource.buffer, payloadSource.byteOffset + (i & 0xff), 16);
      held[i] =
        version === 5
          ? {
              type: 'publish',
              topic,
              payload,
              qos: 1,
              retain: false,
              dup: false,
              packetId: i & 0xffff,
              properties: {
                messageExpiryInterval: 3600,
                contentType: String.fromCharCode.apply(null, typeUnits),
              },
            }
          : { type: 'publish', topic, payload, qos: 1, retain: false, dup: false, packetId: i & 0xffff };
    }
    return packets;
  });
  const name = version === 4 ? '3.1.1' : '5.0';
  return [
    `| PUBLISH 16 B v${name} | ${ours.toFixed(0)} B | ${theirs.toFixed(0)} B | ${floor.toFixed(0)} B |`,
  ];
}

const lines = [
  'Young-generation bytes allocated per decoded PUBLISH (16 B payload, QoS 1, 64 KiB chunks):',
  '',
  '| packet | @mqttkit/codec | mqtt-packet 9.0.2 | floor (packet + topic + payload view [+ properties]) |',
  '| --- | ---: | ---: | ---: |',
  ...(await measure(4)),
  ...(await measure(5)),
];
console.log(lines.join('\n'));
