/**
 * Interop with Debian's mosquitto_pub and mosquitto_sub, both ways, on both brokers: `mqttkit pub` →
 * `mosquitto_sub` and `mosquitto_pub` → `mqttkit sub`, every QoS, retained messages, v5 user
 * properties; and mosquitto_sub itself as the oracle for `mqttkit sub`'s output formats.
 */
import { mosquittoPub, spawnMosquittoSub } from '@mqttkit/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MISSING_MOSQUITTO, startMosquittoBroker, startMqttkitBroker, type TestBroker } from './brokers.js';
import { killAllCli, messageLines, requireBuild, runCli, startSub } from './cli-process.js';

requireBuild();

const skip = MISSING_MOSQUITTO.length > 0 && process.env.CI === undefined;
const reason = MISSING_MOSQUITTO.length > 0 ? ` — skipped: ${MISSING_MOSQUITTO.join(', ')} missing` : '';

afterEach(killAllCli);

for (const [name, start] of [
  ['mqttkit-broker (in-process)', startMqttkitBroker],
  ['mosquitto', startMosquittoBroker],
] as const) {
  describe.skipIf(skip)(`interop with mosquitto_pub/sub on ${name}${reason}`, () => {
    let broker: TestBroker;
    let port: string;
    let n = 0;
    const topic = (label: string) => `interop/${process.pid}/${++n}/${label}`;

    beforeAll(async () => {
      broker = await start();
      port = String(broker.port);
    });
    afterAll(async () => {
      await broker?.close();
    });

    for (const qos of ['0', '1', '2']) {
      it(`mqttkit pub → mosquitto_sub at QoS ${qos}`, async () => {
        const t = topic(`to-mosquitto-${qos}`);
        await using sub = await spawnMosquittoSub(['-p', port, '-t', t, '-q', qos, '-C', '1', '-v']);
        const pub = await runCli([
          'pub',
          '-h',
          '127.0.0.1',
          '-p',
          port,
          '-t',
          t,
          '-m',
          `from mqttkit ${qos}`,
          '-q',
          qos,
        ]);
        expect(pub.code, pub.stderr).toBe(0);
        const result = await sub.wait();
        expect(result.code).toBe(0);
        expect(result.stdout).toBe(`${t} from mqttkit ${qos}\n`);
      });

      it(`mosquitto_pub → mqttkit sub at QoS ${qos}`, async () => {
        const t = topic(`from-mosquitto-${qos}`);
        const sub = await startSub(['-h', '127.0.0.1', '-p', port, '-t', t, '-q', qos, '-C', '1', '-v']);
        const pub = await mosquittoPub(['-p', port, '-t', t, '-m', `from mosquitto ${qos}`, '-q', qos]);
        expect(pub.code, pub.stderr).toBe(0);
        const result = await sub.wait();
        expect(result.code, result.stderr).toBe(0);
        expect(messageLines(result.stdout)).toEqual([`${t} from mosquitto ${qos}`]);
      });
    }

    it('retained both ways', async () => {
      const a = topic('retained-a');
      const b = topic('retained-b');
      expect(
        (
          await runCli([
            'pub',
            '-h',
            '127.0.0.1',
            '-p',
            port,
            '-t',
            a,
            '-m',
            'kept by mqttkit',
            '-r',
            '-q',
            '1',
          ])
        ).code,
      ).toBe(0);
      expect(
        (await mosquittoPub(['-p', port, '-t', b, '-m', 'kept by mosquitto', '-r', '-q', '1'])).code,
      ).toBe(0);
      await using sub = await spawnMosquittoSub(['-p', port, '-t', a, '-C', '1', '-F', '%r %p']);
      expect((await sub.wait()).stdout).toBe('1 kept by mqttkit\n');
      const ours = await runCli(['sub', '-h', '127.0.0.1', '-p', port, '-t', b, '-C', '1', '-F', '%r %p']);
      expect(ours.stdout).toBe('1 kept by mosquitto\n');
      await mosquittoPub(['-p', port, '-t', a, '-n', '-r']);
      await mosquittoPub(['-p', port, '-t', b, '-n', '-r']);
    });

    it('-V mqttv5 user properties both ways', async () => {
      const a = topic('v5-a');
      const b = topic('v5-b');
      await using theirs = await spawnMosquittoSub([
        '-p',
        port,
        '-V',
        'mqttv5',
        '-t',
        a,
        '-C',
        '1',
        '-F',
        '%P %p',
      ]);
      const pub = await runCli([
        'pub',
        '-h',
        '127.0.0.1',
        '-p',
        port,
        '-V',
        'mqttv5',
        '-t',
        a,
        '-m',
        'x',
        '-D',
        'publish',
        'user-property',
        'from',
        'mqttkit',
      ]);
      expect(pub.code, pub.stderr).toBe(0);
      expect((await theirs.wait()).stdout).toBe('from:mqttkit x\n');

      const ours = await startSub([
        '-h',
        '127.0.0.1',
        '-p',
        port,
        '-V',
        'mqttv5',
        '-t',
        b,
        '-C',
        '1',
        '-F',
        '%P %p',
      ]);
      await mosquittoPub([
        '-p',
        port,
        '-V',
        'mqttv5',
        '-t',
        b,
        '-m',
        'y',
        '-D',
        'publish',
        'user-property',
        'from',
        'mosquitto',
      ]);
      expect(messageLines((await ours.wait()).stdout)).toEqual(['from:mosquitto y']);
    });

    it('prints exactly what mosquitto_sub prints for the same messages (default, -v, -F)', async () => {
      const t = topic('oracle');
      const format = '%t|%p|%q|%r|%l|%x|%X|%m|%P|%C|%R|%D|%05l|%-6t|%.3t|\\t@@';
      const variants = [[], ['-v'], ['-F', format]];
      const messages: string[][] = [
        ['-m', 'plain text', '-q', '1'],
        ['-n'],
        [
          '-m',
          'héllo wörld',
          '-q',
          '2',
          '-V',
          'mqttv5',
          '-D',
          'publish',
          'user-property',
          'k',
          'v',
          '-D',
          'publish',
          'content-type',
          'text/x',
          '-D',
          'publish',
          'response-topic',
          'r/t',
          '-D',
          'publish',
          'correlation-data',
          'cd',
        ],
        ['-m', 'x y z'],
      ];
      for (const variant of variants) {
        const common = ['-V', 'mqttv5', '-t', t, '-C', String(messages.length), '-q', '1', ...variant];
        await using theirs = await spawnMosquittoSub(['-p', port, ...common]);
        const ours = await startSub(['-h', '127.0.0.1', '-p', port, ...common]);
        for (const message of messages) {
          const result = await mosquittoPub(['-p', port, '-t', t, ...message]);
          expect(result.code, result.stderr).toBe(0);
        }
        const expected = (await theirs.wait()).stdout;
        const actual = messageLines((await ours.wait()).stdout)
          .map((line) => `${line}\n`)
          .join('');
        expect(actual, `variant ${JSON.stringify(variant)}`).toBe(expected);
      }
    });

    it('binary payloads come out byte for byte, like mosquitto_sub', async () => {
      const t = topic('binary');
      const payload = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x41]);
      const ours = await startSub(['-h', '127.0.0.1', '-p', port, '-t', t, '-C', '1', '-N']);
      const pub = await runCli(['pub', '-h', '127.0.0.1', '-p', port, '-t', t, '-s'], { input: payload });
      expect(pub.code, pub.stderr).toBe(0);
      const result = await ours.wait();
      // -N: no newline. -d puts "received PUBLISH ... (5 bytes))" before the payload and the
      // DISCONNECT line right after it.
      const text = result.stdoutBytes.toString('latin1');
      const marker = '(5 bytes))\n';
      const start = text.indexOf(marker) + marker.length;
      expect(text.indexOf(marker)).toBeGreaterThan(0);
      expect(result.stdoutBytes.subarray(start, start + payload.length)).toEqual(payload);
      expect(text.slice(start + payload.length)).toMatch(/^Client \S+ sending DISCONNECT\n$/);
    });
  });
}
