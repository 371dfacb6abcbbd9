/**
 * Helpers that run Debian's `mosquitto`, `mosquitto_pub` and `mosquitto_sub` as reference peers.
 * Every process is spawned by us, bound to 127.0.0.1, bounded in time, and stopped by its own PID
 * (`ChildProcess.kill`), never by name. Anything still running when the test process exits is killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_TIMEOUT_MS } from './raw-connection.js';
import type { RawPayload } from './raw-packets.js';

/**
 * The tools these helpers need: Debian's mosquitto packages, and coreutils' `stdbuf`, which makes
 * `mosquitto_sub -d` flush each line so the helpers see its SUBACK (it flushes only messages itself).
 */
export const MOSQUITTO_TOOLS = ['mosquitto', 'mosquitto_pub', 'mosquitto_sub', 'stdbuf'] as const;

/** Directories searched after PATH: Debian installs the broker in /usr/sbin, often not on a user's PATH. */
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin'];

/** Output kept per process, so a chatty broker cannot grow memory without bound. */
const MAX_LOG_CHARS = 64 * 1024;

/** Finds an executable on PATH, then in /usr/sbin and /usr/local/sbin; undefined when absent. */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== ''), ...SBIN_DIRS];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      if (statSync(path).isFile()) return path;
    } catch {
      // Not here; try the next directory.
    }
  }
  return undefined;
}

/** The mosquitto tools that cannot be found (empty when all are installed). */
export function missingMosquittoTools(): string[] {
  return MOSQUITTO_TOOLS.filter((tool) => findExecutable(tool) === undefined);
}

/** True when `mosquitto`, `mosquitto_pub`, `mosquitto_sub` and `stdbuf` can all be found. */
export function mosquittoAvailable(): boolean {
  return missingMosquittoTools().length === 0;
}

/** Asks the system for a free TCP port on `host` by binding port 0 and releasing it. */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string')
          reject(new Error('findFreePort: no TCP address'));
        else resolve(address.port);
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Process plumbing
// ---------------------------------------------------------------------------------------------

/** How a tool run ended: exit code (null when killed), signal, output, and whether our timeout killed it. */
export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Children still running, killed by PID if the test process exits or is terminated first. */
const live = new Set<ChildProcess>();
/** Temp directories of running brokers, removed along with them. */
const tempDirs = new Set<string>();

function killLive(): void {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

/**
 * Test runners end their workers with SIGTERM (Vitest does), which skips 'exit' handlers. While we
 * have children we listen for it, kill them, and re-raise the signal if nobody else handles it.
 */
function onSigterm(): void {
  killLive();
  stopWatchingExit();
  if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
}

function stopWatchingExit(): void {
  process.off('exit', killLive);
  process.off('SIGTERM', onSigterm);
}

function track(child: ChildProcess): void {
  if (live.size === 0) {
    process.on('exit', killLive);
    process.on('SIGTERM', onSigterm);
  }
  live.add(child);
  child.once('exit', () => {
    live.delete(child);
    if (live.size === 0) stopWatchingExit();
  });
}

/** Keeps the last `MAX_LOG_CHARS` characters of a stream. */
function appendBounded(log: string, chunk: string): string {
  const next = log + chunk;
  return next.length > MAX_LOG_CHARS ? next.slice(-MAX_LOG_CHARS) : next;
}

/** A spawned tool: its output so far, its exit, and a bounded stop. */
interface Running {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout: string;
  stderr: string;
  /** Resolves once the process has exited and its output pipes are drained ('close'). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it has not exited after a second; resolves on exit. */
  stop(): Promise<void>;
}

/** Finds a tool or throws a message saying where it was looked for. */
function requireExecutable(name: string): string {
  const path = findExecutable(name);
  if (path === undefined) throw new Error(`${name} not found on PATH, /usr/sbin or /usr/local/sbin`);
  return path;
}

/**
 * Spawns a tool; `lineBuffered` runs it under `stdbuf -oL`, which execs the tool in place, so the PID
 * we hold is still the tool's own.
 */
function startTool(
  name: string,
  args: readonly string[],
  options: { input?: RawPayload; lineBuffered?: boolean } = {},
): Running {
  const { input, lineBuffered = false } = options;
  const path = requireExecutable(name);
  const [command, argv] = lineBuffered
    ? [requireExecutable('stdbuf'), ['-oL', path, ...args]]
    : [path, [...args]];
  const child = spawn(command, argv, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  // Without listeners, a failed spawn or a tool that exits before reading stdin (EPIPE) would crash
  // the test process; the exit code and stderr already tell the story.
  child.on('error', () => {});
  child.stdin?.on('error', () => {});
  if (child.pid === undefined) throw new Error(`${name} could not be spawned from ${command}`);
  track(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const running: Running = {
    child,
    pid: child.pid,
    stdout: '',
    stderr: '',
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const escalate = setTimeout(() => child.kill('SIGKILL'), 1000);
        await exited;
        clearTimeout(escalate);
      }
    },
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    running.stdout = appendBounded(running.stdout, chunk);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    running.stderr = appendBounded(running.stderr, chunk);
  });
  child.stdin?.end(input);
  return running;
}

/** Waits for `running` to exit by itself within `timeoutMs`; otherwise stops it and marks the result. */
async function finish(running: Running, timeoutMs: number, stdout: () => string): Promise<ToolResult> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void running.stop();
  }, timeoutMs);
  const { code, signal } = await running.exited;
  clearTimeout(timer);
  return { code, signal, stdout: stdout(), stderr: running.stderr, timedOut };
}

/** Adds `-h 127.0.0.1` unless the arguments already name a host or URL: tests stay on loopback. */
function onLoopback(args: readonly string[]): string[] {
  const namesHost = args.some((a) => a === '-h' || a === '--host' || a === '-L' || a === '--url');
  return namesHost ? [...args] : ['-h', '127.0.0.1', ...args];
}

/** Options of `mosquittoPub` and `mosquittoSub`. */
export interface ToolOptions {
  /** Kill the tool if it has not exited after this long; default `DEFAULT_TIMEOUT_MS`. */
  timeoutMs?: number;
  /** Bytes written to the tool's stdin (for `-s` or `-l`). */
  input?: RawPayload;
}

/** Runs `mosquitto_pub` with `args` (plus `-h 127.0.0.1` unless a host is given) and waits for it to exit. */
export function mosquittoPub(args: readonly string[], options: ToolOptions = {}): Promise<ToolResult> {
  const running = startTool('mosquitto_pub', onLoopback(args), options);
  return finish(running, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, () => running.stdout);
}

// ---------------------------------------------------------------------------------------------
// mosquitto_sub
// ---------------------------------------------------------------------------------------------

/** Lines `mosquitto_sub -d` prints about its own packets, told apart from message output. */
const DEBUG_LINE = /^(?:Client .* (?:sending|received) [A-Z]+|Subscribed \(mid: \d+\))/;
const SUBSCRIBED_LINE = /^Subscribed \(mid: \d+\)/;

/** Options of `mosquittoSub`. */
export interface MosquittoSubOptions extends ToolOptions {
  /**
   * Called once the broker has acknowledged the subscription (for example to publish); the result is
   * awaited. With it, `-d` is added and its lines are kept out of `stdout`.
   */
  whenSubscribed?: () => unknown;
}

/**
 * Runs `mosquitto_sub` with `args` until it exits by itself (use `-C count` or `-W seconds`) or the
 * timeout kills it (`timedOut` in the result).
 */
export async function mosquittoSub(
  args: readonly string[],
  options: MosquittoSubOptions = {},
): Promise<ToolResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (options.whenSubscribed === undefined) {
    const running = startTool('mosquitto_sub', onLoopback(args), options);
    return finish(running, timeoutMs, () => running.stdout);
  }
  const deadline = Date.now() + timeoutMs;
  const sub = await spawnMosquittoSub(args, { timeoutMs });
  try {
    await options.whenSubscribed();
  } catch (error) {
    await sub.stop();
    throw error;
  }
  return sub.wait(Math.max(0, deadline - Date.now()));
}

/** A long-running `mosquitto_sub`, subscribed and collecting output lines until it is stopped. */
export interface MosquittoSubProcess extends AsyncDisposable {
  readonly pid: number;
  /** Output lines so far (messages; `-d` debug lines removed), without their newline. */
  readonly lines: readonly string[];
  /** Resolves with the lines once at least `count` have arrived; rejects on timeout or exit, showing what came. */
  waitForLines(count: number, timeoutMs?: number): Promise<string[]>;
  /** Waits for the tool to exit by itself (after `-C`), stopping it on timeout. */
  wait(timeoutMs?: number): Promise<ToolResult>;
  /** Stops the tool by its PID and returns the message lines printed before it was told to stop. */
  stop(): Promise<ToolResult>;
}

/** Options of `spawnMosquittoSub`. */
export interface SpawnMosquittoSubOptions {
  /** Bound on connecting and subscribing; default `DEFAULT_TIMEOUT_MS`. */
  timeoutMs?: number;
}

/**
 * Starts `mosquitto_sub` with `args` (plus `-d` and `-h 127.0.0.1`) and resolves once the broker has
 * acknowledged the subscription, so a test can publish without racing the SUBSCRIBE.
 */
export async function spawnMosquittoSub(
  args: readonly string[],
  options: SpawnMosquittoSubOptions = {},
): Promise<MosquittoSubProcess> {
  if (args.includes('-N'))
    throw new Error('spawnMosquittoSub reads output by line; -N (no newline) is not supported');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const running = startTool('mosquitto_sub', onLoopback(args.includes('-d') ? args : ['-d', ...args]), {
    lineBuffered: true,
  });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  let subscribed = false;
  let partial = '';
  const take = (line: string) => {
    if (SUBSCRIBED_LINE.test(line)) subscribed = true;
    if (!DEBUG_LINE.test(line)) lines.push(line);
  };
  running.child.stdout?.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) take(line);
    for (const notify of [...listeners]) notify();
  });
  let hasExited = false;
  void running.exited.then(() => {
    hasExited = true;
    if (partial !== '') take(partial);
    partial = '';
    for (const notify of [...listeners]) notify();
  });
  const describe = () =>
    `mosquitto_sub ${args.join(' ')} (pid ${running.pid})` +
    `; lines so far: ${JSON.stringify(lines)}${running.stderr === '' ? '' : `; stderr: ${running.stderr.trim()}`}`;

  /** Waits until `ready()` holds, or rejects on exit or timeout. */
  const until = (ready: () => boolean, what: string, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const poll = () => {
        if (ready()) settle();
        else if (hasExited) settle(new Error(`${describe()}: exited before ${what}`));
      };
      const settle = (error?: Error) => {
        clearTimeout(timer);
        listeners.delete(poll);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => settle(new Error(`${describe()}: no ${what} within ${ms} ms`)), ms);
      listeners.add(poll);
      poll();
    });

  const stdout = () => lines.map((line) => `${line}\n`).join('');
  try {
    await until(() => subscribed, 'SUBACK', timeoutMs);
  } catch (error) {
    await running.stop();
    throw error;
  }
  const stop = async () => {
    // What the tool prints once told to stop is shutdown noise, not messages: mosquitto_sub 2.0.11 may
    // print its last line again when SIGTERM interrupts a write (seen on this machine's CI runs).
    const received = lines.length;
    await running.stop();
    lines.length = received;
    return finish(running, 0, stdout);
  };
  return {
    pid: running.pid,
    lines,
    async waitForLines(count, ms = DEFAULT_TIMEOUT_MS) {
      await until(() => lines.length >= count, `${count} output lines`, ms);
      return [...lines];
    },
    wait: (ms = DEFAULT_TIMEOUT_MS) => finish(running, ms, stdout),
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The broker
// ---------------------------------------------------------------------------------------------

/** Options of `startMosquitto`. */
export interface MosquittoOptions {
  /** Port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** Extra configuration lines, appended after `listener <port> 127.0.0.1` and `allow_anonymous true`. */
  config?: string | readonly string[];
  /** Bound on the broker starting to accept connections; default `DEFAULT_TIMEOUT_MS`. */
  startTimeoutMs?: number;
}

/** A running mosquitto broker; `stop` (or `await using`) kills its PID and removes its temp files. */
export interface MosquittoBroker extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** The generated configuration file (removed on stop). */
  readonly configPath: string;
  /** What the broker has logged so far (its last 64 KiB). */
  log(): string;
  stop(): Promise<void>;
}

/** Thrown inside `startMosquitto` when the picked port was taken between picking and binding. */
class PortTakenError extends Error {}

/** Starts mosquitto on 127.0.0.1 with a temp config and resolves once its port accepts connections. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoBroker> {
  const fixedPort = options.port !== undefined && options.port !== 0;
  // A free port can be taken by another process before mosquitto binds it; pick again a few times.
  for (let attempt = 1; ; attempt++) {
    const port = fixedPort ? (options.port as number) : await findFreePort();
    try {
      return await startMosquittoOn(port, options);
    } catch (error) {
      if (fixedPort || attempt >= 3 || !(error instanceof PortTakenError)) throw error;
    }
  }
}

async function startMosquittoOn(port: number, options: MosquittoOptions): Promise<MosquittoBroker> {
  const host = '127.0.0.1';
  const dir = await mkdtemp(join(tmpdir(), 'mqttkit-mosquitto-'));
  tempDirs.add(dir);
  const configPath = join(dir, 'mosquitto.conf');
  const extra = typeof options.config === 'string' ? [options.config] : (options.config ?? []);
  const config = [`listener ${port} ${host}`, 'allow_anonymous true', 'log_dest stderr', ...extra];
  await writeFile(configPath, `${config.join('\n')}\n`);
  let running: Running;
  try {
    running = startTool('mosquitto', ['-c', configPath]);
  } catch (error) {
    tempDirs.delete(dir);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const log = () => running.stdout + running.stderr;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= running.stop().then(() => {
      tempDirs.delete(dir);
      return rm(dir, { recursive: true, force: true });
    });
    return stopping;
  };
  const isAlive = () => running.child.exitCode === null && running.child.signalCode === null;
  const deadline = Date.now() + (options.startTimeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (;;) {
    if (!isAlive()) {
      await stop();
      const message = `mosquitto exited during startup on port ${port}:\n${log()}`;
      throw log().includes('Address already in use') ? new PortTakenError(message) : new Error(message);
    }
    if (await acceptsAll(listenerPorts(config), host)) {
      // The probe could have reached another process on a just-taken port; mosquitto must still be up.
      await sleep(20);
      if (isAlive()) break;
      continue;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `mosquitto did not accept connections on ${host}:${listenerPorts(config).join(', ')} in time:\n${log()}`,
      );
    }
    await sleep(25);
  }
  return {
    host,
    port,
    pid: running.pid,
    configPath,
    log,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * Every port a `listener <port> [address]` line of the config opens: extra listeners (a websockets one,
 * say) may start after the first, so readiness means all of them accept.
 */
export function listenerPorts(config: readonly string[]): number[] {
  const ports: number[] = [];
  for (const line of config) {
    const match = /^\s*listener\s+(\d+)/.exec(line);
    if (match !== null) ports.push(Number(match[1]));
  }
  return ports;
}

async function acceptsAll(ports: readonly number[], host: string): Promise<boolean> {
  for (const port of ports) if (!(await accepts(port, host))) return false;
  return true;
}

/** True when a TCP connection to `host:port` succeeds (the probe is closed at once). */
function accepts(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
