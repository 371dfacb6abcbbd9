import { describe, expect, it } from 'vitest';
import { CliError } from '../cli-error.js';
import { type OptionSpec, parseArgv } from './parse-argv.js';

const SPECS: readonly OptionSpec[] = [
  { key: 'verbose', short: 'v', long: ['verbose'], arity: 0 },
  { key: 'noEol', short: 'N', arity: 0 },
  { key: 'qos', short: 'q', long: ['qos'], arity: 1 },
  { key: 'count', short: 'C', arity: 1 },
  { key: 'property', short: 'D', long: ['property'], arity: 'property' },
];

function error(argv: string[]): CliError {
  try {
    parseArgv(argv, SPECS, 'sub');
  } catch (caught) {
    expect(caught).toBeInstanceOf(CliError);
    return caught as CliError;
  }
  throw new Error('expected a usage error');
}

describe('parseArgv', () => {
  it('reads flags, values and positionals in order', () => {
    const args = parseArgv(['-v', '-q', '1', 'file', '--qos', '2'], SPECS, 'sub');
    expect(args.has('verbose')).toBe(true);
    expect(args.value('qos')).toBe('2');
    expect(args.values('qos')).toEqual(['1', '2']);
    expect(args.last('qos')?.name).toBe('--qos');
    expect(args.positionals).toEqual(['file']);
  });

  it('groups short flags and takes an attached value on the last one', () => {
    const args = parseArgv(['-vN', '-q1', '-vC5'], SPECS, 'sub');
    expect(args.occurrences.map((o) => [o.key, ...o.values])).toEqual([
      ['verbose'],
      ['noEol'],
      ['qos', '1'],
      ['verbose'],
      ['count', '5'],
    ]);
  });

  it('takes --name=value and a value that starts with a dash', () => {
    const args = parseArgv(['--qos=1', '-C', '-1'], SPECS);
    expect(args.value('qos')).toBe('1');
    expect(args.value('count')).toBe('-1');
  });

  it('reads -D with three values, or four for user-property', () => {
    const args = parseArgv(
      ['-D', 'publish', 'content-type', 'text/plain', '-D', 'publish', 'USER-PROPERTY', 'k', 'v', '-v'],
      SPECS,
    );
    expect(args.all('property').map((o) => o.values)).toEqual([
      ['publish', 'content-type', 'text/plain'],
      ['publish', 'USER-PROPERTY', 'k', 'v'],
    ]);
    expect(args.has('verbose')).toBe(true);
  });

  it('stops at -- and keeps a lone - as a positional', () => {
    const args = parseArgv(['-', '--', '-v', '--qos'], SPECS);
    expect(args.positionals).toEqual(['-', '-v', '--qos']);
    expect(args.has('verbose')).toBe(false);
  });

  it('names the problem and the command in errors', () => {
    expect(error(['--foo']).message).toBe('mqttkit sub: unknown option --foo');
    expect(error(['-x']).message).toBe('mqttkit sub: unknown option -x');
    expect(error(['-vx']).message).toBe('mqttkit sub: unknown option -x (in -vx)');
    expect(error(['-q']).message).toBe('mqttkit sub: -q needs a value');
    expect(error(['--verbose=1']).message).toBe('mqttkit sub: --verbose takes no value');
    expect(error(['-D', 'publish', 'content-type']).message).toBe(
      'mqttkit sub: -D needs command identifier value',
    );
    expect(error(['-D', 'publish', 'user-property', 'k']).message).toBe(
      'mqttkit sub: -D needs command user-property name value',
    );
    expect(error(['--qos']).isUsage).toBe(true);
    expect(error(['--qos']).exitCode).toBe(1);
    expect(error(['--qos']).command).toBe('sub');
  });

  it('without a command, errors start with "mqttkit:"', () => {
    expect(() => parseArgv(['--nope'], SPECS)).toThrow('mqttkit: unknown option --nope');
  });
});
