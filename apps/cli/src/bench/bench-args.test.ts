import { describe, expect, it } from 'vitest';
import { type BenchArgs, type BenchMode, clientIdOf, parseBenchArgs, topicOf } from './bench-args.js';

function bench(mode: BenchMode, ...argv: string[]): BenchArgs {
  const args = parseBenchArgs(mode, argv);
  if (args.help) throw new Error('unexpected --help');
  return args;
}

describe('bench arguments', () => {
  it('defaults', () => {
    const args = bench('pub');
    expect(args).toMatchObject({
      host: 'localhost',
      port: 1883,
      protocolVersion: 4,
      clients: 1,
      connRate: 1000,
      ratePerClient: 1,
      qos: 0,
      size: 256,
      topic: 'mqttkit/bench/%i',
      limit: 0,
      durationMs: 0,
      inflight: 64,
      keepAlive: 300,
      startNumber: 1,
      json: false,
      quiet: false,
    });
    expect(args.prefix).toBe(`mqttkit-bench-${process.pid}-`);
  });

  it('emqtt-bench names: -c -R -i -I --rate -q -s -t -L -F -n -V', () => {
    const args = bench(
      'pub',
      '-h',
      'b',
      '-p',
      '1999',
      '-c',
      '50',
      '-i',
      '10',
      '-I',
      '20',
      '-q',
      '2',
      '-s',
      '1024',
      '-t',
      't/%c/%i',
      '-L',
      '1000',
      '-F',
      '8',
      '-n',
      '100',
      '-V',
      '5',
      '-r',
      '--duration',
      '2.5',
      '--broker-pid',
      '42',
      '--json',
      '--quiet',
      '--prefix',
      'x-',
    );
    expect(args).toMatchObject({
      host: 'b',
      port: 1999,
      clients: 50,
      connRate: 100,
      ratePerClient: 50,
      qos: 2,
      size: 1024,
      limit: 1000,
      inflight: 8,
      startNumber: 100,
      protocolVersion: 5,
      retain: true,
      durationMs: 2500,
      brokerPid: 42,
      json: true,
      quiet: true,
    });
    expect(bench('pub', '--rate', '250').ratePerClient).toBe(250);
    expect(bench('pub', '-I', '0').ratePerClient).toBe(0);
    expect(bench('conn', '-R', '0').connRate).toBe(0);
    expect(bench('sub', '-V', 'mqttv311').protocolVersion).toBe(4);
    expect(bench('sub', '-V', '3').protocolVersion).toBe(3);
  });

  it('fills topic patterns: %i index, %c client id, %% percent', () => {
    const args = bench('pub', '-t', 'a/%i/%c/100%%', '--prefix', 'p-');
    expect(clientIdOf(args, 7)).toBe('p-pub-7');
    expect(topicOf(args, 7)).toBe('a/7/p-pub-7/100%');
  });

  it('refuses options that do not apply and bad values', () => {
    const cases: [BenchMode, string[], string][] = [
      ['sub', ['-s', '10'], 'mqttkit bench sub: -s applies to bench pub only'],
      ['conn', ['--rate', '10'], 'mqttkit bench conn: --rate applies to bench pub only'],
      ['conn', ['-t', 'x'], 'mqttkit bench conn: -t does not apply to bench conn'],
      ['pub', ['-I', '5', '--rate', '5'], 'mqttkit bench pub: -I and --rate cannot be used together'],
      ['pub', ['-R', '5', '-i', '5'], 'mqttkit bench pub: -R and -i cannot be used together'],
      ['pub', ['-c', '0'], "mqttkit bench pub: -c must be an integer from 1 to 1000000, got '0'"],
      ['pub', ['-q', '3'], 'mqttkit bench pub: -q must be 0, 1 or 2'],
      ['pub', ['-t', 'a/#'], "mqttkit bench pub: -t 'a/#': a publish topic cannot contain + or #"],
      [
        'pub',
        ['--inflight', '0'],
        "mqttkit bench pub: --inflight must be an integer from 1 to 65535, got '0'",
      ],
      ['pub', ['extra'], "mqttkit bench pub: unexpected argument 'extra'"],
      [
        'sub',
        ['--duration', 'long'],
        "mqttkit bench sub: --duration must be a number from 0 to 31536000, got 'long'",
      ],
    ];
    for (const [mode, argv, message] of cases)
      expect(() => parseBenchArgs(mode, argv), argv.join(' ')).toThrow(message);
  });
});
