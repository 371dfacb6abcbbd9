/**
 * @mqttkit/topic against qlobber (configured as Aedes configures it) and a naive scan, in one run.
 * Run after a build: `pnpm bench` = `node --expose-gc --import tsx bench/index.ts`.
 * Every loop is bounded in both count and time; the whole run takes a few minutes on 2 cores.
 */

import { createRequire } from 'node:module';
import os from 'node:os';
import type * as Topic from '../src/index.js';
import { blackhole, heapUsed, interleaved, timedPasses } from './measure.js';
import { retainedWorkload, subscriptionWorkload, type Workload } from './workload.js';

// Ours comes from the built package (dist): a variable specifier keeps the typecheck independent of
// the build, and the types come from src, which dist is compiled from.
const packageName = '@mqttkit/topic';
const { RetainedIndex, SubscriptionIndex, matches } = (await import(packageName)) as typeof Topic;

interface QlobberValue {
  clientId: string;
  topic: string;
  qos: number;
}
interface QlobberSubInstance {
  add(topic: string, value: QlobberValue): void;
  remove(topic: string, value: { clientId: string; topic: string }): void;
  match(topic: string): unknown[];
  subscriptionsCount: number;
}
const require = createRequire(import.meta.url);
const QlobberSub = require('qlobber/aedes/qlobber-sub') as new (options: object) => QlobberSubInstance;
// aedes-cached-persistence's QlobberOpts (its memory persistence uses the same without
// match_empty_levels, which MQTT needs for "+" to match an empty level).
const AEDES_QLOBBER_OPTIONS = {
  wildcard_one: '+',
  wildcard_some: '#',
  separator: '/',
  match_empty_levels: true,
};

interface Session {
  readonly id: number;
}

interface NaiveEntry {
  readonly subscriber: Session;
  readonly filter: string;
  readonly qos: number;
}

interface Row {
  readonly name: string;
  readonly unit: string;
  readonly ours: number;
  readonly qlobber?: number;
  readonly naive?: number;
  /** True when smaller is better (memory). */
  readonly lowerIsBetter?: boolean;
}

const rows: Row[] = [];

function buildOurs(work: Workload, sessions: Session[]) {
  const index = new SubscriptionIndex<Session>();
  for (let i = 0; i < work.filters.length; i++) {
    index.add(sessions[work.owners[i]!]!, work.filters[i]!, { qos: (i % 3) as 0 | 1 | 2 });
  }
  return index;
}

function buildQlobber(work: Workload, clientIds: string[]) {
  const matcher = new QlobberSub(AEDES_QLOBBER_OPTIONS);
  for (let i = 0; i < work.filters.length; i++) {
    const topic = work.filters[i]!;
    matcher.add(topic, { clientId: clientIds[work.owners[i]!]!, topic, qos: i % 3 });
  }
  return matcher;
}

function buildNaive(work: Workload, sessions: Session[]): NaiveEntry[] {
  const entries: NaiveEntry[] = [];
  for (let i = 0; i < work.filters.length; i++) {
    entries.push({ subscriber: sessions[work.owners[i]!]!, filter: work.filters[i]!, qos: i % 3 });
  }
  return entries;
}

function naiveMatch(entries: NaiveEntry[], topic: string): NaiveEntry[] {
  const out: NaiveEntry[] = [];
  for (const entry of entries) if (matches(entry.filter, topic)) out.push(entry);
  return out;
}

function benchSubscriptions(count: number, withNaive: boolean): void {
  const label = count >= 1_000_000 ? `${count / 1_000_000}M` : `${count / 1000}k`;
  const work = subscriptionWorkload(count, 100_000, 0x5eed + count);
  const sessions = Array.from({ length: work.subscriberCount }, (_, id) => ({ id }));
  const clientIds = sessions.map((each) => `client-${each.id}`);
  const plan =
    count >= 1_000_000
      ? { repeats: 3, warmup: 0, collect: true }
      : { repeats: 15, warmup: 5, collect: false };
  process.stderr.write(`subscriptions ${label}: memory and match\n`);
  matchAndMemory(label, count, work, sessions, clientIds, withNaive);

  process.stderr.write(`subscriptions ${label}: add\n`);
  const { filters, owners } = work;
  let ours = new SubscriptionIndex<Session>();
  let qlobber = new QlobberSub(AEDES_QLOBBER_OPTIONS);
  let naive: NaiveEntry[] = [];
  // Each pass starts with no contender's structure on the heap but its own.
  const reset = () => {
    ours = new SubscriptionIndex<Session>();
    qlobber = new QlobberSub(AEDES_QLOBBER_OPTIONS);
    naive = [];
  };
  const addOurs = {
    prepare: reset,
    pass: () => {
      for (let i = 0; i < count; i++)
        ours.add(sessions[owners[i]!]!, filters[i]!, { qos: (i % 3) as 0 | 1 | 2 });
    },
  };
  const addQlobber = {
    prepare: reset,
    pass: () => {
      for (let i = 0; i < count; i++) {
        qlobber.add(filters[i]!, { clientId: clientIds[owners[i]!]!, topic: filters[i]!, qos: i % 3 });
      }
    },
  };
  const addNaive = {
    prepare: reset,
    pass: () => {
      for (let i = 0; i < count; i++)
        naive.push({ subscriber: sessions[owners[i]!]!, filter: filters[i]!, qos: i % 3 });
    },
  };
  const [oursAdd, qlobberAdd, naiveAdd] = timedPasses(
    count,
    plan,
    withNaive ? [addOurs, addQlobber, addNaive] : [addOurs, addQlobber],
  );
  rows.push({
    name: `add, ${label} subscriptions`,
    unit: 'ops/s',
    ours: oursAdd!,
    qlobber: qlobberAdd!,
    ...optional(naiveAdd),
  });

  process.stderr.write(`subscriptions ${label}: remove\n`);
  const removeOurs = {
    prepare: () => {
      reset();
      ours = buildOurs(work, sessions);
    },
    pass: () => {
      for (let i = 0; i < count; i++) ours.remove(sessions[owners[i]!]!, filters[i]!);
    },
  };
  const removeQlobber = {
    prepare: () => {
      reset();
      qlobber = buildQlobber(work, clientIds);
    },
    pass: () => {
      for (let i = 0; i < count; i++)
        qlobber.remove(filters[i]!, { clientId: clientIds[owners[i]!]!, topic: filters[i]! });
    },
  };
  const removeNaive = {
    prepare: () => {
      reset();
      naive = buildNaive(work, sessions);
    },
    pass: () => {
      for (let i = 0; i < count; i++) {
        const subscriber = sessions[owners[i]!]!;
        const at = naive.findIndex((each) => each.subscriber === subscriber && each.filter === filters[i]);
        if (at !== -1) naive.splice(at, 1);
      }
    },
  };
  const [oursRemove, qlobberRemove, naiveRemove] = timedPasses(
    count,
    plan,
    withNaive ? [removeOurs, removeQlobber, removeNaive] : [removeOurs, removeQlobber],
  );
  rows.push({
    name: `remove, ${label} subscriptions`,
    unit: 'ops/s',
    ours: oursRemove!,
    qlobber: qlobberRemove!,
    ...optional(naiveRemove),
  });
  blackhole.sink += ours.subscriptionCount + qlobber.subscriptionsCount + naive.length;
}

/** Memory per subscription and match throughput; the structures are dropped when it returns. */
function matchAndMemory(
  label: string,
  count: number,
  work: Workload,
  sessions: Session[],
  clientIds: string[],
  withNaive: boolean,
): void {
  // Memory: heap growth of one build over a baseline that already holds the workload's strings.
  let base = heapUsed();
  const ours = buildOurs(work, sessions);
  const oursBytes = (heapUsed() - base) / count;
  base = heapUsed();
  const qlobber = buildQlobber(work, clientIds);
  const qlobberBytes = (heapUsed() - base) / count;
  base = heapUsed();
  const naive = withNaive ? buildNaive(work, sessions) : [];
  const naiveBytes = withNaive ? (heapUsed() - base) / count : undefined;

  const topics = work.topics;
  const contenders = [
    (i: number) => ours.match(topics[i % topics.length]!).length,
    (i: number) => qlobber.match(topics[i % topics.length]!).length,
  ];
  if (withNaive) contenders.push((i: number) => naiveMatch(naive, topics[i % topics.length]!).length);
  const [oursMatch, qlobberMatch, naiveMatchRate] = interleaved(
    contenders,
    [5_000_000, 5_000_000, 100_000],
    3,
  );
  let oursHits = 0;
  let qlobberHits = 0;
  for (let i = 0; i < 1000; i++) {
    oursHits += ours.match(topics[i]!).length;
    qlobberHits += qlobber.match(topics[i]!).length;
  }
  rows.push({
    name: `match, ${label} subscriptions (avg ${(oursHits / 1000).toFixed(1)} receivers; qlobber ${(qlobberHits / 1000).toFixed(1)} unmerged)`,
    unit: 'ops/s',
    ours: oursMatch!,
    qlobber: qlobberMatch!,
    ...optional(naiveMatchRate),
  });
  rows.push({
    name: `memory per subscription, ${label}`,
    unit: 'bytes',
    ours: oursBytes,
    qlobber: qlobberBytes,
    ...optional(naiveBytes),
    lowerIsBetter: true,
  });
}

function optional(naive: number | undefined): { naive?: number } {
  return naive === undefined ? {} : { naive };
}

function benchRetained(sites: number): void {
  const { topics, filters } = retainedWorkload(sites, 10_000, 0xbeef);
  const label = `${topics.length / 1000}k`;
  process.stderr.write(`retained ${label}: build and match\n`);
  const values = topics.map((topic) => ({ topic }));
  // The naive store is what Aedes's memory persistence keeps: a Map from topic to packet.
  let base = heapUsed();
  let start = performance.now();
  const index = new RetainedIndex<{ topic: string }>();
  for (let i = 0; i < topics.length; i++) index.set(topics[i]!, values[i]!);
  const oursSet = (topics.length / (performance.now() - start)) * 1000;
  const oursBytes = (heapUsed() - base) / topics.length;
  base = heapUsed();
  start = performance.now();
  const naive = new Map<string, { topic: string }>();
  for (let i = 0; i < topics.length; i++) naive.set(topics[i]!, values[i]!);
  const naiveSet = (topics.length / (performance.now() - start)) * 1000;
  const naiveBytes = (heapUsed() - base) / topics.length;
  let found = 0;
  const count = () => {
    found++;
  };
  const [oursMatch, naiveMatch] = interleaved(
    [
      (i) => {
        found = 0;
        index.forEachMatch(filters[i % filters.length]!, count);
        return found;
      },
      (i) => {
        const filter = filters[i % filters.length]!;
        let hits = 0;
        for (const topic of naive.keys()) if (matches(filter, topic)) hits++;
        return hits;
      },
    ],
    [2_000_000, 20_000],
    2,
  );
  let total = 0;
  for (let i = 0; i < 1000; i++) total += index.match(filters[i]!).length;
  rows.push({
    name: `retained match, ${label} topics (avg ${(total / 1000).toFixed(0)} hits per wildcard filter)`,
    unit: 'ops/s',
    ours: oursMatch!,
    naive: naiveMatch!,
  });
  rows.push({ name: `retained set, ${label} topics`, unit: 'ops/s', ours: oursSet, naive: naiveSet });
  rows.push({
    name: `memory per retained topic, ${label}`,
    unit: 'bytes',
    ours: oursBytes,
    naive: naiveBytes,
    lowerIsBetter: true,
  });
}

function format(value: number | undefined, unit: string): string {
  if (value === undefined) return '-';
  if (Number.isNaN(value)) return 'n/a (run with --expose-gc)';
  if (unit === 'bytes') return `${value.toFixed(0)} B`;
  return Math.round(value).toLocaleString('en-US');
}

function ratio(ours: number, other: number | undefined, lowerIsBetter: boolean | undefined): string {
  if (other === undefined || Number.isNaN(other) || Number.isNaN(ours)) return '-';
  return `${(lowerIsBetter === true ? ours / other : ours / other).toFixed(2)}x`;
}

const started = performance.now();
benchSubscriptions(10_000, true);
benchSubscriptions(1_000_000, false);
benchRetained(100);

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const qlobberVersion = (require('qlobber/package.json') as { version: string }).version;
console.log(`\n### @mqttkit/topic vs qlobber ${qlobberVersion} (Aedes options) vs naive scan\n`);
console.log(
  `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} x ${cpu}, ` +
    `${Math.round(os.totalmem() / 2 ** 30)} GiB; ${((performance.now() - started) / 1000).toFixed(0)} s. ` +
    'Ratios are ours / other: above 1 is faster for ops/s; for bytes, below 1 is smaller.\n',
);
console.log('| benchmark | unit | ours | qlobber | naive | ours/qlobber | ours/naive |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) {
  console.log(
    `| ${row.name} | ${row.unit} | ${format(row.ours, row.unit)} | ${format(row.qlobber, row.unit)} | ` +
      `${format(row.naive, row.unit)} | ${ratio(row.ours, row.qlobber, row.lowerIsBetter)} | ` +
      `${ratio(row.ours, row.naive, row.lowerIsBetter)} |`,
  );
}
if (blackhole.sink === 0.5) console.log('unreachable');
