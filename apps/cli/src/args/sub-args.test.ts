import { describe, expect, it } from 'vitest';
import { parseSubArgs, type SubArgs } from './sub-args.js';

function sub(...argv: string[]): SubArgs {
  const args = parseSubArgs(argv);
  if (args.help) throw new Error('unexpected --help');
  return args;
}

describe('mqttkit sub arguments', () => {
  it('reads filters, QoS, count, timeout and the filtering options', () => {
    const args = sub(
      '-t',
      'a/#',
      '-t',
      'b/+',
      '-T',
      'a/x',
      '-U',
      'old',
      '-q',
      '1',
      '-C',
      '5',
      '-W',
      '2.5',
      '-R',
      '--remove-retained',
      '-E',
    );
    expect(args).toMatchObject({
      topics: ['a/#', 'b/+'],
      filterOut: ['a/x'],
      unsubscribe: ['old'],
      qos: 1,
      count: 5,
      timeoutMs: 2500,
      noStale: true,
      retainedOnly: false,
      removeRetained: true,
      exitAfterSubscribe: true,
      retainAsPublished: false,
    });
  });

  it('output: payload by default, -v verbose, -F format wins over -v, --json wins over both; -N, --pretty', () => {
    expect(sub('-t', 't').output).toEqual({ mode: { kind: 'payload' }, eol: true, pretty: false });
    expect(sub('-t', 't', '-v').output.mode).toEqual({ kind: 'verbose' });
    expect(sub('-t', 't', '-v', '-F', '%t').output.mode.kind).toBe('format');
    expect(sub('-t', 't', '-v', '-F', '%t', '--json').output.mode).toEqual({ kind: 'json' });
    expect(sub('-t', 't', '-N', '--pretty').output).toMatchObject({ eol: false, pretty: true });
  });

  it('groups flags like getopt: -vNC3 and -Rq1', () => {
    expect(sub('-t', 't', '-vNC3')).toMatchObject({
      count: 3,
      output: { mode: { kind: 'verbose' }, eol: false },
    });
    expect(sub('-t', 't', '-Rq1')).toMatchObject({ noStale: true, qos: 1 });
  });

  it('takes the filter from -L and v5 options', () => {
    expect(sub('-L', 'mqtt://h:1/s/#').topics).toEqual(['s/#']);
    expect(sub('-t', 't', '-V', '5', '--retain-as-published', '--retained-only')).toMatchObject({
      retainAsPublished: true,
      retainedOnly: true,
    });
    expect(sub('-U', 'only/unsubscribe').topics).toEqual([]);
  });

  it('--help', () => {
    expect(parseSubArgs(['-t', 'x', '--help'])).toEqual({ help: true });
  });

  it('refuses bad arguments with one readable line', () => {
    const cases: [string[], string][] = [
      [[], 'mqttkit sub: give at least one topic filter with -t'],
      [['-t', 't', '-C', '0'], "mqttkit sub: -C must be an integer from 1 to 2147483647, got '0'"],
      [['-t', 't', '-C', 'all'], "mqttkit sub: -C must be an integer from 1 to 2147483647, got 'all'"],
      [['-t', 't', '-W', '0'], "mqttkit sub: -W must be a number from 0.001 to 2147483, got '0'"],
      [['-t', 't', '-q', '-1'], 'mqttkit sub: -q must be 0, 1 or 2'],
      [['-t', 't', '-R', '--retained-only'], 'mqttkit sub: -R and --retained-only cannot be used together'],
      [['-t', 't', '--retain-as-published'], 'mqttkit sub: --retain-as-published needs MQTT 5'],
      [
        ['-t', 't', '-D', 'publish', 'content-type', 'x'],
        'mqttkit sub: -D: mqttkit sub sends no PUBLISH packet',
      ],
      [['-t', 't', 'stray'], "mqttkit sub: unexpected argument 'stray'"],
      [['-t'], 'mqttkit sub: -t needs a value'],
    ];
    for (const [argv, message] of cases) expect(() => parseSubArgs(argv), argv.join(' ')).toThrow(message);
  });
});
