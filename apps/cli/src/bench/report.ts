/**
 * What the bench prints: one live line per second, and a summary at the end as text or JSON
 * (`--json`: the summary alone goes to stdout, live lines to stderr).
 */
import type { LatencyHistogram, LatencySummary } from './histogram.js';

/** Latency percentiles in milliseconds. */
export interface LatencyMs {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** The end-of-run summary (`--json` prints exactly this object). */
export interface BenchSummary {
  mode: 'conn' | 'pub' | 'sub';
  /** host:port. */
  broker: string;
  protocolVersion: number;
  clients: { requested: number; connected: number; failed: number; lost: number };
  /** Seconds of the measured phase (first message to last, or the connect phase for conn). */
  durationSeconds: number;
  /** pub and sub only. */
  messages?: {
    topic: string;
    qos: number;
    payloadBytes?: number;
    /** Messages published (pub) or received (sub). */
    count: number;
    bytes: number;
    /** count / durationSeconds. */
    ratePerSecond: number;
    /** The best one-second interval. */
    peakPerSecond: number;
    /** pub, QoS 1/2: messages acknowledged (PUBACK / PUBCOMP). */
    acked?: number;
    /** pub: messages the rate asked for but that could not be sent in time (the client fell behind). */
    skipped?: number;
  };
  /** sub: end to end (payload timestamp to arrival); pub at QoS 1/2: PUBLISH to PUBACK/PUBCOMP. */
  latencyMs?: (LatencyMs & { kind: 'end-to-end' | 'ack' }) | undefined;
  /** TCP connect to CONNACK. */
  connectMs: LatencyMs;
  /** CPU use as % of one core over the run: this process, and the broker with --broker-pid. */
  cpuPercent: { self: number; broker: number | null };
  /** Failure reasons and how often each happened. */
  errors: Record<string, number>;
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A histogram's summary in milliseconds (rounded to microseconds). */
export function latencyMs(summary: LatencySummary): LatencyMs {
  return {
    count: summary.count,
    min: round(summary.min / 1000),
    mean: round(summary.mean / 1000),
    p50: round(summary.p50 / 1000),
    p90: round(summary.p90 / 1000),
    p99: round(summary.p99 / 1000),
    p999: round(summary.p999 / 1000),
    max: round(summary.max / 1000),
  };
}

/** A count with thousands separators. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** `p50=0.81ms p90=1.20ms p99=3.40ms` from a histogram (empty string when it holds nothing). */
export function formatPercentiles(histogram: LatencyHistogram): string {
  if (histogram.count === 0) return '';
  const ms = (micros: number) => `${(micros / 1000).toFixed(micros < 10_000 ? 2 : 1)}ms`;
  return `p50=${ms(histogram.percentile(50))} p90=${ms(histogram.percentile(90))} p99=${ms(histogram.percentile(99))}`;
}

/** `cpu=63% broker=99%` (broker only when measured). */
export function formatCpu(cpu: { self: number; broker: number | undefined }): string {
  return `cpu=${Math.round(cpu.self)}%${cpu.broker === undefined ? '' : ` broker=${Math.round(cpu.broker)}%`}`;
}

/** The summary as a few readable lines. */
export function formatSummary(summary: BenchSummary): string {
  const lines = [
    `bench ${summary.mode} summary: ${summary.broker}, MQTT level ${summary.protocolVersion}, ${summary.durationSeconds.toFixed(2)} s`,
    `  clients: ${summary.clients.connected}/${summary.clients.requested} connected, ${summary.clients.failed} failed, ${summary.clients.lost} lost; connect p50=${summary.connectMs.p50}ms p99=${summary.connectMs.p99}ms`,
  ];
  const m = summary.messages;
  if (m !== undefined) {
    const verb = summary.mode === 'pub' ? 'published' : 'received';
    const acked = m.acked === undefined ? '' : `, ${formatCount(m.acked)} acknowledged`;
    const skipped = m.skipped ? `, ${formatCount(m.skipped)} skipped (behind schedule)` : '';
    lines.push(
      `  messages: ${formatCount(m.count)} ${verb} (${formatCount(m.bytes)} bytes) at ${formatCount(m.ratePerSecond)} msg/s, peak ${formatCount(m.peakPerSecond)} msg/s${acked}${skipped}`,
    );
  }
  const l = summary.latencyMs;
  if (l !== undefined && l.count > 0) {
    lines.push(
      `  ${l.kind} latency (ms, ${formatCount(l.count)} samples): min=${l.min} mean=${l.mean} p50=${l.p50} p90=${l.p90} p99=${l.p99} p99.9=${l.p999} max=${l.max}`,
    );
  }
  const broker =
    summary.cpuPercent.broker === null ? '' : `, broker ${Math.round(summary.cpuPercent.broker)}%`;
  lines.push(`  cpu (% of one core): bench ${Math.round(summary.cpuPercent.self)}%${broker}`);
  for (const [reason, count] of Object.entries(summary.errors)) lines.push(`  error x${count}: ${reason}`);
  return `${lines.join('\n')}\n`;
}

/** Prints live lines and the summary where `--json` wants them. */
export class BenchOutput {
  readonly #json: boolean;
  readonly #quiet: boolean;

  /** Output for a run with `--json` / `--quiet`. */
  constructor(json: boolean, quiet: boolean) {
    this.#json = json;
    this.#quiet = quiet;
  }

  /** One live line (stderr with --json, so stdout holds only the JSON). */
  live(line: string): void {
    if (this.#quiet) return;
    (this.#json ? process.stderr : process.stdout).write(`${line}\n`);
  }

  /** The summary: JSON on stdout with --json, else text. */
  summary(summary: BenchSummary): void {
    process.stdout.write(this.#json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
  }
}
