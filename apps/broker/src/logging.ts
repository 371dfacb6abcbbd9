/**
 * The broker's logger: pino, writing JSON lines, or human-readable lines through pino-pretty when
 * stdout is a terminal (or `log.pretty: true`). The broker package logs through the same logger.
 */
import { type Logger as PinoLogger, pino } from 'pino';
import pinoPretty from 'pino-pretty';
import type { LogConfig } from './config/schema.js';

/** Where log lines go: stdout, or a test's stream. */
export type LogDestination = NodeJS.WritableStream & { isTTY?: boolean };

/** True when `config.pretty` (or `auto` on a terminal) asks for human-readable lines. */
export function isPretty(config: LogConfig, destination: LogDestination): boolean {
  return config.pretty === 'auto' ? destination.isTTY === true : config.pretty;
}

/** Creates the logger described by `config`, writing to `destination`. */
export function createLogger(config: LogConfig, destination: LogDestination = process.stdout): PinoLogger {
  const options = { level: config.level, base: { pid: process.pid } };
  if (!isPretty(config, destination)) {
    return pino({ ...options, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  }
  // pino-pretty as an in-process stream rather than a transport: no worker thread, and lines are
  // written synchronously, so nothing is lost when the process exits right after a log call.
  const pretty = pinoPretty({
    destination,
    sync: true,
    colorize: destination.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    // Fields on the message's line: a terminal reader scans lines, not blocks.
    singleLine: true,
  });
  return pino(options, pretty);
}
