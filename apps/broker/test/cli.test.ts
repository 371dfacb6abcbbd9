/** The built binary's command line: help, version, and readable failures. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, requireBuild, runBinary, startBrokerProcess } from './broker-process.js';

let dir: string;
let blocker: Server | undefined;
beforeAll(async () => {
  requireBuild();
  dir = await mkdtemp(join(tmpdir(), 'mqttkit-broker-cli-'));
});
afterEach(async () => {
  await killAll();
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
  blocker = undefined;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** No stack trace: no "    at " frames and no "Error:" class prefix. */
function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/\b[A-Za-z]*Error: /);
}

describe('mqttkit-broker command line', () => {
  it('--help documents flags and settings, exit 0', async () => {
    const result = await runBinary(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: mqttkit-broker [options]');
    expect(result.stdout).toContain('limits.maximumPacketSize');
    expect(result.stdout).toContain('MQTTKIT_LIMITS_MAXIMUM_PACKET_SIZE');
  });

  it('--version prints the package version', async () => {
    const result = await runBinary(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  });

  it('a bad config file exits 2, naming the key, the reason and the file', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(
      path,
      'limits:\n  maximumPacketSize: big\nlisteners:\n  - port: 1883\n    hots: 0.0.0.0\n',
    );
    const result = await runBinary(['--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      `mqttkit-broker: limits.maximumPacketSize: must be an integer from 16 to 268435460, got "big" (in ${path})`,
      `mqttkit-broker: listeners[0].hots: unknown key for a tcp listener; did you mean host? (in ${path})`,
    ]);
    expectNoStack(result.stderr);
  });

  it('a bad environment variable or flag exits 2 with a readable line', async () => {
    const env = await runBinary([], { MQTTKIT_LOG_LEVEL: 'loud' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain(
      'log.level: must be one of trace, debug, info, warn, error, fatal or silent, got "loud" (from MQTTKIT_LOG_LEVEL)',
    );
    const flag = await runBinary(['--prot', '1883']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('unknown option --prot; did you mean --port?');
    expectNoStack(env.stderr + flag.stderr);
  });

  it('a port in use exits 1 with one readable line on stderr', async () => {
    blocker = createServer();
    const port = await new Promise<number>((resolve) => {
      blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port));
    });
    const result = await runBinary(['--host', '127.0.0.1', '--port', String(port)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `mqttkit-broker: cannot listen on 127.0.0.1:${port} (listener tcp:${port}): address already in use (another process is listening there)\n`,
    );
  });

  it('logs JSON lines with the version and bound listeners when stdout is not a terminal', async () => {
    await using broker = await startBrokerProcess(['--log-level', 'debug'], { MQTTKIT_NOT_A_SETTING: '1' });
    const logs = broker.logs();
    const started = logs.find((line) => line.msg === 'mqttkit-broker started')!;
    expect(started.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(started.listeners).toEqual([
      { id: `tcp:${broker.port}`, protocol: 'tcp', host: '127.0.0.1', port: broker.port },
    ]);
    expect(logs.find((line) => line.msg === `listening on 127.0.0.1:${broker.port}`)).toBeDefined();
    const warning = logs.find((line) => line.level === 40);
    expect(warning?.msg).toBe('environment variable MQTTKIT_NOT_A_SETTING is not a setting and is ignored');
  });

  it('reads listeners and limits from a YAML config, overridden by flags', async () => {
    const path = join(dir, 'good.yaml');
    await writeFile(
      path,
      'listeners:\n  - id: main\n    host: 127.0.0.1\n    port: 1\nlimits:\n  maximumQoS: 1\n',
    );
    // --port overrides the file's port 1 (which would need privileges).
    await using broker = await startBrokerProcess(['-c', path]);
    const started = broker.logs().find((line) => line.msg === 'mqttkit-broker started')!;
    expect(started.listeners).toEqual([
      { id: 'main', protocol: 'tcp', host: '127.0.0.1', port: broker.port },
    ]);
    expect(broker.logs()[0]!.configFile).toBe(path);
  });
});
