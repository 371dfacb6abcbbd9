import { describe, expect, it } from 'vitest';
import { parseFlags, UsageError } from './flags.js';

/** The problems `argv` is rejected with. */
function problems(argv: string[]): readonly string[] {
  try {
    parseFlags(argv);
  } catch (error) {
    if (error instanceof UsageError) return error.problems;
    throw error;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

const describeSettings = (argv: string[]) =>
  parseFlags(argv).settings.map(({ target, text, source }) => [
    target.kind === 'setting' ? target.setting.path : target.field,
    text,
    source,
  ]);

describe('parseFlags', () => {
  it('accepts no flags', () => {
    expect(parseFlags([])).toEqual({ help: false, version: false, printConfig: false, settings: [] });
  });

  it('reads switches, the config file and settings in both spellings', () => {
    expect(parseFlags(['-h']).help).toBe(true);
    expect(parseFlags(['--help']).help).toBe(true);
    expect(parseFlags(['--version']).version).toBe(true);
    expect(parseFlags(['--print-config']).printConfig).toBe(true);
    expect(parseFlags(['-c', 'a.yaml']).configFile).toBe('a.yaml');
    expect(parseFlags(['--config=b.json']).configFile).toBe('b.json');
    expect(
      describeSettings(['--port', '1884', '--host=127.0.0.1', '-p', '0', '--log-level', 'debug']),
    ).toEqual([
      ['port', '1884', '--port'],
      ['host', '127.0.0.1', '--host'],
      ['port', '0', '-p'],
      ['log.level', 'debug', '--log-level'],
    ]);
  });

  it('reaches any setting with --set', () => {
    expect(describeSettings(['--set', 'limits.maximumInflight=64', '--set=log.pretty=true'])).toEqual([
      ['limits.maximumInflight', '64', '--set limits.maximumInflight'],
      ['log.pretty', 'true', '--set log.pretty'],
    ]);
  });

  it('explains unknown options, with a suggestion', () => {
    expect(problems(['--prot', '1883'])).toEqual([
      'unknown option --prot; did you mean --port?',
      'unexpected argument "1883"; options start with --',
    ]);
    expect(problems(['--frobnicate'])).toEqual(['unknown option --frobnicate']);
    expect(problems(['--log-levle=debug'])).toEqual([
      'unknown option --log-levle; did you mean --log-level?',
    ]);
  });

  it('explains missing and misplaced values', () => {
    expect(problems(['--port'])).toEqual(['--port needs a value (PORT)']);
    expect(problems(['--port', '--host', 'x'])).toEqual(['--port needs a value (PORT)']);
    expect(problems(['--help=yes'])).toEqual(['--help takes no value']);
    expect(problems(['broker.yaml'])).toEqual(['unexpected argument "broker.yaml"; options start with --']);
    expect(problems(['--config='])).toEqual(['--config needs a file name']);
  });

  it('explains bad --set assignments', () => {
    expect(problems(['--set', 'limits.maximumInflight'])).toEqual([
      '--set needs KEY=VALUE, got "limits.maximumInflight"',
    ]);
    expect(problems(['--set', 'limits.maximumInflite=3'])).toEqual([
      '--set: unknown setting limits.maximumInflite; did you mean limits.maximumInflight?',
    ]);
    expect(problems(['--set', 'listeners[0].port=3'])).toEqual([
      '--set: unknown setting listeners[0].port; listeners are set in the config file, or with --host and --port',
    ]);
  });

  it('reports every mistake at once', () => {
    expect(problems(['--nope', '--port', 'x', 'extra', '--set', 'bad'])).toHaveLength(3);
  });

  it('lets negative numbers through as values so the setting can reject them by name', () => {
    expect(describeSettings(['--port', '-1'])).toEqual([['port', '-1', '--port']]);
  });
});
