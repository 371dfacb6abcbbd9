import type { BrokerName } from './brokers.js';
import type { RowResult, RowSpec } from './rows.js';

export type Cells = Partial<Record<BrokerName, RowResult>>;

export interface Measurement {
  row: RowSpec;
  cells: Cells;
  /** Brokers that cannot run this row at all, with the reason; their cells read n/a. */
  unavailable: Partial<Record<BrokerName, string>>;
}

const LABEL: Record<BrokerName, string> = { mqttkit: 'mqttkit', aedes: 'Aedes', mosquitto: 'Mosquitto' };

interface Line {
  label: string;
  unit: string;
  values: Partial<Record<BrokerName, number>>;
  /** `higher`: throughput; `lower`: latency and memory. */
  better: 'higher' | 'lower';
  target?: { peer: BrokerName; ratio: number; text: string };
  /** A rate the generator may have capped: marked † where the generator was near a full core. */
  rate?: boolean;
}

/** A window in which the generator used at least this share of a core may have been capped by it. */
export const GENERATOR_BOUND = 0.9;

function linesOf({ row, cells }: Measurement): Line[] {
  const pick = (get: (result: RowResult) => number | undefined): Partial<Record<BrokerName, number>> => {
    const values: Partial<Record<BrokerName, number>> = {};
    for (const [name, result] of Object.entries(cells) as Array<[BrokerName, RowResult]>) {
      const value = get(result);
      if (value !== undefined) values[name] = value;
    }
    return values;
  };
  const kind = Object.values(cells)[0]?.kind;
  if (kind === 'latency') {
    const latency = (key: 'p50Ms' | 'p99Ms' | 'maxMs') =>
      pick((result) => (result.kind === 'latency' ? result[key] : undefined));
    return [
      { label: `${row.title} p50`, unit: 'ms', values: latency('p50Ms'), better: 'lower' },
      {
        label: `${row.title} p99`,
        unit: 'ms',
        values: latency('p99Ms'),
        better: 'lower',
        target: { peer: 'mosquitto', ratio: 1, text: '≤ Mosquitto' },
      },
      { label: `${row.title} max`, unit: 'ms', values: latency('maxMs'), better: 'lower' },
    ];
  }
  if (kind === 'connect') {
    return [
      {
        label: row.title,
        unit: row.unit,
        values: pick((result) => (result.kind === 'connect' ? result.rate : undefined)),
        better: 'higher',
        rate: true,
      },
      {
        // What each connection cost the broker, whoever limited the rate.
        label: `${row.title}: broker CPU`,
        unit: 'µs/conn',
        values: pick((result) =>
          result.kind === 'connect'
            ? (result.cpu.broker * result.seconds * 1e6) / result.connections
            : undefined,
        ),
        better: 'lower',
      },
    ];
  }
  if (kind === 'idle') {
    return [
      {
        label: row.title,
        unit: row.unit,
        values: pick((result) => (result.kind === 'idle' ? result.bytesPerConnection : undefined)),
        better: 'lower',
        target: { peer: 'aedes', ratio: 1 / 3, text: '≤ 1/3 Aedes' },
      },
    ];
  }
  return [
    {
      label: row.title,
      unit: row.unit,
      values: pick((result) => (result.kind === 'throughput' ? result.rate : undefined)),
      better: 'higher',
      rate: true,
      // The throughput target is set for the TCP rows; TLS and WebSocket rows have none.
      ...(row.transport === 'tcp' ? { target: { peer: 'aedes', ratio: 2, text: '≥ 2× Aedes' } } : {}),
    },
  ];
}

function number(value: number | undefined, unit: string): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  if (unit === 'ms') return value < 10 ? value.toFixed(3) : value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

function ratio(line: Line, peer: BrokerName): number | undefined {
  const ours = line.values.mqttkit;
  const theirs = line.values[peer];
  if (ours === undefined || theirs === undefined || theirs === 0) return undefined;
  return ours / theirs;
}

function verdict(line: Line): string {
  const target = line.target;
  if (target === undefined) return '';
  const value = ratio(line, target.peer);
  if (value === undefined) return `${target.text}: –`;
  const met = line.better === 'higher' ? value >= target.ratio : value <= target.ratio;
  return `${target.text}: ${met ? 'met' : 'MISSED'}`;
}

function pct(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

export function renderReport(
  measurements: readonly Measurement[],
  brokers: readonly BrokerName[],
  environment: {
    date: string;
    node: string;
    cpus: string;
    loadAverage: string;
    versions: Record<BrokerName, string>;
  },
  failures: readonly string[],
  noisy: number,
  /** One paragraph on the TLS and WebSocket settings, shown under the CPU table when such rows ran. */
  transports?: string,
): string {
  const peers = brokers.filter((name) => name !== 'mqttkit');
  const out: string[] = [];
  out.push(
    `Broker benchmark, ${environment.date}: Node ${environment.node}, ${environment.cpus}; ` +
      brokers.map((name) => `${LABEL[name]} ${environment.versions[name]}`).join(', ') +
      `; load average ${environment.loadAverage}`,
    '',
  );
  out.push(
    `| Row | Unit | ${brokers.map((name) => LABEL[name]).join(' | ')} | ${peers.map((peer) => `mqttkit/${LABEL[peer]}`).join(' | ')} | Target |`,
    `|---|---|${brokers.map(() => '---:').join('|')}|${peers.map(() => '---:').join('|')}|---|`,
  );
  let anyNoisy = false;
  let anyGeneratorBound = false;
  for (const measurement of measurements) {
    for (const line of linesOf(measurement)) {
      const values = brokers.map((name) => {
        if (measurement.unavailable[name] !== undefined) return 'n/a';
        const result = measurement.cells[name];
        const cpu = result === undefined || result.kind === 'idle' ? undefined : result.cpu;
        const noisyMark = cpu !== undefined && cpu.rest > noisy ? ' *' : '';
        const generatorMark =
          line.rate === true && cpu !== undefined && cpu.generator >= GENERATOR_BOUND ? ' †' : '';
        if (noisyMark !== '') anyNoisy = true;
        if (generatorMark !== '') anyGeneratorBound = true;
        return `${number(line.values[name], line.unit)}${noisyMark}${generatorMark}`;
      });
      const ratios = peers.map((peer) => {
        const value = ratio(line, peer);
        return value === undefined ? '–' : `${value.toFixed(2)}×`;
      });
      out.push(
        `| ${line.label} | ${line.unit} | ${values.join(' | ')} | ${ratios.join(' | ')} | ${verdict(line)} |`,
      );
    }
  }
  out.push(
    '',
    'Ratios are mqttkit ÷ peer: above 1 is better for throughput, below 1 is better for latency and memory.',
    ...(anyNoisy
      ? [
          `\\* other work on the machine used more than ${Math.round(noisy * 100)}% of a core during this measurement (remeasured once where time allowed, quieter attempt kept); treat it as noisy.`,
        ]
      : []),
    ...(anyGeneratorBound
      ? [
          `† the generator (one Node process) used ${Math.round(GENERATOR_BOUND * 100)}% of a core or more: it may have capped this rate, which is then a lower bound for the broker. What the broker itself spent is its CPU share below (and, for connection rows, its CPU per connection above).`,
        ]
      : []),
    '',
    'CPU over each measured window as a share of one core: generator (this process, all threads) / broker (its process, /proc/<pid>/stat) / rest of the machine (other processes and unattributed kernel work; the machine has ' +
      `${environment.cpus.split(' ')[0]} cores), then messages lost (sent × matching subscribers − received, after a drain), or for connection rows the connections and the time they took:`,
    '',
    `| Row | ${brokers.map((name) => `${LABEL[name]} generator / broker / rest, lost`).join(' | ')} |`,
    `|---|${brokers.map(() => '---:').join('|')}|`,
  );
  for (const { row, cells, unavailable } of measurements) {
    const parts = brokers.map((name) => {
      const result = cells[name];
      const reason = unavailable[name];
      if (reason !== undefined) return `n/a: ${reason}`;
      if (result === undefined) return 'failed';
      if (result.kind === 'idle') {
        const heap =
          result.heapBytesPerConnection === undefined
            ? ''
            : `, JS heap + external ${Math.round(result.heapBytesPerConnection)} B/conn`;
        return `RSS ${(result.rssBeforeBytes / 2 ** 20).toFixed(1)} → ${(result.rssAfterBytes / 2 ** 20).toFixed(1)} MiB, ${result.connections} conns in ${result.connectSeconds.toFixed(1)} s${heap}`;
      }
      const { generator, broker, rest } = result.cpu;
      const cpu = `${pct(generator)} / ${pct(broker)} / ${pct(rest)}`;
      if (result.kind === 'connect')
        return `${cpu}, ${result.connections} conns in ${result.seconds.toFixed(2)} s`;
      const stalls = result.kind === 'throughput' && result.stalls > 0 ? ` (${result.stalls} stalls)` : '';
      return `${cpu}, ${result.lost}${stalls}`;
    });
    out.push(`| ${row.title} | ${parts.join(' | ')} |`);
  }
  if (transports !== undefined) out.push('', transports);
  if (failures.length > 0) {
    out.push('', 'Failures:', '', ...failures.map((failure) => `- ${failure.split('\n')[0]}`));
  }
  return out.join('\n');
}
