/**
 * Runs the BUILT `mqttkit-broker` binary as a child process for end-to-end tests: on 127.0.0.1, port
 * 0 by default, its JSON log lines parsed, every wait bounded, and stopped by its own PID.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The binary under test and the build output it loads. */
const BIN = fileURLToPath(new URL('../bin/mqttkit-broker.js', import.meta.url));
const DIST_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Default bound on every wait here. */
const TIMEOUT_MS = 10_000;

/** One JSON log line of the broker. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** How the process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running broker process. */
export interface BrokerProcess extends AsyncDisposable {
  readonly pid: number;
  /** Port of the first listener, from the "mqttkit-broker started" log line. */
  readonly port: number;
  readonly url: string;
  /** Every listener with its bound address, from the "mqttkit-broker started" log line. */
  readonly listeners: readonly { id: string; protocol: string; host: string; port: number }[];
  /** Port of the metrics endpoint (`--metrics-port`), when it is on. */
  readonly metricsPort: number | undefined;
  /** Log lines so far. */
  logs(): LogLine[];
  stdout(): string;
  stderr(): string;
  /** Resolves once the process has exited. */
  readonly exited: Promise<Exit>;
  /** Resolves with the first log line (from now on or already logged) that `match` accepts. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Sends `signal` to this process (by PID). */
  signal(signal: NodeJS.Signals): void;
  /** Waits for the exit, failing with the output if it takes longer than `timeoutMs`. */
  waitForExit(timeoutMs?: number): Promise<Exit>;
  /** SIGKILL if still running; resolves on exit. */
  kill(): Promise<void>;
}

/** Every process started here and not yet exited, for `killAll`. */
const live = new Set<ChildProcess>();

/** Kills (SIGKILL, by PID) every broker process still running; call in afterEach/afterAll. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Fails early, with the fix, when the binary has not been built. */
export function requireBuild(): void {
  if (!existsSync(DIST_MAIN)) {
    throw new Error(`${DIST_MAIN} is missing: build first (\`pnpm --filter mqttkit-broker test\` does)`);
  }
}

/** The parent's environment without MQTTKIT_* variables (so a developer's shell cannot leak in), plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('MQTTKIT_')),
  );
  return { ...clean, ...env };
}

interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<Exit>;
  onOutput: Set<() => void>;
}

function spawnBinary(args: readonly string[], env: Record<string, string>): Spawned {
  requireBuild();
  const child = spawn(process.execPath, [BIN, ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  let err = '';
  const onOutput = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const notify of [...onOutput]) notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
      for (const notify of [...onOutput]) notify();
    });
  });
  return { child, stdout: () => out, stderr: () => err, exited, onOutput };
}

function parseLogs(stdout: string): LogLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

/** Runs the binary to completion (for --help, bad configs, ...), killing it after `timeoutMs`. */
export async function runBinary(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = TIMEOUT_MS,
): Promise<Exit & { stdout: string; stderr: string }> {
  const spawned = spawnBinary(args, env);
  const timer = setTimeout(() => spawned.child.kill('SIGKILL'), timeoutMs);
  const exit = await spawned.exited;
  clearTimeout(timer);
  return { ...exit, stdout: spawned.stdout(), stderr: spawned.stderr() };
}

/**
 * Starts the binary (default `--host 127.0.0.1 --port 0`) and resolves once it logs
 * "mqttkit-broker started"; rejects with its output if it exits or takes longer than `timeoutMs`.
 */
export async function startBrokerProcess(
  args: readonly string[] = [],
  env: Record<string, string> = {},
  timeoutMs = TIMEOUT_MS,
): Promise<BrokerProcess> {
  const spawned = spawnBinary(['--host', '127.0.0.1', '--port', '0', ...args], env);
  const { child } = spawned;
  let hasExited = false;
  void spawned.exited.then(() => {
    hasExited = true;
  });
  const describe = () =>
    `mqttkit-broker (pid ${child.pid}) stdout:\n${spawned.stdout()}\nstderr:\n${spawned.stderr()}`;
  const started = await new Promise<LogLine>((resolve, reject) => {
    const poll = () => {
      const line = parseLogs(spawned.stdout()).find((log) => log.msg === 'mqttkit-broker started');
      if (line) settle(() => resolve(line));
      else if (hasExited) settle(() => reject(new Error(`exited before starting; ${describe()}`)));
    };
    const settle = (action: () => void) => {
      clearTimeout(timer);
      spawned.onOutput.delete(poll);
      action();
    };
    const timer = setTimeout(
      () => settle(() => reject(new Error(`not started within ${timeoutMs} ms; ${describe()}`))),
      timeoutMs,
    );
    spawned.onOutput.add(poll);
    poll();
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await spawned.exited;
    throw error;
  });
  const listeners = started.listeners as { id: string; protocol: string; host: string; port: number }[];
  const port = listeners[0]!.port;
  const metricsPort = (started.metrics as { port: number } | undefined)?.port;
  const kill = async () => {
    if (!hasExited) child.kill('SIGKILL');
    await spawned.exited;
  };
  return {
    pid: child.pid!,
    port,
    url: `mqtt://127.0.0.1:${port}`,
    listeners,
    metricsPort,
    logs: () => parseLogs(spawned.stdout()),
    stdout: spawned.stdout,
    stderr: spawned.stderr,
    exited: spawned.exited,
    signal: (signal) => {
      child.kill(signal);
    },
    waitForLog: (match, ms = TIMEOUT_MS) =>
      new Promise<LogLine>((resolve, reject) => {
        const poll = () => {
          const line = parseLogs(spawned.stdout()).find(match);
          if (line) settle(() => resolve(line));
          else if (hasExited) settle(() => reject(new Error(`exited before the log line; ${describe()}`)));
        };
        const settle = (action: () => void) => {
          clearTimeout(timer);
          spawned.onOutput.delete(poll);
          action();
        };
        const timer = setTimeout(
          () => settle(() => reject(new Error(`log line not seen within ${ms} ms; ${describe()}`))),
          ms,
        );
        spawned.onOutput.add(poll);
        poll();
      }),
    waitForExit: async (ms = TIMEOUT_MS) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still running after ${ms} ms; ${describe()}`)), ms);
      });
      try {
        return await Promise.race([spawned.exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    kill,
    [Symbol.asyncDispose]: kill,
  };
}
