import { type BrokerProcess, CpuMeter, openFileLimit, processRssBytes, sleep } from './brokers.js';
import { RawClient } from './client.js';
import { type PublishTemplate, publishTemplate, repeat } from './packets.js';
import type { TransportKind } from './settings.js';

/** Bytes of application payload in every PUBLISH (the last 8 hold a timestamp in latency rows). */
export const PAYLOAD_BYTES = 64;
/** Seconds of load before counting starts (JIT warm-up, socket buffers settle). */
export const WARMUP_SECONDS = 1;
/** Seconds counted in throughput and latency rows. */
export const MEASURE_SECONDS = 3;

export interface Cpu {
  /** Load generator (this process, all threads), fraction of one core. */
  generator: number;
  /** Broker process (all threads), fraction of one core. */
  broker: number;
  /** Everything else on the machine (other processes, unattributed kernel work), fraction of one core. */
  rest: number;
}

export interface ThroughputResult {
  kind: 'throughput';
  /** Messages (or deliveries, for fan-out) received per second in the measured window. */
  rate: number;
  received: number;
  seconds: number;
  cpu: Cpu;
  /** Sent × matching subscribers − received, after a drain at the end of the row. */
  lost: number;
  /** Times the closed loop stalled with messages in flight and wrote them off. */
  stalls: number;
}

export interface LatencyResult {
  kind: 'latency';
  rate: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  cpu: Cpu;
  lost: number;
}

export interface IdleResult {
  kind: 'idle';
  connections: number;
  connectSeconds: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  bytesPerConnection: number;
  /** Node brokers: (heapUsed + external) after − before, per connection, both after a forced GC. */
  heapBytesPerConnection?: number;
}

export interface ConnectRateResult {
  kind: 'connect';
  /** Connections per second: full handshake (TCP; TLS; HTTP upgrade) + CONNECT/CONNACK. */
  rate: number;
  connections: number;
  seconds: number;
  cpu: Cpu;
}

export type RowResult = ThroughputResult | LatencyResult | IdleResult | ConnectRateResult;

export interface RowSpec {
  id: string;
  title: string;
  unit: string;
  /** What the broker listens with and the generator's clients speak. */
  transport: TransportKind;
  /** What the row drives, for the README and the JSON. */
  load: string;
  run: (broker: BrokerProcess) => Promise<RowResult>;
}

// ─── helpers ─────────────────────────────────────────────────────────────────

async function connectMany(broker: BrokerProcess, prefix: string, count: number): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  // A few at a time: connect storms are not what these rows measure.
  for (let i = 0; i < count; i += 25) {
    const batch: Promise<RawClient>[] = [];
    for (let j = i; j < Math.min(count, i + 25); j++) {
      batch.push(RawClient.connect({ endpoint: broker.endpoint, clientId: `${prefix}${j}` }));
    }
    clients.push(...(await Promise.all(batch)));
  }
  return clients;
}

function closeAll(clients: readonly RawClient[]): void {
  for (const client of clients) client.destroy();
}

function sum(clients: readonly RawClient[]): number {
  let total = 0;
  for (let i = 0; i < clients.length; i++) total += clients[i]!.published;
  return total;
}

function brokenClients(clients: readonly RawClient[]): string | undefined {
  const broken = clients.filter((client) => client.closedWith !== undefined);
  if (broken.length === 0) return undefined;
  return `${broken.length} connection(s) closed by the broker (${broken[0]!.closedWith})`;
}

function check(broker: BrokerProcess, clients: readonly RawClient[]): void {
  if (broker.exitedEarly !== undefined)
    throw new Error(`${broker.name} died: ${broker.exitedEarly}\n${broker.output}`);
  const broken = brokenClients(clients);
  if (broken !== undefined) throw new Error(`${broker.name}: ${broken}`);
}

// ─── closed-loop throughput ──────────────────────────────────────────────────

export interface ClosedLoop {
  publishers: number;
  subscribers: number;
  /** Topic of publisher i. */
  topic: (i: number) => string;
  filter: string;
  qos: 0 | 1;
  /** Deliveries (messages × matching subscribers) allowed in flight end to end. */
  windowDeliveries: number;
  /** QoS 1: PUBLISHes a publisher may have without a PUBACK. */
  publisherWindow: number;
  /** Most messages one publisher writes per event-loop turn (in one `write`). */
  batch: number;
}

/**
 * Multiplies every closed-loop window (BENCH_WINDOW_SCALE, default 1). A broker-bound row gives
 * the same rate at scale 2 or 4; a rate that grows with the window was latency-bound.
 */
export const WINDOW_SCALE = Number(process.env.BENCH_WINDOW_SCALE ?? 1);

/**
 * Closed loop: the generator keeps at most `windowDeliveries` deliveries in flight, topping the
 * window up once per event-loop turn after the subscribers report progress. No socket buffer can grow
 * without bound, and every broker is always offered work. If nothing arrives for 500 ms with
 * messages in flight, they are written off as lost (a broker that drops must not stall the row).
 */
async function closedLoop(broker: BrokerProcess, base: ClosedLoop): Promise<ThroughputResult> {
  const spec: ClosedLoop = {
    ...base,
    windowDeliveries: Math.round(base.windowDeliveries * WINDOW_SCALE),
    publisherWindow: Math.round(base.publisherWindow * WINDOW_SCALE),
    batch: Math.round(base.batch * WINDOW_SCALE),
  };
  const subscribers = await connectMany(broker, 's', spec.subscribers);
  for (const subscriber of subscribers) {
    subscriber.ackQoS1 = spec.qos === 1;
    await subscriber.subscribe(spec.filter, spec.qos);
  }
  const publishers = await connectMany(broker, 'p', spec.publishers);
  const all = [...subscribers, ...publishers];
  const fanout = spec.subscribers;
  const templates = publishers.map((_, i) => publishTemplate(spec.topic(i), spec.qos, PAYLOAD_BYTES));
  // QoS 0: one pre-encoded run of `batch` messages per publisher; a write sends a prefix of it.
  const runs = templates.map((template) => repeat(template.bytes, spec.batch));
  const sentBy = new Array<number>(publishers.length).fill(0);
  const nextId = new Array<number>(publishers.length).fill(1);

  let sent = 0;
  let writtenOff = 0;
  let stalls = 0;
  let running = true;
  let next = 0;
  let pumpScheduled = false;

  const writeQoS1 = (i: number, template: PublishTemplate, count: number): void => {
    const size = template.bytes.length;
    const out = Buffer.allocUnsafe(size * count);
    let id = nextId[i]!;
    for (let k = 0; k < count; k++) {
      template.bytes.copy(out, k * size);
      out.writeUInt16BE(id, k * size + template.packetIdOffset);
      id = id === 0xffff ? 1 : id + 1;
    }
    nextId[i] = id;
    publishers[i]!.write(out);
  };

  // No low-water mark: a publisher tops up as soon as any credit is free. Waiting for half a batch
  // cut the generator's writes but left Mosquitto's Nagle-delayed PUBACKs without a packet to
  // piggyback the generator's ACK on, and its QoS 1 rate fell from ~50k to ~18k msg/s.
  const pump = (): void => {
    pumpScheduled = false;
    if (!running) return;
    const received = sum(subscribers);
    let credit = Math.floor((spec.windowDeliveries - (sent * fanout - received - writtenOff)) / fanout);
    for (let n = 0; n < publishers.length && credit > 0; n++) {
      const i = next;
      next = next + 1 === publishers.length ? 0 : next + 1;
      let count = Math.min(spec.batch, credit);
      if (spec.qos === 1)
        count = Math.min(count, spec.publisherWindow - (sentBy[i]! - publishers[i]!.pubacks));
      if (count <= 0) continue;
      if (spec.qos === 1) writeQoS1(i, templates[i]!, count);
      else publishers[i]!.write(runs[i]!.subarray(0, count * templates[i]!.bytes.length));
      sentBy[i]! += count;
      sent += count;
      credit -= count;
    }
  };
  const schedulePump = (): void => {
    if (!pumpScheduled) {
      pumpScheduled = true;
      setImmediate(pump);
    }
  };
  for (const client of all) client.onActivity = schedulePump;

  let lastReceived = -1;
  let lastProgress = Date.now();
  const watchdog = setInterval(() => {
    const received = sum(subscribers);
    if (received !== lastReceived) {
      lastReceived = received;
      lastProgress = Date.now();
    } else if (running && Date.now() - lastProgress > 500) {
      const inFlight = sent * fanout - received - writtenOff;
      if (inFlight > 0) {
        writtenOff += inFlight;
        stalls++;
      }
      lastProgress = Date.now();
    }
    schedulePump();
  }, 10);

  try {
    schedulePump();
    await sleep(WARMUP_SECONDS * 1000);
    check(broker, all);
    const startReceived = sum(subscribers);
    const meter = new CpuMeter(broker.pid);
    await sleep(MEASURE_SECONDS * 1000);
    const received = sum(subscribers) - startReceived;
    const cpu = meter.stop();
    running = false;
    check(broker, all);
    // Drain: wait until everything sent has arrived, nothing has arrived for 1 s, or 5 s passed.
    const drainStarted = Date.now();
    let last = sum(subscribers);
    let lastChange = drainStarted;
    while (last < sent * fanout && Date.now() - lastChange < 1000 && Date.now() - drainStarted < 5000) {
      await sleep(50);
      const now = sum(subscribers);
      if (now !== last) lastChange = Date.now();
      last = now;
    }
    return {
      kind: 'throughput',
      rate: received / cpu.seconds,
      received,
      seconds: cpu.seconds,
      cpu: { generator: cpu.generator, broker: cpu.broker, rest: cpu.rest },
      lost: sent * fanout - sum(subscribers),
      stalls,
    };
  } finally {
    running = false;
    clearInterval(watchdog);
    closeAll(all);
  }
}

// ─── fixed-rate latency ──────────────────────────────────────────────────────

/** Messages per second in the latency rows: far below what any of the three brokers can carry. */
export const LATENCY_RATE = 2000;
/**
 * Warm-up and window of the latency rows, longer than the throughput rows': at 2,000 msg/s V8 is
 * still tiering up the Node brokers' hot paths after 1 s (10,000 messages reach steady state; a
 * throughput row sends that many in milliseconds), and a p99 over 10,000 samples is steadier than
 * over 6,000. Every broker gets the same.
 */
export const LATENCY_WARMUP_SECONDS = 5;
export const LATENCY_MEASURE_SECONDS = 5;
const LATENCY_PUBLISHERS = 10;

async function latency(broker: BrokerProcess, qos: 0 | 1): Promise<LatencyResult> {
  const [subscriber] = await connectMany(broker, 'l', 1);
  subscriber!.ackQoS1 = qos === 1;
  await subscriber!.subscribe('bench/lat/+', qos);
  const publishers = await connectMany(broker, 'q', LATENCY_PUBLISHERS);
  const all = [subscriber!, ...publishers];
  const templates = publishers.map((_, i) => publishTemplate(`bench/lat/${i}`, qos, PAYLOAD_BYTES));
  const nextId = new Array<number>(publishers.length).fill(1);
  let sent = 0;
  let next = 0;
  let running = true;
  const start = process.hrtime.bigint();

  // Every millisecond, send what the schedule says is due; each message is stamped just before
  // its write, one message per write, publishers in turn.
  const tick = (): void => {
    if (!running) return;
    const due = Math.floor((Number(process.hrtime.bigint() - start) / 1e9) * LATENCY_RATE) - sent;
    for (let k = 0; k < due; k++) {
      const i = next;
      next = next + 1 === publishers.length ? 0 : next + 1;
      const template = templates[i]!;
      const out = Buffer.from(template.bytes);
      if (qos === 1) {
        out.writeUInt16BE(nextId[i]!, template.packetIdOffset);
        nextId[i] = nextId[i] === 0xffff ? 1 : nextId[i]! + 1;
      }
      out.writeBigUInt64BE(process.hrtime.bigint(), template.timestampOffset);
      publishers[i]!.write(out);
      sent++;
    }
    setTimeout(tick, 1);
  };

  try {
    tick();
    await sleep(LATENCY_WARMUP_SECONDS * 1000);
    check(broker, all);
    const samples: number[] = [];
    subscriber!.latencies = samples;
    const meter = new CpuMeter(broker.pid);
    await sleep(LATENCY_MEASURE_SECONDS * 1000);
    subscriber!.latencies = undefined;
    const cpu = meter.stop();
    running = false;
    check(broker, all);
    for (let waited = 0; waited < 2000 && subscriber!.published < sent; waited += 50) await sleep(50);
    const sorted = Float64Array.from(samples).sort();
    const at = (q: number): number =>
      (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN) / 1e6;
    return {
      kind: 'latency',
      rate: LATENCY_RATE,
      samples: sorted.length,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: (sorted[sorted.length - 1] ?? NaN) / 1e6,
      cpu: { generator: cpu.generator, broker: cpu.broker, rest: cpu.rest },
      lost: sent - subscriber!.published,
    };
  } finally {
    running = false;
    closeAll(all);
  }
}

// ─── idle connections ────────────────────────────────────────────────────────

/** Idle connections opened per broker, kept well below this process's open-file limit. */
export function idleConnectionCount(): number {
  return Math.max(100, Math.min(10_000, openFileLimit() - 1000));
}
/** Connections opened per second at most, at most this many CONNECTs awaiting CONNACK. */
export const IDLE_CONNECT_RATE = 2500;
const IDLE_CONNECT_CONCURRENCY = 100;
/**
 * Seconds the broker sits idle before each RSS sample (then a forced GC in the Node brokers). Long
 * enough for V8's memory reducer, which runs about 8-15 s after allocation stops: a burst of
 * connections grows the young generation to many MiB of empty semi-space, and a forced GC alone does
 * not hand those pages back. Sampled sooner, the figure is that transient headroom (about half of it
 * here), not what an idle connection costs.
 */
export const IDLE_SETTLE_SECONDS = 20;

async function sampleMemory(broker: BrokerProcess): Promise<{ rss: number; heap: number | undefined }> {
  await sleep(IDLE_SETTLE_SECONDS * 1000);
  const heap = await broker.gc();
  await sleep(500);
  return {
    rss: processRssBytes(broker.pid),
    heap: heap === undefined ? undefined : heap.heapUsed + heap.external,
  };
}

async function idle(broker: BrokerProcess): Promise<IdleResult> {
  const count = idleConnectionCount();
  const before = await sampleMemory(broker);
  const clients: RawClient[] = [];
  const started = process.hrtime.bigint();
  try {
    let opened = 0;
    await new Promise<void>((resolve, reject) => {
      let inFlight = 0;
      let failed = false;
      const pace = (): void => {
        if (failed) return;
        const allowed = Math.floor((Number(process.hrtime.bigint() - started) / 1e9) * IDLE_CONNECT_RATE);
        while (opened < count && opened < allowed && inFlight < IDLE_CONNECT_CONCURRENCY) {
          inFlight++;
          const id = opened++;
          RawClient.connect({ endpoint: broker.endpoint, clientId: `i${id}`, timeoutMs: 30_000 }).then(
            (client) => {
              clients.push(client);
              inFlight--;
              if (clients.length === count) resolve();
            },
            (error: unknown) => {
              failed = true;
              reject(new Error(`idle connection ${id} of ${count} failed: ${(error as Error).message}`));
            },
          );
        }
        if (opened < count) setTimeout(pace, 5);
      };
      pace();
    });
    const connectSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const after = await sampleMemory(broker);
    check(broker, clients);
    const result: IdleResult = {
      kind: 'idle',
      connections: count,
      connectSeconds,
      rssBeforeBytes: before.rss,
      rssAfterBytes: after.rss,
      bytesPerConnection: (after.rss - before.rss) / count,
    };
    if (before.heap !== undefined && after.heap !== undefined) {
      result.heapBytesPerConnection = (after.heap - before.heap) / count;
    }
    return result;
  } finally {
    closeAll(clients);
  }
}

// ─── connections per second ──────────────────────────────────────────────────

/**
 * Connections opened per measurement, after the warm-up ones: about 1–2.5 s of work for each broker
 * here, long enough for /proc's 10 ms CPU ticks.
 */
export const CONNECT_COUNT: Readonly<Record<TransportKind, number>> = { tcp: 5000, tls: 1500, ws: 2000 };
/** Connections opened (and closed) before the measurement: JIT, TLS and HTTP code paths warm. */
const CONNECT_WARMUP = 200;
/** Connections in their handshake or waiting for CONNACK at once. */
export const CONNECT_CONCURRENCY = 50;
/** A measurement that takes longer than this fails (bounded row, whatever the broker does). */
const CONNECT_DEADLINE_MS = 30_000;

/**
 * Open `count` connections, at most CONNECT_CONCURRENCY at a time, each doing the full handshake of
 * the transport and CONNECT/CONNACK, and close each (DISCONNECT, then a graceful close) as soon as
 * its CONNACK arrives. Resolves when the last CONNACK has arrived; closes still under way then are
 * the broker's tail work, left out of the time.
 */
function openAndClose(broker: BrokerProcess, prefix: string, count: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let opened = 0;
    let done = 0;
    let failed = false;
    const timer = setTimeout(() => {
      failed = true;
      reject(new Error(`${done} of ${count} connections in ${CONNECT_DEADLINE_MS / 1000} s`));
    }, CONNECT_DEADLINE_MS);
    const next = (): void => {
      if (failed) return;
      const id = opened++;
      RawClient.connect({ endpoint: broker.endpoint, clientId: `${prefix}${id}` }).then(
        (client) => {
          client.end();
          done++;
          if (done === count) {
            clearTimeout(timer);
            resolve();
          } else if (opened < count) next();
        },
        (error: unknown) => {
          if (failed) return;
          failed = true;
          clearTimeout(timer);
          reject(new Error(`connection ${id} of ${count} failed: ${(error as Error).message}`));
        },
      );
    };
    for (let i = 0; i < Math.min(count, CONNECT_CONCURRENCY); i++) next();
  });
}

async function connectRate(broker: BrokerProcess): Promise<ConnectRateResult> {
  const count = CONNECT_COUNT[broker.endpoint.transport];
  await openAndClose(broker, 'w', CONNECT_WARMUP);
  // Let the warm-up's closes finish before the window opens.
  await sleep(250);
  if (broker.exitedEarly !== undefined)
    throw new Error(`${broker.name} died: ${broker.exitedEarly}\n${broker.output}`);
  const meter = new CpuMeter(broker.pid);
  await openAndClose(broker, 'c', count);
  const cpu = meter.stop();
  if (broker.exitedEarly !== undefined)
    throw new Error(`${broker.name} died: ${broker.exitedEarly}\n${broker.output}`);
  return {
    kind: 'connect',
    rate: count / cpu.seconds,
    connections: count,
    seconds: cpu.seconds,
    cpu: { generator: cpu.generator, broker: cpu.broker, rest: cpu.rest },
  };
}

// ─── the rows ────────────────────────────────────────────────────────────────

/** 50 publishers → 1 wildcard subscriber, QoS 0. */
export const FAN_IN: ClosedLoop = {
  publishers: 50,
  subscribers: 1,
  topic: (i) => `bench/in/${i}`,
  filter: 'bench/in/+',
  qos: 0,
  windowDeliveries: 4000,
  publisherWindow: 0,
  batch: 64,
};

/** 1 publisher → 100 subscribers of the same topic, QoS 0. */
export const FAN_OUT: ClosedLoop = {
  publishers: 1,
  subscribers: 100,
  topic: () => 'bench/out',
  filter: 'bench/out',
  qos: 0,
  windowDeliveries: 20_000,
  publisherWindow: 0,
  batch: 64,
};

/** 50 QoS 1 publishers → 1 QoS 1 subscriber that acknowledges every message. */
export const QOS1: ClosedLoop = {
  publishers: 50,
  subscribers: 1,
  topic: (i) => `bench/q1/${i}`,
  filter: 'bench/q1/+',
  qos: 1,
  windowDeliveries: 1800,
  publisherWindow: 32,
  batch: 32,
};

function describe(spec: ClosedLoop): string {
  const qos = spec.qos === 1 ? `QoS 1 (${spec.publisherWindow} unacknowledged per publisher), ` : 'QoS 0, ';
  return (
    `${spec.publishers} publisher(s) on ${spec.topic(0).replace(/0$/, '<i>')} → ${spec.subscribers} subscriber(s) ` +
    `on ${spec.filter}; ${qos}${spec.windowDeliveries} deliveries in flight; ${PAYLOAD_BYTES}-byte payload`
  );
}

const TRANSPORT_LABEL: Record<TransportKind, string> = { tcp: 'TCP', tls: 'TLS', ws: 'WebSocket' };

/** The QoS 0 fan-in row over TLS or WebSocket: the same load, only the transport differs. */
function fanInOver(transport: 'tls' | 'ws'): RowSpec {
  return {
    id: `${transport}-qos0-fan-in`,
    title: `QoS 0 fan-in, ${TRANSPORT_LABEL[transport]}`,
    unit: 'msg/s',
    transport,
    load: `${describe(FAN_IN)}; over ${TRANSPORT_LABEL[transport]}`,
    run: (broker) => closedLoop(broker, FAN_IN),
  };
}

function connectRateOver(transport: TransportKind): RowSpec {
  const handshake = { tcp: 'TCP', tls: 'TCP + TLS', ws: 'TCP + HTTP upgrade' }[transport];
  return {
    id: transport === 'tcp' ? 'connect-rate' : `${transport}-connect-rate`,
    title: `Connections/s, ${TRANSPORT_LABEL[transport]}`,
    unit: 'conn/s',
    transport,
    load:
      `${CONNECT_COUNT[transport]} connections (after ${CONNECT_WARMUP} warm-up ones), at most ${CONNECT_CONCURRENCY} ` +
      `in their handshake at once: ${handshake} + CONNECT/CONNACK, then DISCONNECT and close`,
    run: (broker) => connectRate(broker),
  };
}

export const ROWS: readonly RowSpec[] = [
  {
    id: 'qos0-fan-in',
    title: 'QoS 0 fan-in',
    unit: 'msg/s',
    transport: 'tcp',
    load: describe(FAN_IN),
    run: (broker) => closedLoop(broker, FAN_IN),
  },
  fanInOver('tls'),
  fanInOver('ws'),
  {
    id: 'qos0-fan-out',
    title: 'QoS 0 fan-out',
    unit: 'deliveries/s',
    transport: 'tcp',
    load: describe(FAN_OUT),
    run: (broker) => closedLoop(broker, FAN_OUT),
  },
  {
    id: 'qos1-end-to-end',
    title: 'QoS 1 end-to-end',
    unit: 'msg/s',
    transport: 'tcp',
    load: describe(QOS1),
    run: (broker) => closedLoop(broker, QOS1),
  },
  {
    id: 'latency-qos0',
    title: 'Latency QoS 0',
    unit: 'ms',
    transport: 'tcp',
    load: `${LATENCY_PUBLISHERS} publishers → 1 subscriber on bench/lat/+, ${LATENCY_RATE} msg/s in total, QoS 0`,
    run: (broker) => latency(broker, 0),
  },
  {
    id: 'latency-qos1',
    title: 'Latency QoS 1',
    unit: 'ms',
    transport: 'tcp',
    load: `${LATENCY_PUBLISHERS} publishers → 1 subscriber on bench/lat/+, ${LATENCY_RATE} msg/s in total, QoS 1 both ways`,
    run: (broker) => latency(broker, 1),
  },
  connectRateOver('tcp'),
  connectRateOver('tls'),
  connectRateOver('ws'),
  {
    id: 'idle-connections',
    title: 'Idle connection memory',
    unit: 'bytes/conn',
    transport: 'tcp',
    load: `${idleConnectionCount()} connections (CONNECT, then idle), at most ${IDLE_CONNECT_RATE}/s`,
    run: (broker) => idle(broker),
  },
];
