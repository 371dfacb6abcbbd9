/**
 * A small getopt-style parser shared by every command. It knows option names and how many values each
 * takes, nothing about their meaning: the command's own module checks values and combinations.
 *
 * Accepted forms (a superset of mosquitto's, which takes only `-x value` and `--long value`):
 * - `-t topic`, `--topic topic`, `--topic=topic`;
 * - grouped short flags `-vN`, and an attached value on the last one: `-q1`, `-vC5`;
 * - `--` ends the options; a lone `-` is a positional.
 * `-D` (`--property`) takes three values, or four when the second is `user-property` (mosquitto's
 * `-D command identifier value` and `-D command user-property name value`).
 */
import { usageError } from '../cli-error.js';

/** How many values an option takes: none (a flag), one, or a `-D` property (3, or 4 for user-property). */
export type Arity = 0 | 1 | 'property';

/** One option a command accepts. */
export interface OptionSpec {
  /** The name the command reads it by. */
  readonly key: string;
  /** One-letter name, without the dash. */
  readonly short?: string;
  /** Long names, without the dashes. */
  readonly long?: readonly string[];
  readonly arity: Arity;
}

/** One option as it appeared on the command line. */
export interface Occurrence {
  readonly key: string;
  /** As typed (`-q`, `--qos`), for error messages. */
  readonly name: string;
  readonly values: readonly string[];
}

/** Parses `argv` against `specs`; `command` prefixes error messages. Throws a usage `CliError`. */
export function parseArgv(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  command?: string,
): ParsedArgs {
  const byShort = new Map<string, OptionSpec>();
  const byLong = new Map<string, OptionSpec>();
  for (const spec of specs) {
    if (spec.short !== undefined) byShort.set(spec.short, spec);
    for (const name of spec.long ?? []) byLong.set(name, spec);
  }
  const occurrences: Occurrence[] = [];
  const positionals: string[] = [];
  let index = 0;

  /** Takes the values of `spec` starting at argv[index]; `attached` is text glued to the option. */
  const takeValues = (spec: OptionSpec, name: string, attached: string | undefined): string[] => {
    if (spec.arity === 0) return [];
    if (spec.arity === 1) {
      if (attached !== undefined) return [attached];
      const value = argv[index];
      if (value === undefined) throw usageError(command, `${name} needs a value`);
      index++;
      return [value];
    }
    if (attached !== undefined) throw usageError(command, `${name} takes its values as separate arguments`);
    const head = argv.slice(index, index + 2);
    const count = head[1]?.toLowerCase() === 'user-property' ? 4 : 3;
    const values = argv.slice(index, index + count);
    if (values.length < count) {
      throw usageError(
        command,
        `${name} needs ${count === 4 ? 'command user-property name value' : 'command identifier value'}`,
      );
    }
    index += count;
    return values;
  };

  while (index < argv.length) {
    const token = argv[index++]!;
    if (token === '--') {
      positionals.push(...argv.slice(index));
      break;
    }
    if (token.startsWith('--')) {
      const equals = token.indexOf('=');
      const longName = equals === -1 ? token.slice(2) : token.slice(2, equals);
      const spec = byLong.get(longName);
      if (spec === undefined) throw usageError(command, `unknown option --${longName}`);
      const attached = equals === -1 ? undefined : token.slice(equals + 1);
      if (spec.arity === 0 && attached !== undefined) {
        throw usageError(command, `--${longName} takes no value`);
      }
      occurrences.push({
        key: spec.key,
        name: `--${longName}`,
        values: takeValues(spec, `--${longName}`, attached),
      });
      continue;
    }
    if (token.startsWith('-') && token.length > 1) {
      for (let at = 1; at < token.length; at++) {
        const letter = token[at]!;
        const spec = byShort.get(letter);
        if (spec === undefined) {
          const where = token.length > 2 ? ` (in ${token})` : '';
          throw usageError(command, `unknown option -${letter}${where}`);
        }
        const rest = token.slice(at + 1);
        if (spec.arity === 0) {
          occurrences.push({ key: spec.key, name: `-${letter}`, values: [] });
          continue;
        }
        occurrences.push({
          key: spec.key,
          name: `-${letter}`,
          values: takeValues(spec, `-${letter}`, rest === '' ? undefined : rest),
        });
        break;
      }
      continue;
    }
    positionals.push(token);
  }
  return new ParsedArgs(occurrences, positionals, command);
}

/** The result of `parseArgv`, with readers for the usual questions. */
export class ParsedArgs {
  /** Every option in command-line order. */
  readonly occurrences: readonly Occurrence[];
  /** Arguments that are not options, in order. */
  readonly positionals: readonly string[];
  /** The command, for error messages. */
  readonly command: string | undefined;

  /** Wraps a parse result. */
  constructor(
    occurrences: readonly Occurrence[],
    positionals: readonly string[],
    command: string | undefined,
  ) {
    this.occurrences = occurrences;
    this.positionals = positionals;
    this.command = command;
  }

  /** True when the option appeared at least once. */
  has(key: string): boolean {
    return this.occurrences.some((o) => o.key === key);
  }

  /** The last occurrence's value (a later option overrides an earlier one, as in mosquitto). */
  value(key: string): string | undefined {
    return this.last(key)?.values[0];
  }

  /** The last occurrence of the option. */
  last(key: string): Occurrence | undefined {
    for (let i = this.occurrences.length - 1; i >= 0; i--) {
      if (this.occurrences[i]!.key === key) return this.occurrences[i];
    }
    return undefined;
  }

  /** Every occurrence of the option, in order. */
  all(key: string): Occurrence[] {
    return this.occurrences.filter((o) => o.key === key);
  }

  /** The values of every occurrence of a one-value option, in order. */
  values(key: string): string[] {
    return this.all(key).map((o) => o.values[0]!);
  }
}
