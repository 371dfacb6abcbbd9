import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { SecureContext } from 'node:tls';
import { fileURLToPath } from 'node:url';
import {
  AEDES_OPTIONS,
  type CertificateFiles,
  MOSQUITTO_CONF,
  MQTTKIT_LIMITS,
  mosquittoListener,
  nodeListener,
  type TransportKind,
} from './settings.js';
import type { Endpoint } from './transport.js';

/** Messages between this process and a Node broker's servers/control.js. */
type ControlMessage = { type: 'gc' };
type ServerMessage = { type: 'ready'; port: number } | ({ type: 'gc-done' } & HeapFigures);

/** `process.memoryUsage()` of a Node broker right after a forced GC. */
export interface HeapFigures {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export type BrokerName = 'mqttkit' | 'aedes' | 'mosquitto';

export const HOST = '127.0.0.1';

/** Certificates for the TLS listeners, and the generator's client context trusting their CA. */
export interface Certificates extends CertificateFiles {
  clientContext: SecureContext;
}

/** How a broker under test listens: the row's transport, with certificates for TLS. */
export interface ListenerSetup {
  transport: TransportKind;
  certificates?: Certificates;
}

/** This broker cannot run this row at all (a missing build feature, say): its cell reads n/a. */
export class Unavailable extends Error {}

/** A broker running in its own process, on its own ephemeral port. */
export interface BrokerProcess {
  readonly name: BrokerName;
  readonly pid: number;
  readonly port: number;
  /** Where the generator connects: transport, address and, for TLS, the client context. */
  readonly endpoint: Endpoint;
  /** Full GC in a Node broker (`--expose-gc`) and its heap figures after it; Mosquitto: nothing. */
  gc(): Promise<HeapFigures | undefined>;
  /** Set if the process exited before `stop`. */
  readonly exitedEarly: string | undefined;
  /** What the process wrote to stdout/stderr (last 4 KiB). */
  readonly output: string;
  /** SIGTERM by PID, SIGKILL after 3 s. */
  stop(): Promise<void>;
}

const serversDir = fileURLToPath(new URL('../servers/', import.meta.url));
const appDir = fileURLToPath(new URL('../../', import.meta.url));
const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();

// Whatever way the bench ends (normally, by an error, or by Ctrl-C), no broker outlives it and no
// Mosquitto config directory is left behind (`@mqttkit/testkit` removes the certificates' on exit).
process.on('exit', () => {
  for (const child of live) if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

/** A fresh temporary directory, removed by `removeTempDir` or, at the latest, when the bench exits. */
function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

function endpointOf(listener: ListenerSetup, port: number): Endpoint {
  const endpoint: Endpoint = { transport: listener.transport, host: HOST, port };
  if (listener.transport === 'tls') endpoint.secureContext = listener.certificates!.clientContext;
  return endpoint;
}

/** The Mosquitto binary: PATH first, then the sbin directories Debian installs it to. */
export function findMosquitto(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, 'mosquitto');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

export function mosquittoVersion(binary: string): string {
  try {
    const text = execFileSync(binary, ['-h'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /version (\S+)/.exec(text)?.[1] ?? 'unknown';
  } catch (error) {
    const text = String((error as { stdout?: string }).stdout ?? '');
    return /version (\S+)/.exec(text)?.[1] ?? 'unknown';
  }
}

export async function startBroker(
  name: BrokerName,
  listener: ListenerSetup,
  mosquittoBinary?: string,
): Promise<BrokerProcess> {
  if (listener.transport === 'tls' && listener.certificates === undefined)
    throw new Error('a TLS row needs certificates');
  if (name === 'mosquitto') {
    if (mosquittoBinary === undefined) throw new Error('mosquitto binary not found');
    // The free port is found by binding and closing it, so another process may take it first: retry.
    for (let attempt = 1; ; attempt++) {
      try {
        return await startMosquitto(mosquittoBinary, listener);
      } catch (error) {
        if (attempt === 3 || error instanceof Unavailable) throw error;
      }
    }
  }
  return startNodeBroker(name, listener);
}

function track(child: ChildProcess): {
  output: () => string;
  exitedEarly: () => string | undefined;
  exit: Promise<void>;
} {
  let output = '';
  let exitedEarly: string | undefined;
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4096);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  live.add(child);
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      exitedEarly ??= `exit code ${code ?? '-'} signal ${signal ?? '-'}`;
      resolve();
    });
  });
  return { output: () => output, exitedEarly: () => exitedEarly, exit };
}

async function stopChild(child: ChildProcess, exit: Promise<void>): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  process.kill(pid, 'SIGTERM');
  const killed = await Promise.race([exit.then(() => true), sleep(3000).then(() => false)]);
  if (!killed) {
    process.kill(pid, 'SIGKILL');
    await exit;
  }
}

async function startNodeBroker(name: 'mqttkit' | 'aedes', listener: ListenerSetup): Promise<BrokerProcess> {
  // Both Node brokers run the same way: plain `node --expose-gc` on a JavaScript server script (no
  // loader in the broker process), options and listener as JSON in the environment, an IPC channel
  // for the port and GC requests.
  const options = name === 'mqttkit' ? MQTTKIT_LIMITS : AEDES_OPTIONS;
  const child = fork(join(serversDir, `${name}.js`), [], {
    cwd: appDir,
    // BENCH_BROKER_NODE_ARGS adds Node flags to both Node brokers, e.g. '--cpu-prof' or '--trace-gc'.
    execArgv: ['--expose-gc', ...(process.env.BENCH_BROKER_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    env: {
      ...process.env,
      BENCH_BROKER_OPTIONS: JSON.stringify(options),
      BENCH_LISTENER: JSON.stringify(nodeListener(listener.transport, listener.certificates)),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const tracked = track(child);
  const pending: Array<(heap: HeapFigures) => void> = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start in 20 s:\n${tracked.output()}`)),
      20_000,
    );
    child.on('message', (message: ServerMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.port);
      } else if (message.type === 'gc-done') {
        const { heapUsed, external, arrayBuffers } = message;
        pending.shift()?.({ heapUsed, external, arrayBuffers });
      }
    });
    void tracked.exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited during start-up:\n${tracked.output()}`));
    });
  });
  let stopping = false;
  return {
    name,
    pid: child.pid!,
    port,
    endpoint: endpointOf(listener, port),
    gc: () =>
      new Promise<HeapFigures | undefined>((resolve) => {
        if (!child.connected) {
          resolve(undefined);
          return;
        }
        pending.push(resolve);
        child.send({ type: 'gc' } satisfies ControlMessage);
      }),
    get exitedEarly() {
      return stopping ? undefined : tracked.exitedEarly();
    },
    get output() {
      return tracked.output();
    },
    stop: async () => {
      stopping = true;
      await stopChild(child, tracked.exit);
    },
  };
}

async function startMosquitto(binary: string, listener: ListenerSetup): Promise<BrokerProcess> {
  const ports = [await freePort(), listener.transport === 'ws' ? await freePort() : 0] as const;
  const [port] = ports;
  const dir = makeTempDir('mqttkit-bench-mosquitto-');
  const conf = join(dir, 'mosquitto.conf');
  const listenerLines = mosquittoListener(listener.transport, ports, listener.certificates);
  writeFileSync(conf, [...listenerLines, ...MOSQUITTO_CONF, ''].join('\n'));
  const child = spawn(binary, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const tracked = track(child);
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (tracked.exitedEarly() !== undefined || Date.now() > deadline) {
      removeTempDir(dir);
      await stopChild(child, tracked.exit);
      const output = tracked.output();
      // What a Mosquitto built without libwebsockets says about `protocol websockets`.
      if (/websockets support not available/i.test(output)) {
        throw new Unavailable('this Mosquitto build has no WebSocket support');
      }
      throw new Error(`mosquitto did not start:\n${output}`);
    }
    await sleep(50);
  }
  let stopping = false;
  return {
    name: 'mosquitto',
    pid: child.pid!,
    port,
    endpoint: endpointOf(listener, port),
    gc: async () => undefined,
    get exitedEarly() {
      return stopping ? undefined : tracked.exitedEarly();
    },
    get output() {
      return tracked.output();
    },
    stop: async () => {
      stopping = true;
      await stopChild(child, tracked.exit);
      removeTempDir(dir);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ─── /proc sampling ──────────────────────────────────────────────────────────

let clockTicks = 0;

function ticksPerSecond(): number {
  if (clockTicks === 0) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system, all threads) a process has used, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the file.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
}

/** Resident set size in bytes, from VmRSS in /proc/<pid>/status. */
export function processRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kib) * 1024;
}

/** The open-file limit of this process (soft), from /proc/self/limits. */
export function openFileLimit(): number {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1];
  return soft === undefined || soft === 'unlimited' ? 1_000_000 : Number(soft);
}

/** CPU seconds the whole machine spent busy (all cores, everything but idle and iowait), from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return (total - ticks[3]! - ticks[4]!) / ticksPerSecond();
}

/**
 * Wait (at most `maxMs`) until the machine is nearly idle: under `threshold` of one core busy over
 * 500 ms. On a shared machine this keeps other jobs' bursts out of most measurements; the CPU table
 * still shows what the rest of the machine used during each window. Resolves with the ms waited.
 */
export async function waitForQuiet(maxMs: number, threshold = 0.25): Promise<number> {
  const started = Date.now();
  for (;;) {
    const before = machineBusySeconds();
    await sleep(500);
    if ((machineBusySeconds() - before) / 0.5 < threshold || Date.now() - started >= maxMs) {
      return Date.now() - started;
    }
  }
}

/**
 * CPU over a window, as fractions of one core: this process (the generator, all threads), the
 * broker's process (all threads), and everything else on the machine (other processes, plus kernel
 * work not charged to either process).
 */
export class CpuMeter {
  private readonly wallStart = process.hrtime.bigint();
  private readonly selfStart = process.cpuUsage();
  private readonly brokerPid: number;
  private readonly brokerStart: number;
  private readonly machineStart = machineBusySeconds();

  constructor(brokerPid: number) {
    this.brokerPid = brokerPid;
    this.brokerStart = processCpuSeconds(brokerPid);
  }

  stop(): { seconds: number; generator: number; broker: number; rest: number } {
    const seconds = Number(process.hrtime.bigint() - this.wallStart) / 1e9;
    const self = process.cpuUsage(this.selfStart);
    const generator = (self.user + self.system) / 1e6 / seconds;
    const broker = (processCpuSeconds(this.brokerPid) - this.brokerStart) / seconds;
    const machine = (machineBusySeconds() - this.machineStart) / seconds;
    return { seconds, generator, broker, rest: Math.max(0, machine - generator - broker) };
  }
}
