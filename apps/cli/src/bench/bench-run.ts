/**
 * The lifecycle every bench mode shares: open the clients at the connect rate, print a live line per
 * second, stop on the duration, the limit, Ctrl-C or when no client could connect, then close every
 * connection and print the summary. The mode itself (a `BenchRole`) generates or counts messages.
 */
import { ExitCode } from '../cli-error.js';
import type { BenchArgs } from './bench-args.js';
import { Connector, type RoleHandler } from './connector.js';
import { CpuMeter } from './cpu.js';
import {
  type BenchOutput,
  type BenchSummary,
  formatCount,
  formatCpu,
  formatPercentiles,
  latencyMs,
} from './report.js';

/** A bench mode: a role for the clients plus what it adds to live lines and the summary. */
export interface BenchRole extends RoleHandler {
  /** Called once with the connector before clients open. */
  attach(connector: Connector): void;
  /** Resolves when `--duration` starts counting (pub: first connection; sub: at once; conn: all connected). */
  readonly durationStart: Promise<void>;
  /** Resolves when the role is done by itself (the `-L` limit reached); may never resolve. */
  readonly finished: Promise<void>;
  /** The role's part of a live line, covering the second since the previous call. */
  liveLine(): string;
  /** Stops generating and waits (bounded) for what is in flight. */
  stop(): Promise<void>;
  /** The mode-specific part of the summary. */
  summary(): Pick<BenchSummary, 'durationSeconds' | 'messages' | 'latencyMs'>;
}

/** How long closing every connection may take. */
const END_TIMEOUT_MS = 3000;

/** Runs a bench with `role`; resolves with the exit code (1 when no client could connect). */
export async function runBenchRole(args: BenchArgs, role: BenchRole, output: BenchOutput): Promise<number> {
  const connector = new Connector(args, role);
  role.attach(connector);
  const cpu = new CpuMeter(args.brokerPid);
  const started = performance.now();

  let stopReason: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stopReason = resolve;
  });
  const onSignal = () => stopReason();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let durationTimer: NodeJS.Timeout | undefined;
  void role.durationStart.then(() => {
    if (args.durationMs > 0) durationTimer = setTimeout(stopReason, args.durationMs);
  });
  void connector.allSettled.then(() => {
    if (connector.connected === 0) stopReason();
  });
  void role.finished.then(stopReason);

  const ticker = setInterval(() => {
    connector.pingIdle();
    const seconds = Math.round((performance.now() - started) / 1000);
    const clients = `clients=${connector.open}/${args.clients}${connector.failed > 0 ? ` failed=${connector.failed}` : ''}`;
    output.live(
      `[bench ${args.mode}] ${seconds}s ${clients} ${role.liveLine()} ${formatCpu(cpu.sample())}`.replace(
        / +/g,
        ' ',
      ),
    );
  }, 1000);

  connector.start();
  await stopped;
  clearInterval(ticker);
  clearTimeout(durationTimer);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  connector.stop();
  await role.stop();
  const cpuTotal = cpu.total();
  await Promise.all(connector.clients.map((client) => client.end(END_TIMEOUT_MS)));

  const summary: BenchSummary = {
    mode: args.mode,
    broker: `${args.host}:${args.port}`,
    protocolVersion: args.protocolVersion,
    clients: {
      requested: args.clients,
      connected: connector.connected,
      failed: connector.failed,
      lost: connector.lost,
    },
    ...role.summary(),
    connectMs: latencyMs(connector.connectLatency.summary()),
    cpuPercent: {
      self: Math.round(cpuTotal.self * 10) / 10,
      broker: cpuTotal.broker === undefined ? null : Math.round(cpuTotal.broker * 10) / 10,
    },
    errors: Object.fromEntries(connector.errors),
  };
  output.summary(summary);
  return connector.connected === 0 ? ExitCode.Error : ExitCode.Ok;
}

/** `connected=500 (+120/s) connect p50=...` for the conn role. */
export function connectLiveLine(connector: Connector): string {
  const line = `connect ${formatPercentiles(connector.intervalLatency)}`;
  connector.intervalLatency.reset();
  return `connected=${formatCount(connector.connected)} ${line}`;
}
