/**
 * The logging the broker does: a pino-compatible subset, so `apps/broker` can hand in a pino logger
 * and embedders any logger with the same four methods. The broker never logs per message.
 */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const ignore = (): void => {};

/** A logger that discards everything: the default for embedded use and tests. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
