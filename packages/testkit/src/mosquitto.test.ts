import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  findExecutable,
  findFreePort,
  listenerPorts,
  missingMosquittoTools,
  mosquittoPub,
  mosquittoSub,
  spawnMosquittoSub,
  startMosquitto,
} from './mosquitto.js';
import { RawClient } from './raw-client.js';
import { rawConnect, rawSubscribe } from './raw-packets.js';
import { parseConnack, parsePublish, parseSuback, propertyValues } from './raw-reader.js';

const missing = missingMosquittoTools();
const available = missing.length === 0;
const missingText = `${missing.join(', ')} not found on PATH, /usr/sbin or /usr/local/sbin (Debian: apt-get install mosquitto mosquitto-clients coreutils)`;

/** True while `pid` names a live process. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

describe('findExecutable and findFreePort', () => {
  const savedPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = savedPath;
  });

  it('finds a program in a PATH directory and nothing for an unknown name', () => {
    process.env.PATH = dirname(process.execPath);
    expect(findExecutable(basename(process.execPath))).toBe(process.execPath);
    expect(findExecutable('mqttkit-no-such-tool')).toBeUndefined();
  });

  it('findFreePort returns a port that can be bound on 127.0.0.1', async () => {
    const port = await findFreePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('mosquitto tools on CI', () => {
  it.runIf(process.env.CI)('are installed (CI installs Debian mosquitto and mosquitto-clients)', () => {
    expect(missing, `mosquitto helpers cannot run on CI: ${missingText}`).toEqual([]);
  });
});

describe.skipIf(!available)(
  available ? 'against real mosquitto' : `against real mosquitto — skipped: ${missingText}`,
  () => {
    it('mosquittoSub -C 1 receives what mosquittoPub sends', async () => {
      await using broker = await startMosquitto();
      const port = String(broker.port);
      const result = await mosquittoSub(['-p', port, '-t', 'testkit/one', '-C', '1', '-v'], {
        whenSubscribed: async () => {
          const pub = await mosquittoPub(['-p', port, '-t', 'testkit/one', '-m', 'hello']);
          expect(pub).toMatchObject({ code: 0, timedOut: false });
        },
      });
      expect(result).toMatchObject({ code: 0, timedOut: false, stdout: 'testkit/one hello\n' });
    });

    it('mosquittoSub without a callback receives a retained message published before', async () => {
      await using broker = await startMosquitto();
      const port = String(broker.port);
      await mosquittoPub(['-p', port, '-t', 'testkit/kept', '-m', 'kept', '-r', '-q', '1']);
      const result = await mosquittoSub(['-p', port, '-t', 'testkit/kept', '-C', '1']);
      expect(result).toMatchObject({ code: 0, timedOut: false, stdout: 'kept\n' });
    });

    it('mosquittoSub is killed and marked when the timeout passes first', async () => {
      await using broker = await startMosquitto();
      const result = await mosquittoSub(['-p', String(broker.port), '-t', 'testkit/none', '-C', '1'], {
        timeoutMs: 300,
      });
      // mosquitto_sub exits cleanly on SIGTERM, so only `timedOut` tells the timeout happened.
      expect(result).toMatchObject({ timedOut: true, stdout: '' });
    });

    it('spawnMosquittoSub collects lines until stopped', async () => {
      await using broker = await startMosquitto();
      const port = String(broker.port);
      const sub = await spawnMosquittoSub(['-p', port, '-t', 'testkit/#', '-v', '-V', 'mqttv5']);
      expect(isRunning(sub.pid)).toBe(true);
      await mosquittoPub(['-p', port, '-t', 'testkit/a', '-m', 'one']);
      await mosquittoPub(['-p', port, '-t', 'testkit/b', '-m', 'two']);
      expect(await sub.waitForLines(2)).toEqual(['testkit/a one', 'testkit/b two']);
      const result = await sub.stop();
      expect(result.stdout).toBe('testkit/a one\ntestkit/b two\n');
      expect(isRunning(sub.pid)).toBe(false);
      await expect(sub.waitForLines(3, 100)).rejects.toThrow(/exited before 3 output lines/);
    });

    it.each([4, 5] as const)(
      'a RawClient CONNECT (version %i) gets CONNACK 0 and a PUBLISH',
      async (version) => {
        await using broker = await startMosquitto();
        await using client = await RawClient.connect(broker.port);
        await client.send(
          rawConnect({ protocolVersion: version, clientId: `testkit-${version}`, keepAlive: 30 }),
        );
        const connack = parseConnack(await client.expectFrame({ type: 2 }), version);
        expect(connack.code).toBe(0);
        expect(connack.sessionPresent).toBe(false);

        await client.send(rawSubscribe(1, [{ filter: 'raw/+', qos: 1 }], version));
        expect(parseSuback(await client.expectFrame({ type: 9 }), version)).toMatchObject({
          packetId: 1,
          codes: [1],
        });
        const pubArgs = ['-p', String(broker.port), '-t', 'raw/x', '-m', 'payload', '-q', '1'];
        await mosquittoPub(
          version === 5 ? [...pubArgs, '-V', 'mqttv5', '-D', 'publish', 'user-property', 'k', 'v'] : pubArgs,
        );
        const publish = parsePublish(await client.expectFrame({ type: 3 }), version);
        expect(publish).toMatchObject({ topic: 'raw/x', qos: 1, payload: Buffer.from('payload') });
        if (version === 5) expect(propertyValues(publish.properties, 0x26)).toEqual([['k', 'v']]);
      },
    );

    it('extra config lines reach the broker (max_keepalive shows as Server Keep Alive)', async () => {
      await using broker = await startMosquitto({ config: ['max_keepalive 10'] });
      await using client = await RawClient.connect(broker.port);
      await client.send(rawConnect({ protocolVersion: 5, clientId: 'ka', keepAlive: 60 }));
      const connack = parseConnack(await client.expectFrame({ type: 2 }), 5);
      expect(propertyValues(connack.properties, 0x13)).toEqual([10]);
    });

    it('stop kills that process, removes its files and frees the port', async () => {
      const broker = await startMosquitto();
      expect(isRunning(broker.pid)).toBe(true);
      expect(existsSync(broker.configPath)).toBe(true);
      expect(broker.log()).toMatch(/running/);
      await broker.stop();
      expect(isRunning(broker.pid)).toBe(false);
      expect(existsSync(dirname(broker.configPath))).toBe(false);
      await expect(RawClient.connect(broker.port, { timeoutMs: 2000 })).rejects.toThrow(/ECONNREFUSED/);
      await broker.stop(); // a second stop is harmless
    });

    it('a broker that cannot start is reported with its log', async () => {
      await expect(startMosquitto({ config: 'mqttkit_no_such_option 1' })).rejects.toThrow(
        /mosquitto exited during startup on port \d+:[\s\S]*mqttkit_no_such_option/,
      );
    });
  },
);

describe('listenerPorts', () => {
  it('finds the port of every listener line, so startMosquitto waits for all of them', () => {
    expect(
      listenerPorts([
        'listener 1883 127.0.0.1',
        'allow_anonymous true',
        '  listener 9001',
        'protocol websockets',
      ]),
    ).toEqual([1883, 9001]);
    expect(listenerPorts(['allow_anonymous true'])).toEqual([]);
  });
});
