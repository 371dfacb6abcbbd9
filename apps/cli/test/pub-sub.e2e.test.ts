/**
 * `mqttkit pub` and `mqttkit sub` end to end (the built binary), against the in-process mqttkit broker
 * and against Debian's Mosquitto: every QoS, retained messages, v5 properties, -C/-W exit codes, -l,
 * --json, -e request/response.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MISSING_MOSQUITTO, startMosquittoBroker, startMqttkitBroker, type TestBroker } from './brokers.js';
import { killAllCli, messageLines, requireBuild, runCli, startCli, startSub } from './cli-process.js';

requireBuild();

const targets: {
  name: string;
  start: (options?: { refuseAll?: boolean }) => Promise<TestBroker>;
  skip: boolean;
}[] = [
  { name: 'mqttkit-broker (in-process)', start: startMqttkitBroker, skip: false },
  {
    name: `mosquitto${MISSING_MOSQUITTO.length > 0 ? ` — skipped: ${MISSING_MOSQUITTO.join(', ')} missing` : ''}`,
    start: startMosquittoBroker,
    skip: MISSING_MOSQUITTO.length > 0 && process.env.CI === undefined,
  },
];

afterEach(killAllCli);

for (const target of targets) {
  describe.skipIf(target.skip)(`mqttkit pub/sub against ${target.name}`, () => {
    let broker: TestBroker;
    let port: string;
    let n = 0;
    /** A topic no other test uses. */
    const topic = (name: string) => `cli-test/${process.pid}/${++n}/${name}`;

    beforeAll(async () => {
      broker = await target.start();
      port = String(broker.port);
    });
    afterAll(async () => {
      await broker?.close();
    });

    const host = () => ['-h', '127.0.0.1', '-p', port];

    for (const qos of [0, 1, 2] as const) {
      it(`delivers a QoS ${qos} message from mqttkit pub to mqttkit sub -v`, async () => {
        const t = topic(`qos${qos}`);
        const sub = await startSub([...host(), '-t', t, '-q', String(qos), '-C', '1', '-v']);
        const pub = await runCli(['pub', ...host(), '-t', t, '-m', `hello ${qos}`, '-q', String(qos)]);
        expect(pub.code, pub.stderr).toBe(0);
        const result = await sub.wait();
        expect(result.code, result.stderr).toBe(0);
        expect(messageLines(result.stdout)).toEqual([`${t} hello ${qos}`]);
      });
    }

    it('prints a retained message with its retain flag, and -R skips it', async () => {
      const t = topic('retained');
      expect((await runCli(['pub', ...host(), '-t', t, '-m', 'kept', '-r', '-q', '1'])).code).toBe(0);
      const result = await runCli(['sub', ...host(), '-t', t, '-C', '1', '-F', '%r %q %t %p', '-q', '1']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(`1 1 ${t} kept\n`);
      const stale = await runCli(['sub', ...host(), '-t', t, '-R', '-W', '1']);
      expect(stale.code).toBe(27);
      expect(stale.stdout).toBe('');
      // Clear it so later runs start clean.
      expect((await runCli(['pub', ...host(), '-t', t, '-n', '-r'])).code).toBe(0);
    });

    it('carries v5 properties (user properties in order, content type, response topic, expiry)', async () => {
      const t = topic('v5');
      const sub = await startSub([...host(), '-V', 'mqttv5', '-t', t, '-C', '1', '-F', '%P|%C|%R|%E|%D|%p']);
      const pub = await runCli([
        'pub',
        ...host(),
        '-V',
        'mqttv5',
        '-t',
        t,
        '-m',
        'props',
        '-D',
        'publish',
        'user-property',
        'k',
        'v',
        '-D',
        'publish',
        'user-property',
        'k',
        'second',
        '-D',
        'publish',
        'content-type',
        'text/plain',
        '-D',
        'publish',
        'response-topic',
        'reply/here',
        '-D',
        'publish',
        'message-expiry-interval',
        '60',
        '-D',
        'publish',
        'correlation-data',
        'abc',
      ]);
      expect(pub.code, pub.stderr).toBe(0);
      const result = await sub.wait();
      expect(result.code, result.stderr).toBe(0);
      // The broker may count down the expiry interval by the time it spent holding the message.
      expect(messageLines(result.stdout)[0]).toMatch(
        /^k:v k:second\|text\/plain\|reply\/here\|(60|59)\|abc\|props$/,
      );
    });

    it('sub --json prints one object per message, payload as text or base64', async () => {
      const t = topic('json');
      const sub = await startSub([...host(), '-V', '5', '-t', t, '-C', '2', '--json', '-q', '1']);
      expect(
        (
          await runCli([
            'pub',
            ...host(),
            '-V',
            '5',
            '-t',
            t,
            '-m',
            'héllo',
            '-q',
            '1',
            '-D',
            'publish',
            'user-property',
            'a',
            'b',
          ])
        ).code,
      ).toBe(0);
      expect(
        (
          await runCli(['pub', ...host(), '-t', t, '-s', '-q', '1'], {
            input: Buffer.from([0xff, 0x00, 0x80]),
          })
        ).code,
      ).toBe(0);
      const result = await sub.wait();
      expect(result.code, result.stderr).toBe(0);
      const [first, second] = messageLines(result.stdout).map(
        (line) => JSON.parse(line) as Record<string, unknown>,
      );
      expect(first).toMatchObject({
        topic: t,
        payload: 'héllo',
        payloadEncoding: 'utf8',
        qos: 1,
        retain: false,
        properties: { userProperties: [['a', 'b']] },
      });
      expect(Date.parse(String(first?.received))).toBeGreaterThan(Date.now() - 60_000);
      expect(second).toMatchObject({
        topic: t,
        payload: Buffer.from([0xff, 0x00, 0x80]).toString('base64'),
        payloadEncoding: 'base64',
      });
    });

    it('pub --json reports each message', async () => {
      const t = topic('pubjson');
      const result = await runCli([
        'pub',
        ...host(),
        '-t',
        t,
        '-m',
        'x',
        '-q',
        '2',
        '--json',
        '--repeat',
        '2',
      ]);
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toHaveLength(2);
      for (const line of lines) {
        expect(line).toMatchObject({ topic: t, qos: 2, retain: false, bytes: 1, ok: true, reasonCode: 0 });
        expect(typeof line.ms).toBe('number');
      }
    });

    it('-W exits 27 when -C is not reached in time, 0 when it is', async () => {
      const t = topic('timeout');
      const started = Date.now();
      const idle = await runCli(['sub', ...host(), '-t', t, '-W', '1']);
      expect(idle.code).toBe(27);
      expect(idle.stderr).toContain('timed out');
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);

      const short = await startSub([...host(), '-t', t, '-C', '2', '-W', '2']);
      await runCli(['pub', ...host(), '-t', t, '-m', 'only one']);
      const shortResult = await short.wait();
      expect(shortResult.code).toBe(27);
      expect(messageLines(shortResult.stdout)).toEqual(['only one']);

      const enough = await startSub([...host(), '-t', t, '-C', '1', '-W', '10']);
      await runCli(['pub', ...host(), '-t', t, '-m', 'in time']);
      const enoughResult = await enough.wait();
      expect(enoughResult.code).toBe(0);
    });

    it('pub -l sends one message per line of stdin (empty lines too, a last line without newline)', async () => {
      const t = topic('lines');
      const sub = await startSub([...host(), '-t', t, '-C', '4', '-q', '1', '-F', '[%p]']);
      const pub = await runCli(['pub', ...host(), '-t', t, '-l', '-q', '1'], { input: 'l1\nl2\n\nl4' });
      expect(pub.code, pub.stderr).toBe(0);
      const result = await sub.wait();
      expect(messageLines(result.stdout)).toEqual(['[l1]', '[l2]', '[]', '[l4]']);
    });

    it('pub -f sends a file; -n an empty message; -T filters output; -N drops newlines', async () => {
      const t = topic('sources');
      const sub = await startSub([...host(), '-t', `${t}/#`, '-C', '2', '-T', `${t}/hidden`, '-N']);
      await runCli(['pub', ...host(), '-t', `${t}/hidden`, '-m', 'not shown']);
      await runCli([
        'pub',
        ...host(),
        '-t',
        `${t}/a`,
        '-f',
        new URL('../package.json', import.meta.url).pathname,
      ]);
      await runCli(['pub', ...host(), '-t', `${t}/b`, '-m', 'END']);
      const result = await sub.wait();
      expect(result.code).toBe(0);
      // With -N the final debug line ("sending DISCONNECT") follows the last payload on the same line.
      const printed = messageLines(result.stdout.replace(/Client \S+ sending DISCONNECT\n$/, '')).join('\n');
      expect(printed).toContain('"name": "mqttkit"');
      expect(printed.endsWith('}END') || printed.endsWith('}\nEND')).toBe(true);
      expect(printed).not.toContain('not shown');
    });

    it('-L url gives host, port and topic', async () => {
      const t = topic('url');
      const sub = await startSub(['-L', `mqtt://127.0.0.1:${port}/${t}`, '-C', '1']);
      const pub = await runCli(['pub', '-L', `mqtt://127.0.0.1:${port}/${t}`, '-m', 'via url']);
      expect(pub.code, pub.stderr).toBe(0);
      expect(messageLines((await sub.wait()).stdout)).toEqual(['via url']);
    });

    it('a will message is published when the subscriber is killed', async () => {
      const t = topic('will');
      const watcher = await startSub([...host(), '-t', t, '-C', '1', '-v']);
      const victim = await startSub([
        ...host(),
        '-t',
        `${t}/unused`,
        '-k',
        '5',
        '--will-topic',
        t,
        '--will-payload',
        'gone',
        '--will-qos',
        '1',
      ]);
      await victim.kill();
      const result = await watcher.wait();
      expect(messageLines(result.stdout)).toEqual([`${t} gone`]);
    });

    it('pub -e waits for the response (mosquitto_rr style)', async () => {
      const t = topic('request');
      const responder = startCli(['sub', ...host(), '-V', '5', '-t', t, '-C', '1', '-F', '%R %x', '-d']);
      await responder.waitForOutput(/^Subscribed: /m);
      const request = startCli([
        'pub',
        ...host(),
        '-V',
        '5',
        '-t',
        t,
        '-m',
        'ping',
        '-e',
        `${t}/reply`,
        '-W',
        '10',
        '-v',
      ]);
      const seen = await responder.wait();
      const [responseTopic] = messageLines(seen.stdout)[0]!.split(' ');
      expect(responseTopic).toBe(`${t}/reply`);
      // Answer without correlation data: the requester accepts any message on its response topic then.
      expect((await runCli(['pub', ...host(), '-t', `${t}/reply`, '-m', 'pong'])).code).toBe(0);
      const answered = await request.wait();
      expect(answered.code, answered.stderr).toBe(0);
      expect(answered.stdout).toBe(`${t}/reply pong\n`);
    });

    it('-E exits once subscribed', async () => {
      const subscribed = await runCli(['sub', ...host(), '-t', topic('e'), '-E']);
      expect(subscribed.code, subscribed.stderr).toBe(0);
    });

    it('a refused connection exits with the CONNACK code (5 for 3.1.1, 135 for v5), like mosquitto', async () => {
      await using refusing = await target.start({ refuseAll: true });
      const refusingHost = ['-h', '127.0.0.1', '-p', String(refusing.port)];
      const v311 = await runCli(['pub', ...refusingHost, '-t', 'a', '-m', 'x']);
      expect(v311.code).toBe(5);
      expect(v311.stderr).toMatch(/^mqttkit pub: connection refused by the server: .*\n$/);
      const v5 = await runCli(['sub', ...refusingHost, '-t', 'a', '-V', 'mqttv5']);
      expect(v5.code).toBe(135);
      expect(v5.stderr).toMatch(/^mqttkit sub: connection refused by the server: Not authorized/);
    });
  });
}

it.runIf(process.env.CI)('mosquitto tools are installed on CI', () => {
  expect(MISSING_MOSQUITTO).toEqual([]);
});
