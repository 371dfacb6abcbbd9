/**
 * `mqttkit`: the command-line entry point. `main(argv)` runs one command and resolves with the exit
 * code; every failure is reported as one readable line on stderr (never a stack trace) and a non-zero
 * code. `bin/mqttkit.js` calls it and sets the process exit code.
 */
import { CliError, ExitCode, programName, usageError } from './cli-error.js';
import { runBench } from './commands/bench.js';
import { runPasswd } from './commands/passwd.js';
import { runPub } from './commands/pub.js';
import { runSub } from './commands/sub.js';
import { MAIN_HELP } from './help/main-help.js';
import { cliVersion } from './version.js';

/** The commands, by name. */
const COMMANDS: Readonly<Record<string, (argv: readonly string[]) => Promise<number>>> = {
  pub: runPub,
  sub: runSub,
  bench: runBench,
  passwd: runPasswd,
};

/** Runs the command line `argv` (without `node` and the script); resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  installLastResort();
  try {
    return await dispatch(argv);
  } catch (error) {
    return report(error);
  }
}

async function dispatch(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(MAIN_HELP);
    return first === undefined ? ExitCode.Error : ExitCode.Ok;
  }
  if (first === '--version' || first === '-V') {
    process.stdout.write(`mqttkit ${cliVersion()}\n`);
    return ExitCode.Ok;
  }
  const command = COMMANDS[first];
  if (command === undefined) {
    throw first.startsWith('-')
      ? usageError(undefined, `unknown option ${first}`)
      : usageError(undefined, `unknown command '${first}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
  }
  return command(rest);
}

let lastResortInstalled = false;

/**
 * An error nothing caught (a bug, or a library emitting 'error' with no listener) still ends as one
 * line and exit code 1, not a stack trace: the state is unknown, so the process exits at once.
 */
function installLastResort(): void {
  if (lastResortInstalled) return;
  lastResortInstalled = true;
  const fail = (error: unknown) => {
    report(error);
    process.exit(ExitCode.Error);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
}

/** Prints `error` as one line (plus a `--help` hint for argument errors) and returns its exit code. */
function report(error: unknown): number {
  if (error instanceof CliError) {
    const hint = error.isUsage ? `\nSee '${programName(error.command)} --help'.` : '';
    process.stderr.write(`${error.message}${hint}\n`);
    return error.exitCode;
  }
  // Not expected: still one line, but say it is a bug so it gets reported.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`mqttkit: unexpected error: ${message}\n`);
  return ExitCode.Error;
}
