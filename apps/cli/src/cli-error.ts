/**
 * Errors the CLI reports as a message and an exit code, never as a stack trace.
 */

/** Exit codes shared by the commands (mosquitto_sub/pub's where they have one). */
export const ExitCode = {
  /** Done. */
  Ok: 0,
  /** Bad arguments, network failure, refused publish or subscription, or another error. */
  Error: 1,
  /** `-W` expired before `-C` was reached (MOSQ_ERR_TIMEOUT in mosquitto 2.x). */
  Timeout: 27,
} as const;

/**
 * A failure the user can act on: bad arguments, a missing file, a refused connection. `main` prints
 * `message` (already prefixed with the command, e.g. `mqttkit pub: -q must be 0, 1 or 2`) and exits
 * with `exitCode`.
 */
export class CliError extends Error {
  /** The process exit code. */
  readonly exitCode: number;
  /** True for argument errors: `main` adds a hint to `--help`. */
  readonly isUsage: boolean;
  /** The command the hint names (`pub`, `sub`, ...), or undefined for the top level. */
  readonly command: string | undefined;

  /** Builds the error; `options.usage` marks it as an argument error. */
  constructor(
    message: string,
    options: { exitCode?: number; usage?: boolean; command?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? ExitCode.Error;
    this.isUsage = options.usage ?? false;
    this.command = options.command;
  }
}

/** The prefix of every message about `command`: `mqttkit pub`, or `mqttkit` at the top level. */
export function programName(command: string | undefined): string {
  return command === undefined ? 'mqttkit' : `mqttkit ${command}`;
}

/** An argument error for `command`: `mqttkit <command>: <message>`, exit code 1. */
export function usageError(command: string | undefined, message: string): CliError {
  return new CliError(`${programName(command)}: ${message}`, { usage: true, command });
}
