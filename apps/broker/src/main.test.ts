import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:net';
import { PassThrough } from 'node:stream';
import { parseDisconnect, RawClient, rawConnect } from '@mqttkit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { main, type Runtime } from './main.js';

/** A runtime whose output, signals and exit are in the test's hands. */
function fakeRuntime(env: Record<string, string> = {}) {
  const stdout = Object.assign(new PassThrough(), { isTTY: false });
  const stderr = new PassThrough();
  const signals = new EventEmitter();
  const exits: number[] = [];
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const runtime: Runtime = { env, stdout, stderr, signals, exit: (code) => exits.push(code) };
  return {
    runtime,
    signals,
    exits,
    stdout: () => out,
    stderr: () => err,
    /** Parsed JSON log lines. */
    logs: () =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg: string; [key: string]: unknown }),
  };
}

/** Waits until the broker has logged that it started, and returns its first port. */
async function startedPort(fake: ReturnType<typeof fakeRuntime>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const started = fake.logs().find((line) => line.msg === 'mqttkit-broker started');
    if (started) return (started.listeners as { port: number }[])[0]!.port;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the broker did not start; stdout: ${fake.stdout()} stderr: ${fake.stderr()}`);
}

let blocker: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
  blocker = undefined;
});

describe('main (in process)', () => {
  it('prints help and the version, exit 0', async () => {
    const help = fakeRuntime();
    expect(await main(['--help'], help.runtime)).toBe(0);
    expect(help.stdout()).toContain('Usage: mqttkit-broker [options]');
    const version = fakeRuntime();
    expect(await main(['--version'], version.runtime)).toBe(0);
    expect(version.stdout()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('rejects bad flags with exit 2 and one readable line per problem', async () => {
    const fake = fakeRuntime();
    expect(await main(['--prot', '1'], fake.runtime)).toBe(2);
    expect(fake.stderr()).toBe(
      'mqttkit-broker: unknown option --prot; did you mean --port?\n' +
        'mqttkit-broker: unexpected argument "1"; options start with --\n' +
        'mqttkit-broker: see mqttkit-broker --help\n',
    );
  });

  it('rejects a bad configuration with exit 2, naming the key', async () => {
    const fake = fakeRuntime({ MQTTKIT_LIMITS_MAXIMUM_PACKET_SIZE: 'big' });
    expect(await main([], fake.runtime)).toBe(2);
    expect(fake.stderr()).toBe(
      'mqttkit-broker: limits.maximumPacketSize: must be an integer from 16 to 268435460, got "big" (from MQTTKIT_LIMITS_MAXIMUM_PACKET_SIZE)\n',
    );
    expect(fake.stdout()).toBe('');
  });

  it('prints the resolved configuration', async () => {
    const fake = fakeRuntime({ MQTTKIT_PORT: '1999' });
    expect(await main(['--print-config', '--set', 'limits.maximumInflight=5'], fake.runtime)).toBe(0);
    expect(fake.stdout()).toContain('port: 1999');
    expect(fake.stdout()).toContain('maximumInflight: 5');
  });

  it('reports a port in use in one line with exit 1', async () => {
    blocker = createServer();
    const port = await new Promise<number>((resolve) => {
      blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port));
    });
    const fake = fakeRuntime();
    expect(
      await main(['--host', '127.0.0.1', '--port', String(port), '--log-level', 'silent'], fake.runtime),
    ).toBe(1);
    expect(fake.stderr()).toBe(
      `mqttkit-broker: cannot listen on 127.0.0.1:${port} (listener tcp:${port}): address already in use (another process is listening there)\n`,
    );
  });

  it('runs until SIGTERM, then disconnects v5 clients with 0x8B and resolves 0', async () => {
    const fake = fakeRuntime({ MQTTKIT_UNKNOWN_THING: 'x' });
    const exit = main(['--host', '127.0.0.1', '--port', '0'], fake.runtime);
    const port = await startedPort(fake);
    await using client = await RawClient.connect(port);
    await client.send(rawConnect({ protocolVersion: 5, clientId: 'in-process' }));
    await client.expectFrame({ type: 2 });
    fake.signals.emit('SIGTERM');
    expect(parseDisconnect(await client.expectFrame({ type: 14 }), 5).reasonCode).toBe(0x8b);
    expect(await exit).toBe(0);
    const messages = fake.logs().map((line) => line.msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        'environment variable MQTTKIT_UNKNOWN_THING is not a setting and is ignored',
        'mqttkit-broker starting',
        `listening on 127.0.0.1:${port}`,
        'mqttkit-broker started',
        'stopping: closing listeners and disconnecting clients',
        'mqttkit-broker stopped',
      ]),
    );
    expect(fake.signals.listenerCount('SIGTERM')).toBe(0);
    expect(fake.exits).toEqual([]);
  });

  it('SIGHUP without auth files logs that there is nothing to reload and keeps running', async () => {
    const fake = fakeRuntime();
    const exit = main(['--host', '127.0.0.1', '--port', '0'], fake.runtime);
    await startedPort(fake);
    fake.signals.emit('SIGHUP');
    for (let i = 0; i < 200 && !fake.logs().some((line) => line.msg.includes('nothing to reload')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(fake.logs().map((line) => line.msg)).toContain(
      'SIGHUP: no password file, ACL file or TLS listener; nothing to reload',
    );
    fake.signals.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(fake.signals.listenerCount('SIGHUP')).toBe(0);
  });

  it('a bad ACL file stops the start with exit 2, naming file and line', async () => {
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'mqttkit-main-'));
    try {
      const acl = join(dir, 'acl.conf');
      await writeFile(acl, 'user a\ntopic read a/#/b\n');
      const fake = fakeRuntime();
      expect(await main(['--port', '0', '--acl-file', acl], fake.runtime)).toBe(2);
      expect(fake.stderr()).toBe(
        `mqttkit-broker: ${acl}:2: invalid topic filter "a/#/b": # must be the last level [MQTT-4.7.1-1]\n`,
      );
      expect(fake.stdout()).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('forces the exit on a second signal', async () => {
    const fake = fakeRuntime();
    const exit = main(['--host', '127.0.0.1', '--port', '0', '--log-level', 'warn'], fake.runtime);
    // Both signals arrive during startup: the first asks for a stop, the second forces it.
    for (let i = 0; i < 200 && fake.signals.listenerCount('SIGINT') === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    fake.signals.emit('SIGINT');
    fake.signals.emit('SIGINT');
    expect(fake.exits).toEqual([130]);
    expect(await exit).toBe(0);
  });
});
