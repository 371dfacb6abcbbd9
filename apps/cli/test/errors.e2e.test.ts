/**
 * Argument and runtime errors of the built binary: a readable message on stderr, a non-zero exit code,
 * never a stack trace; plus --help and --version.
 */
import { readFileSync } from 'node:fs';
import { findFreePort } from '@mqttkit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { hasStackTrace, killAllCli, requireBuild, runCli } from './cli-process.js';

requireBuild();
afterEach(killAllCli);

const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('mqttkit errors, help and version', () => {
  const cases: [args: string[], message: string | RegExp][] = [
    [['--foo'], 'mqttkit: unknown option --foo'],
    [['frobnicate'], "mqttkit: unknown command 'frobnicate'"],
    [['pub', '--foo'], 'mqttkit pub: unknown option --foo'],
    [['pub', '-t', 'a', '-m', 'x', '-q', '3'], 'mqttkit pub: -q must be 0, 1 or 2'],
    [['pub', '-t', 'a'], 'mqttkit pub: give the message with -m, -f, -s, -l or -n'],
    [['pub', '-m', 'x'], 'mqttkit pub: give a topic with -t'],
    [['pub', '-t', 'a/#', '-m', 'x'], "mqttkit pub: invalid publish topic 'a/#'"],
    [['pub', '-t', 'a', '-m', 'x', '-n'], 'mqttkit pub: give only one message'],
    [['pub', '-t', 'a', '-m', 'x', '-p'], 'mqttkit pub: -p needs a value'],
    [
      ['pub', '-t', 'a', '-m', 'x', '-p', '70000'],
      "mqttkit pub: -p must be an integer from 1 to 65535, got '70000'",
    ],
    [
      ['pub', '-t', 'a', '-m', 'x', '-V', '6'],
      "mqttkit pub: -V must be mqttv31, mqttv311 or mqttv5 (or 31, 311, 5), got '6'",
    ],
    [['pub', '-t', 'a', '-m', 'x', '-D', 'publish', 'foo', 'k'], "mqttkit pub: -D: unknown property 'foo'"],
    [
      ['pub', '-t', 'a', '-m', 'x', '-D', 'connect', 'content-type', 'k'],
      'mqttkit pub: -D: content-type is not allowed for connect',
    ],
    [
      ['pub', '-t', 'a', '-m', 'x', '-V', '311', '-D', 'publish', 'content-type', 'k'],
      'mqttkit pub: -D properties need MQTT 5',
    ],
    [
      ['pub', '-t', 'a', '-f', '/nonexistent/file'],
      "mqttkit pub: cannot read file '/nonexistent/file' (ENOENT)",
    ],
    [['sub'], 'mqttkit sub: give at least one topic filter'],
    [['sub', '-t', 'a', '-c'], 'mqttkit sub: -c needs a client id'],
    [['sub', '-t', 'a', '-C', '0'], "mqttkit sub: -C must be an integer from 1 to 2147483647, got '0'"],
    [['sub', '-t', 'a', '-W', 'soon'], 'mqttkit sub: -W must be a number'],
    [['sub', '-t', 'a', '--will-qos', '1'], 'mqttkit sub: --will-qos needs --will-topic'],
    [['sub', '-t', 'a', '-L', 'http://x/y'], 'mqttkit sub: -L: the URL must start with mqtt:// or mqtts://'],
    [['sub', '-t', 'a', '-vz'], 'mqttkit sub: unknown option -z (in -vz)'],
    [
      ['sub', '-t', 'a', '--cafile', '/nonexistent.pem'],
      "mqttkit sub: --cafile: cannot read '/nonexistent.pem' (ENOENT)",
    ],
    [['bench', 'fly'], "mqttkit bench: unknown mode 'fly'"],
    [['bench', 'pub', '-q', '5'], 'mqttkit bench pub: -q must be 0, 1 or 2'],
    [['bench', 'sub', '-s', '10'], 'mqttkit bench sub: -s applies to bench pub only'],
    [['bench', 'pub', '-t', 'a/+'], "mqttkit bench pub: -t 'a/+': a publish topic cannot contain + or #"],
    [['passwd'], 'mqttkit passwd: give the password file and the user name'],
    [['passwd', '-c', '-D', 'f', 'u'], 'mqttkit passwd: -c and -D cannot be used together'],
    [['passwd', '-b', 'f', 'u'], 'mqttkit passwd: -b needs FILE USER PASSWORD'],
    [['passwd', '-b', 'f', 'a:b', 'p'], 'mqttkit passwd: a user name cannot contain ":"'],
  ];

  for (const [args, message] of cases) {
    it(`mqttkit ${args.join(' ')} → exit 1 and "${message}"`, async () => {
      const result = await runCli(args, { timeoutMs: 10_000 });
      expect(result.code, result.stderr).toBe(1);
      if (typeof message === 'string') expect(result.stderr).toContain(message);
      else expect(result.stderr).toMatch(message);
      expect(hasStackTrace(result.stderr), result.stderr).toBe(false);
    });
  }

  it('a broker that is not there: exit 1, one line, no stack trace', async () => {
    const port = await findFreePort();
    for (const command of ['pub', 'sub']) {
      const args = command === 'pub' ? ['-m', 'x'] : [];
      const result = await runCli([command, '-h', '127.0.0.1', '-p', String(port), '-t', 'a', ...args]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(`^mqttkit ${command}: cannot connect to mqtt://127.0.0.1:${port}: .*ECONNREFUSED`),
      );
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('--help for every command, --version', async () => {
    for (const args of [
      ['--help'],
      ['pub', '--help'],
      ['sub', '--help'],
      ['bench', '--help'],
      ['bench', 'pub', '--help'],
      ['passwd', '--help'],
    ]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/^Usage: mqttkit/);
    }
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `mqttkit ${version}\n` });
  });
});
