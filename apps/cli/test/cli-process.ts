/**
 * Runs the BUILT `mqttkit` binary (`node bin/mqttkit.js ...`) for end-to-end tests: every wait is
 * bounded, and every process is stopped by its own PID (never by name).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/mqttkit.js', import.meta.url));
const DIST_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Default bound on every wait here. */
export const TIMEOUT_MS = 15_000;

/** How a run ended. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
  timedOut: boolean;
}

/** Every process started here and still running. */
const live = new Set<ChildProcess>();

/** Kills (SIGKILL, by PID) every CLI process still running; call in afterEach/afterAll. */
export async function killAllCli(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Fails early, with the fix, when the binary has not been built. */
export function requireBuild(): void {
  if (!existsSync(DIST_MAIN)) {
    throw new Error(`${DIST_MAIN} is missing: build first (\`npm test\` in apps/cli builds)`);
  }
}

/** A running CLI process. */
export interface CliProcess {
  readonly pid: number;
  /** Standard output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the result once the process exits by itself; kills it after `timeoutMs`. */
  wait(timeoutMs?: number): Promise<CliResult>;
  /** Resolves once stdout matches `pattern` (checked as output arrives); rejects on exit or timeout. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** The same for stderr. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends `signal` to this process, by PID. */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL by PID; resolves on exit. */
  kill(): Promise<void>;
}

/** Starts `mqttkit args...`; `input` is written to its stdin (then closed), else stdin is closed at once. */
export function startCli(
  args: readonly string[],
  options: { input?: string | Buffer; keepStdinOpen?: boolean } = {},
): CliProcess & { child: ChildProcess } {
  requireBuild();
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  live.add(child);
  const out: Buffer[] = [];
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    out.push(chunk);
    for (const notify of [...listeners]) notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    for (const notify of [...listeners]) notify();
  });
  child.stdin!.on('error', () => {});
  if (options.input !== undefined) child.stdin!.end(options.input);
  else if (options.keepStdinOpen !== true) child.stdin!.end();
  let exited = false;
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => {
      exited = true;
      live.delete(child);
      resolve({ code, signal });
      for (const notify of [...listeners]) notify();
    });
  });
  const stdoutBytes = () => Buffer.concat(out);
  const describe = () =>
    `mqttkit ${args.join(' ')} (pid ${child.pid})\nstdout:\n${stdoutBytes().toString()}\nstderr:\n${err}`;
  return {
    child,
    pid: child.pid!,
    stdout: () => stdoutBytes().toString('utf8'),
    stderr: () => err,
    async wait(timeoutMs = TIMEOUT_MS) {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      const { code, signal } = await closed;
      clearTimeout(timer);
      const bytes = stdoutBytes();
      return { code, signal, stdout: bytes.toString('utf8'), stdoutBytes: bytes, stderr: err, timedOut };
    },
    waitForOutput: (pattern, timeoutMs = TIMEOUT_MS) =>
      waitFor(() => stdoutBytes().toString('utf8'), pattern, timeoutMs),
    waitForStderr: (pattern, timeoutMs = TIMEOUT_MS) => waitFor(() => err, pattern, timeoutMs),
    signal: (signal) => {
      child.kill(signal);
    },
    async kill() {
      if (!exited) child.kill('SIGKILL');
      await closed;
    },
  };

  function waitFor(text: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const poll = () => {
        if (pattern.test(text())) settle();
        else if (exited) settle(new Error(`exited before printing ${pattern}; ${describe()}`));
      };
      const settle = (error?: Error) => {
        clearTimeout(timer);
        listeners.delete(poll);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(
        () => settle(new Error(`no ${pattern} within ${timeoutMs} ms; ${describe()}`)),
        timeoutMs,
      );
      listeners.add(poll);
      poll();
    });
  }
}

/** Runs `mqttkit args...` to completion (killed after `timeoutMs`). */
export function runCli(
  args: readonly string[],
  options: { input?: string | Buffer; timeoutMs?: number } = {},
): Promise<CliResult> {
  const running = startCli(args, options.input === undefined ? {} : { input: options.input });
  return running.wait(options.timeoutMs);
}

/** Lines `mqttkit sub -d` prints about its own packets, told apart from message output. */
const DEBUG_LINE = /^(?:Client \S+ (?:sending|received) [A-Z]+|Subscribed: )/;

/** Message output lines (debug lines removed), without their newline. */
export function messageLines(stdout: string): string[] {
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.filter((line) => !DEBUG_LINE.test(line));
}

/**
 * Starts `mqttkit sub -d args...` and resolves once it is subscribed (its `Subscribed:` line), so a
 * test can publish without racing the SUBSCRIBE.
 */
export async function startSub(args: readonly string[]): Promise<CliProcess> {
  const sub = startCli(['sub', '-d', ...args]);
  try {
    await sub.waitForOutput(/^Subscribed: /m);
  } catch (error) {
    await sub.kill();
    throw error;
  }
  return sub;
}

/** True when stderr looks like a stack trace (what the CLI must never print). */
export function hasStackTrace(stderr: string): boolean {
  return /^\s+at .+\(?.*:\d+:\d+\)?$/m.test(stderr) || /Error: .*\n\s+at /.test(stderr);
}
