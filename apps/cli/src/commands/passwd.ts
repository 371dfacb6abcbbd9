/**
 * `mqttkit passwd`: add, change or delete a user in an mqttkit-broker password file, with
 * mosquitto_passwd's options (`-c` create, `-b` batch, `-D` delete, `-H` hash scheme). The file format
 * and hashing are the broker's own (`mqttkit-broker/password-file`), so what this writes is what the
 * broker verifies.
 */
import {
  deletePassword,
  emptyPasswordFile,
  type PasswordScheme,
  readPasswordFile,
  setPassword,
  usernameProblem,
  writePasswordFile,
} from 'mqttkit-broker/password-file';
import { type OptionSpec, parseArgv } from '../args/parse-argv.js';
import { CliError, ExitCode, programName, usageError } from '../cli-error.js';
import { describeError } from '../connect-client.js';
import { PASSWD_HELP } from '../help/passwd-help.js';
import {
  PromptAbortedError,
  promptHidden,
  readFirstLine,
  type TerminalInput,
} from '../io/prompt-password.js';

const COMMAND = 'passwd';

const PASSWD_OPTIONS: readonly OptionSpec[] = [
  { key: 'create', short: 'c', arity: 0 },
  { key: 'batch', short: 'b', arity: 0 },
  { key: 'delete', short: 'D', arity: 0 },
  { key: 'scheme', short: 'H', arity: 1 },
  { key: 'help', long: ['help'], arity: 0 },
];

/** What `mqttkit passwd` was asked to do. */
export type PasswdAction =
  | {
      readonly kind: 'set';
      readonly file: string;
      readonly user: string;
      readonly password: string | undefined;
      readonly create: boolean;
      readonly scheme: PasswordScheme;
    }
  | { readonly kind: 'delete'; readonly file: string; readonly user: string };

const SCHEMES: Readonly<Record<string, PasswordScheme>> = {
  scrypt: 'scrypt',
  'pbkdf2-sha512': 'pbkdf2-sha512',
  // mosquitto_passwd's name for the same PBKDF2-SHA512.
  'sha512-pbkdf2': 'pbkdf2-sha512',
};

/** Parses `mqttkit passwd` arguments; `{ kind: 'help' }` for `--help`. Throws a usage `CliError`. */
export function parsePasswdArgs(argv: readonly string[]): PasswdAction | { readonly kind: 'help' } {
  const args = parseArgv(argv, PASSWD_OPTIONS, COMMAND);
  if (args.has('help')) return { kind: 'help' };
  const [file, user, password, ...extra] = args.positionals;
  const batch = args.has('batch');
  if (args.has('create') && args.has('delete'))
    throw usageError(COMMAND, '-c and -D cannot be used together');
  if (file === undefined || user === undefined)
    throw usageError(COMMAND, 'give the password file and the user name');
  const problem = usernameProblem(user);
  if (problem !== undefined) throw usageError(COMMAND, problem);
  const expected = batch ? 3 : 2;
  if (extra.length > 0 || (password !== undefined && !batch)) {
    throw usageError(COMMAND, `too many arguments (expected ${batch ? 'FILE USER PASSWORD' : 'FILE USER'})`);
  }
  if (batch && password === undefined) throw usageError(COMMAND, '-b needs FILE USER PASSWORD');
  if (args.positionals.length > expected) throw usageError(COMMAND, 'too many arguments');
  if (args.has('delete')) {
    if (batch || args.has('scheme')) throw usageError(COMMAND, '-D takes only FILE USER');
    return { kind: 'delete', file, user };
  }
  const schemeName = args.value('scheme') ?? 'scrypt';
  const scheme = SCHEMES[schemeName.toLowerCase()];
  if (scheme === undefined)
    throw usageError(COMMAND, `-H must be scrypt or pbkdf2-sha512, got '${schemeName}'`);
  return { kind: 'set', file, user, password, create: args.has('create'), scheme };
}

/** Runs `mqttkit passwd` with `argv` (after the command name); resolves with the exit code. */
export async function runPasswd(argv: readonly string[]): Promise<number> {
  const action = parsePasswdArgs(argv);
  if (action.kind === 'help') {
    process.stdout.write(PASSWD_HELP);
    return ExitCode.Ok;
  }
  const fail = (message: string, cause?: unknown) =>
    new CliError(`${programName(COMMAND)}: ${message}`, cause === undefined ? {} : { cause });
  if (action.kind === 'delete') {
    const file = await readPasswordFile(action.file).catch((error: unknown) => {
      throw fail(describeError(error), error);
    });
    const { file: updated, deleted } = deletePassword(file, action.user);
    if (!deleted) throw fail(`user '${action.user}' not found in ${action.file}`);
    await writePasswordFile(action.file, updated).catch((error: unknown) => {
      throw fail(`cannot write ${action.file}: ${describeError(error)}`, error);
    });
    return ExitCode.Ok;
  }
  // Read (and so check) the file before asking for a password, as mosquitto_passwd does.
  const file = action.create
    ? emptyPasswordFile()
    : await readPasswordFile(action.file).catch((error: unknown) => {
        throw fail(
          `${describeError(error)}${(error as { cause?: { code?: string } }).cause?.code === 'ENOENT' ? ' (use -c to create it)' : ''}`,
          error,
        );
      });
  const password = action.password ?? (await askPassword());
  if (password === '') throw fail('empty password');
  const updated = await setPassword(file, action.user, password, { scheme: action.scheme });
  await writePasswordFile(action.file, updated).catch((error: unknown) => {
    throw fail(`cannot write ${action.file}: ${describeError(error)}`, error);
  });
  return ExitCode.Ok;
}

/** Asks twice on a terminal; reads the first line of standard input otherwise. */
async function askPassword(): Promise<string> {
  const input = process.stdin as TerminalInput;
  if (input.isTTY !== true) {
    const line = await readFirstLine(process.stdin);
    return line ?? '';
  }
  try {
    const first = await promptHidden(input, process.stderr, 'Password: ');
    const second = await promptHidden(input, process.stderr, 'Reenter password: ');
    if (first !== second) throw new CliError(`${programName(COMMAND)}: passwords do not match`);
    return first;
  } catch (error) {
    if (error instanceof PromptAbortedError)
      throw new CliError(`${programName(COMMAND)}: cancelled`, { exitCode: 130 });
    throw error;
  }
}
