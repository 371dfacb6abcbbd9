/**
 * Codec benchmark against mqtt-packet 9.0.2, in one run: decode (socket-sized chunks) and encode of
 * PUBLISH at 16 B and 1 KiB in 3.1.1 and 5.0, and of a 20-packet session in both directions, then
 * the bytes allocated per decoded PUBLISH (measured in a child process, see alloc.ts).
 *
 *   npx tsc -p tsconfig.build.json && npx tsx bench/index.ts
 */

import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { Decoder, encode } from '@mqttkit/codec';
import { MqttError, type Packet, type ProtocolVersion } from '@mqttkit/types';
import * as mqttPacket from 'mqtt-packet';
import { type Contender, compare } from './harness.js';
import { publish, session, socketChunks, toTheirs } from './scenarios.js';

/** Enough bytes per decode pass to cross many 64 KiB chunk boundaries. */
const STREAM_BYTES = 1 << 21;
let sink = 0;

function oursDecoding(chunks: Buffer[], version: ProtocolVersion, side: 'server' | 'client'): Contender {
  return {
    run() {
      const decoder = new Decoder({ side, protocolVersion: version });
      let n = 0;
      for (const chunk of chunks) {
        decoder.push(chunk);
        for (let p = decoder.next(); p !== undefined; p = decoder.next()) {
          if (MqttError.isInstance(p)) throw p;
          n++;
        }
      }
      return n;
    },
  };
}

function theirsDecoding(chunks: Buffer[], version: ProtocolVersion): Contender {
  return {
    run() {
      const parser = mqttPacket.parser({ protocolVersion: version });
      let n = 0;
      parser.on('packet', () => {
        n++;
      });
      parser.on('error', (error) => {
        throw error;
      });
      for (const chunk of chunks) parser.parse(chunk);
      return n;
    },
  };
}

function oursEncoding(packets: Packet[], version: ProtocolVersion): Contender {
  return {
    run() {
      for (let r = 0; r < 100; r++) for (const p of packets) sink += encode(p, version).length;
      return 100 * packets.length;
    },
  };
}

function theirsEncoding(packets: Packet[], version: ProtocolVersion): Contender {
  const theirs = packets.map((p) => toTheirs(p) as unknown as mqttPacket.Packet);
  const opts = { protocolVersion: version };
  return {
    run() {
      for (let r = 0; r < 100; r++) for (const p of theirs) sink += mqttPacket.generate(p, opts).length;
      return 100 * theirs.length;
    },
  };
}

/** Checks that both sides really decode the same number of packets from the stream. */
function sameCount(ours: Contender, theirs: Contender, expected: number): void {
  const a = ours.run();
  const b = theirs.run();
  if (a !== expected || b !== expected) throw new Error(`decoded ${a} / ${b} packets, expected ${expected}`);
}

interface Row {
  name: string;
  ours: number;
  theirs: number;
}

const rows: Row[] = [];

function row(name: string, ours: Contender, theirs: Contender): void {
  const r = compare(ours, theirs);
  rows.push({ name, ...r });
  process.stderr.write(`  ${name}: ${(r.ours / r.theirs).toFixed(2)}x\n`);
}

for (const version of [4, 5] as const) {
  for (const size of [16, 1024]) {
    const packet = publish(size, version);
    const frame = encode(packet, version);
    const { chunks, packets } = socketChunks([frame], STREAM_BYTES);
    const label = `PUBLISH ${size === 16 ? '16 B' : '1 KiB'} v${version === 4 ? '3.1.1' : '5.0'}`;
    const ours = oursDecoding(chunks, version, 'server');
    const theirs = theirsDecoding(chunks, version);
    sameCount(ours, theirs, packets);
    row(`decode ${label}`, ours, theirs);
    row(`encode ${label}`, oursEncoding([packet], version), theirsEncoding([packet], version));
  }
}

for (const version of [4, 5] as const) {
  const { toServer, toClient } = session(version);
  const label = `20-packet session v${version === 4 ? '3.1.1' : '5.0'}`;
  const up = socketChunks(
    toServer.map((p) => encode(p, version)),
    STREAM_BYTES / 2,
  );
  const down = socketChunks(
    toClient.map((p) => encode(p, version)),
    STREAM_BYTES / 2,
  );
  const ours: Contender = {
    run: () =>
      oursDecoding(up.chunks, version, 'server').run() + oursDecoding(down.chunks, version, 'client').run(),
  };
  const theirs: Contender = {
    run: () => theirsDecoding(up.chunks, version).run() + theirsDecoding(down.chunks, version).run(),
  };
  sameCount(ours, theirs, up.packets + down.packets);
  row(`decode ${label}`, ours, theirs);
  const all = [...toServer, ...toClient];
  row(`encode ${label}`, oursEncoding(all, version), theirsEncoding(all, version));
}

const fmt = (opsPerSecond: number) => `${(opsPerSecond / 1e6).toFixed(2)} M`;
const lines = [
  '| operation | @mqttkit/codec ops/s | mqtt-packet 9.0.2 ops/s | ours / mqtt-packet |',
  '| --- | ---: | ---: | ---: |',
  ...rows.map(
    (r) => `| ${r.name} | ${fmt(r.ours)} | ${fmt(r.theirs)} | ${(r.ours / r.theirs).toFixed(2)}x |`,
  ),
];

// Allocation runs in a child with a fixed, large young generation so nothing is collected mid-measure.
const alloc = spawnSync(
  process.execPath,
  [
    '--expose-gc',
    '--min-semi-space-size=64',
    '--max-semi-space-size=64',
    '--import',
    'tsx',
    'bench/alloc.ts',
  ],
  { cwd: new URL('..', import.meta.url), encoding: 'utf8', timeout: 120_000 },
);
if (alloc.status !== 0) throw new Error(`alloc.ts failed: ${alloc.stderr}`);

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `Codec benchmark, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpu} (${os.cpus().length} cores), ${os.platform()} ${os.arch()}.`,
);
console.log(
  'Median of 7 alternating rounds after warm-up; decode feeds 64 KiB socket chunks; QoS 1, topic of 25 characters.\n',
);
console.log(lines.join('\n'));
console.log(`\n${alloc.stdout.trim()}`);
if (sink === 0.5) console.log(sink);
