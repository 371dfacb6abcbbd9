import { describe, expect, it } from 'vitest';
import { CliError } from '../cli-error.js';
import { type PubArgs, parsePubArgs } from './pub-args.js';

function pub(...argv: string[]): PubArgs {
  const args = parsePubArgs(argv);
  if (args.help) throw new Error('unexpected --help');
  return args;
}

describe('mqttkit pub arguments', () => {
  it('reads topic, message, QoS and retain', () => {
    const args = pub('-t', 'a/b', '-m', 'hi', '-q', '2', '-r');
    expect(args).toMatchObject({
      topic: 'a/b',
      source: { kind: 'message', text: 'hi' },
      qos: 2,
      retain: true,
      repeat: 1,
      repeatDelayMs: 0,
    });
    expect(pub('--topic', 'x', '--message', 'y', '--qos', '1', '--retain')).toMatchObject({
      topic: 'x',
      qos: 1,
      retain: true,
    });
  });

  it('takes the message from -m, -f, -s, -l or -n', () => {
    expect(pub('-t', 't', '-f', 'data.bin').source).toEqual({ kind: 'file', path: 'data.bin' });
    expect(pub('-t', 't', '-s').source).toEqual({ kind: 'stdin' });
    expect(pub('-t', 't', '-l').source).toEqual({ kind: 'lines' });
    expect(pub('-t', 't', '-n').source).toEqual({ kind: 'null' });
    expect(pub('-t', 't', '--null-message').source).toEqual({ kind: 'null' });
    expect(pub('-t', 't', '--stdin-line').source).toEqual({ kind: 'lines' });
  });

  it('combines short flags: -rn, -q1', () => {
    expect(pub('-t', 't', '-rn', '-q1')).toMatchObject({ retain: true, source: { kind: 'null' }, qos: 1 });
  });

  it('--repeat and --repeat-delay; -e with -W and output options', () => {
    expect(pub('-t', 't', '-m', 'x', '--repeat', '3', '--repeat-delay', '0.5')).toMatchObject({
      repeat: 3,
      repeatDelayMs: 500,
    });
    const request = pub('-t', 't', '-m', 'x', '-V', '5', '-e', 'reply', '-W', '2', '-v');
    expect(request).toMatchObject({
      responseTopic: 'reply',
      timeoutMs: 2000,
      output: { mode: { kind: 'verbose' }, eol: true },
    });
  });

  it('--help', () => {
    expect(parsePubArgs(['--help'])).toEqual({ help: true });
  });

  it('refuses what mosquitto_pub refuses, with readable messages', () => {
    const cases: [string[], string][] = [
      [['-m', 'x'], 'mqttkit pub: give a topic with -t (or in the -L URL)'],
      [['-t', 't'], 'mqttkit pub: give the message with -m, -f, -s, -l or -n'],
      [['-t', 't', '-m', 'a', '-m', 'b'], 'mqttkit pub: give only one message'],
      [['-t', 't', '-m', 'a', '-l'], 'mqttkit pub: give only one message'],
      [['-t', 'a/+', '-m', 'x'], "mqttkit pub: invalid publish topic 'a/+'"],
      [['-t', 't', '-m', 'x', '-q', '3'], 'mqttkit pub: -q must be 0, 1 or 2'],
      [['-t', 't', '-m', 'x', '--qos', 'high'], 'mqttkit pub: --qos must be 0, 1 or 2'],
      [['-t', 't', '-l', '--repeat', '2'], 'mqttkit pub: --repeat does not apply to -l'],
      [
        ['-t', 't', '-m', 'x', '--repeat', '0'],
        "mqttkit pub: --repeat must be an integer from 1 to 2147483647, got '0'",
      ],
      [['-t', 't', '-m', 'x', '-e', 'r'], 'mqttkit pub: -e needs MQTT 5'],
      [['-t', 't', '-m', 'x', 'extra'], "mqttkit pub: unexpected argument 'extra'"],
      [
        ['-t', 't', '-m', 'x', '-W', '-1'],
        "mqttkit pub: -W must be a number from 0.001 to 2147483, got '-1'",
      ],
    ];
    for (const [argv, message] of cases) {
      let thrown: unknown;
      try {
        parsePubArgs(argv);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, argv.join(' ')).toBeInstanceOf(CliError);
      expect((thrown as CliError).message, argv.join(' ')).toContain(message);
      expect((thrown as CliError).isUsage).toBe(true);
    }
  });
});
