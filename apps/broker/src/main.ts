/**
 * `mqttkit-broker`: reads flags, environment and config file, starts the broker and its listeners,
 * and stops gracefully on SIGINT or SIGTERM. `bin/mqttkit-broker.js` calls `main`.
 */
import { stringify } from 'yaml';
import { AuthFileError } from './auth/auth-file-error.js';
import { type AuthFiles, readAuthFiles } from './auth/auth-hooks.js';
import { ConfigError, formatIssue } from './config/config-error.js';
import { parseFlags, UsageError } from './config/flags.js';
import { EXIT_CODES, renderHelp } from './config/help.js';
import { loadConfig } from './config/load-config.js';
import { createLogger, type LogDestination } from './logging.js';
import { type RunningBroker, runBroker } from './run-broker.js';
import { StartError } from './start-error.js';
import { FORCED_EXIT_CODES, type SignalSource, watchReloadSignal, watchStopSignals } from './stop-signals.js';
import { appVersion } from './version.js';

/** What `main` needs from the process; tests pass their own. */
export interface Runtime {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Log lines, `--help`, `--version` and `--print-config`. */
  readonly stdout: LogDestination;
  /** One line per problem that stops the broker from starting. */
  readonly stderr: NodeJS.WritableStream;
  readonly signals: SignalSource;
  /** Ends the process at once: a second stop signal during a graceful stop. */
  exit(code: number): void;
}

/** The real process. */
export function processRuntime(): Runtime {
  return {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    signals: process,
    exit: (code) => process.exit(code),
  };
}

/**
 * Runs the broker until a stop signal, and resolves with the exit code: 0 after a clean stop (or
 * `--help`, `--version`, `--print-config`), 1 when it cannot start, 2 for bad flags or configuration.
 * Expected failures are printed as one line each on stderr, never as a stack trace.
 */
export async function main(argv: readonly string[], runtime: Runtime = processRuntime()): Promise<number> {
  const fail = (lines: readonly string[], code: number): number => {
    for (const line of lines) runtime.stderr.write(`mqttkit-broker: ${line}\n`);
    return code;
  };
  const version = appVersion();
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(argv);
  } catch (error) {
    if (error instanceof UsageError)
      return fail([...error.problems, 'see mqttkit-broker --help'], EXIT_CODES.usage);
    throw error;
  }
  if (flags.help) {
    runtime.stdout.write(renderHelp(version));
    return EXIT_CODES.ok;
  }
  if (flags.version) {
    runtime.stdout.write(`${version}\n`);
    return EXIT_CODES.ok;
  }
  let loaded: Awaited<ReturnType<typeof loadConfig>>;
  try {
    loaded = await loadConfig(flags, runtime.env);
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.issues.map(formatIssue), EXIT_CODES.usage);
    throw error;
  }
  const { config, warnings, configFile } = loaded;
  if (flags.printConfig) {
    runtime.stdout.write(stringify(config));
    return EXIT_CODES.ok;
  }

  // The password and ACL files are part of the configuration: their problems stop the start the same way.
  let authFiles: AuthFiles;
  try {
    authFiles = await readAuthFiles(config.auth);
  } catch (error) {
    if (error instanceof AuthFileError) return fail(error.problems, EXIT_CODES.usage);
    throw error;
  }

  const logger = createLogger(config.log, runtime.stdout);
  for (const warning of warnings) logger.warn({}, warning);
  logger.info({ version, node: process.version, configFile: configFile ?? null }, 'mqttkit-broker starting');
  // Watching before the listeners start: a signal during startup still stops cleanly once started.
  const signals = watchStopSignals(runtime.signals, (signal) => {
    logger.warn({ signal }, 'second stop signal: exiting without waiting');
    runtime.exit(FORCED_EXIT_CODES[signal]);
  });
  // Likewise SIGHUP: one arriving during startup is applied once the broker runs.
  let running: RunningBroker | undefined;
  let reloadPending = false;
  const stopWatchingReload = watchReloadSignal(runtime.signals, () => {
    logger.info({ signal: 'SIGHUP' }, 'SIGHUP: reloading the password and ACL files');
    if (running === undefined) reloadPending = true;
    else void running.reload();
  });
  try {
    try {
      running = await runBroker(config, logger, version, authFiles);
    } catch (error) {
      if (error instanceof StartError) return fail([error.message], EXIT_CODES.startFailed);
      throw error;
    }
    const listeners = running.listeners.map(({ id, protocol, host, port }) => ({ id, protocol, host, port }));
    logger.info(
      { version, listeners, ...(running.metrics === undefined ? {} : { metrics: running.metrics }) },
      'mqttkit-broker started',
    );
    if (reloadPending) void running.reload();
    const signal = await signals.stopped;
    logger.info({ signal }, 'stopping: closing listeners and disconnecting clients');
    await running.stop();
    logger.info({}, 'mqttkit-broker stopped');
    return EXIT_CODES.ok;
  } finally {
    signals.dispose();
    stopWatchingReload();
  }
}
