/**
 * Password file and ACL file end to end: the built binary with `--password-file` and `--acl-file`,
 * driven by MQTT.js (3.1.1 and 5.0) and mosquitto_pub/mosquitto_sub; SIGHUP reloads both without
 * dropping connections.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingMosquittoTools, mosquittoPub, mosquittoSub } from '@mqttkit/testkit';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emptyPasswordFile, setPassword, writePasswordFile } from '../src/auth/password-file.js';
import { type BrokerProcess, killAll, requireBuild, startBrokerProcess } from './broker-process.js';

/** A cheap scrypt cost keeps the suite fast; the broker reads the cost from each hash. */
const FAST = { cost: { N: 1024 } };

const ACL = `
pattern readwrite clients/%c/#

user alice
topic readwrite shared/#
topic read $SYS/#

user bob
topic read shared/#
topic write shared/bob
`;

let dir: string;
let passwordPath: string;
let aclPath: string;
let broker: BrokerProcess;
const clients: MqttClient[] = [];

async function writePasswords(users: Record<string, string>): Promise<void> {
  let file = emptyPasswordFile();
  for (const [user, password] of Object.entries(users)) file = await setPassword(file, user, password, FAST);
  await writePasswordFile(passwordPath, file);
}

beforeAll(async () => {
  requireBuild();
  dir = await mkdtemp(join(tmpdir(), 'mqttkit-auth-e2e-'));
  passwordPath = join(dir, 'passwords');
  aclPath = join(dir, 'acl.conf');
  await writePasswords({ alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw' });
  await writeFile(aclPath, ACL);
  broker = await startBrokerProcess(['--password-file', passwordPath, '--acl-file', aclPath]);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
});
afterAll(async () => {
  await killAll();
  await rm(dir, { recursive: true, force: true });
});

async function connect(clientId: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(broker.url, {
    clientId,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  });
  clients.push(client);
  return client;
}

/** The error code MQTT.js reports for a refused CONNECT. */
async function refusal(options: IClientOptions): Promise<number> {
  const client = mqtt.connect(broker.url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => reject(new Error('connected, expected a refusal')));
    client.once('error', (error) => resolve((error as { code?: number }).code ?? -1));
  });
}

/** Collects the messages `client` receives. */
function inbox(client: MqttClient): { topic: string; payload: string }[] {
  const got: { topic: string; payload: string }[] = [];
  client.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }));
  return got;
}

/** The codes of the SUBACK answering a SUBSCRIBE of `filters` (MQTT.js rejects v5 refusals). */
function subackCodes(client: MqttClient, filters: Record<string, { qos: 0 | 1 | 2 }>): Promise<number[]> {
  return new Promise((resolve) => {
    const onPacket = (packet: mqtt.Packet) => {
      if (packet.cmd !== 'suback') return;
      client.off('packetreceive', onPacket);
      resolve(packet.granted as number[]);
    };
    client.on('packetreceive', onPacket);
    client.subscribe(filters, () => {});
  });
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const logCount = (message: string) => broker.logs().filter((line) => line.msg === message).length;

describe('password file (MQTT.js)', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`v${protocolVersion}: the right password connects`, async () => {
      const client = await connect(`pw-ok-${protocolVersion}`, {
        protocolVersion,
        username: 'alice',
        password: 'alice-pw',
      });
      expect(client.connected).toBe(true);
    });
  }

  it('3.1.1: a wrong password or unknown user gets return code 4, no user name code 5', async () => {
    expect(await refusal({ protocolVersion: 4, username: 'alice', password: 'nope' })).toBe(4);
    expect(await refusal({ protocolVersion: 4, username: 'nobody', password: 'alice-pw' })).toBe(4);
    expect(await refusal({ protocolVersion: 4, username: 'alice' })).toBe(4);
    expect(await refusal({ protocolVersion: 4 })).toBe(5);
  });

  it('5.0: a wrong password gets 0x86 Bad user name or password, no user name 0x87 Not authorized', async () => {
    expect(await refusal({ protocolVersion: 5, username: 'alice', password: 'nope' })).toBe(0x86);
    expect(await refusal({ protocolVersion: 5, username: 'nobody', password: 'x' })).toBe(0x86);
    expect(await refusal({ protocolVersion: 5 })).toBe(0x87);
  });
});

describe('ACL file (MQTT.js)', () => {
  it('an allowed publish is delivered, a denied one is not (v5 PUBACK 0x87; 3.1.1 silently dropped)', async () => {
    const alice = await connect('acl-alice', { protocolVersion: 5, username: 'alice', password: 'alice-pw' });
    const got = inbox(alice);
    await alice.subscribeAsync('shared/#', { qos: 1 });
    const bob5 = await connect('acl-bob5', { protocolVersion: 5, username: 'bob', password: 'bob-pw' });
    await expect(bob5.publishAsync('shared/other', 'denied-v5', { qos: 1 })).rejects.toMatchObject({
      code: 0x87,
    });
    await bob5.publishAsync('shared/bob', 'allowed-v5', { qos: 1 });
    const bob4 = await connect('acl-bob4', { protocolVersion: 4, username: 'bob', password: 'bob-pw' });
    // 3.1.1 has no way to refuse a PUBLISH: it is acknowledged and dropped [MQTT-3.3.5-2].
    await bob4.publishAsync('shared/other', 'denied-v4', { qos: 1 });
    await bob4.publishAsync('shared/bob', 'allowed-v4', { qos: 1 });
    await until(() => got.length >= 2, 'the two allowed messages');
    // Each publisher's messages arrive in order, so a denied one would be here by now.
    expect(got).toEqual([
      { topic: 'shared/bob', payload: 'allowed-v5' },
      { topic: 'shared/bob', payload: 'allowed-v4' },
    ]);
    expect(bob4.connected && bob5.connected).toBe(true);
  });

  it('a denied SUBSCRIBE gets 0x87 (v5) or 0x80 (3.1.1); a filter wider than the grant is denied', async () => {
    const bob5 = await connect('sub-bob5', { protocolVersion: 5, username: 'bob', password: 'bob-pw' });
    expect(
      await subackCodes(bob5, { 'shared/+': { qos: 1 }, 'private/x': { qos: 1 }, '#': { qos: 0 } }),
    ).toEqual([1, 0x87, 0x87]);
    const bob4 = await connect('sub-bob4', { protocolVersion: 4, username: 'bob', password: 'bob-pw' });
    expect(await subackCodes(bob4, { 'shared/bob': { qos: 1 }, 'private/x': { qos: 1 } })).toEqual([1, 0x80]);
  });

  it('%c patterns: every client may use its own subtree only', async () => {
    const carol = await connect('carol-phone', {
      protocolVersion: 5,
      username: 'carol',
      password: 'carol-pw',
    });
    expect(
      await subackCodes(carol, { 'clients/carol-phone/#': { qos: 1 }, 'clients/other/#': { qos: 1 } }),
    ).toEqual([1, 0x87]);
    await carol.publishAsync('clients/carol-phone/state', 'mine', { qos: 1 });
    await expect(carol.publishAsync('clients/other/state', 'theirs', { qos: 1 })).rejects.toMatchObject({
      code: 0x87,
    });
  });
});

const missing = missingMosquittoTools();
describe.skipIf(missing.length > 0)(
  `mosquitto_pub / mosquitto_sub with -u/-P${missing.length > 0 ? ` (skipped: ${missing.join(', ')} not installed)` : ''}`,
  () => {
    const at = () => ['-p', String(broker.port)];

    for (const version of ['mqttv311', 'mqttv5'] as const) {
      it(`${version}: the right password publishes; a wrong one or none is refused`, async () => {
        const ok = await mosquittoPub([
          ...at(),
          '-V',
          version,
          '-u',
          'bob',
          '-P',
          'bob-pw',
          '-t',
          'shared/bob',
          '-m',
          'x',
        ]);
        expect(ok.code, ok.stderr).toBe(0);
        const wrong = await mosquittoPub([
          ...at(),
          '-V',
          version,
          '-u',
          'bob',
          '-P',
          'bad',
          '-t',
          'shared/bob',
          '-m',
          'x',
        ]);
        expect(wrong.code).not.toBe(0);
        expect(wrong.stderr.toLowerCase()).toMatch(/bad user ?name or password/);
        const anonymous = await mosquittoPub([...at(), '-V', version, '-t', 'shared/bob', '-m', 'x']);
        expect(anonymous.code).not.toBe(0);
        expect(anonymous.stderr.toLowerCase()).toMatch(/not authori[sz]ed/);
      });
    }

    it('mosquitto_sub as alice receives what bob may publish, not what he may not', async () => {
      const result = await mosquittoSub(
        [...at(), '-u', 'alice', '-P', 'alice-pw', '-t', 'shared/#', '-C', '1', '-v'],
        {
          whenSubscribed: async () => {
            await mosquittoPub([
              ...at(),
              '-u',
              'bob',
              '-P',
              'bob-pw',
              '-t',
              'shared/other',
              '-q',
              '1',
              '-m',
              'denied',
            ]);
            await mosquittoPub([
              ...at(),
              '-u',
              'bob',
              '-P',
              'bob-pw',
              '-t',
              'shared/bob',
              '-q',
              '1',
              '-m',
              'allowed',
            ]);
          },
        },
      );
      expect(result.stdout).toBe('shared/bob allowed\n');
    });
  },
);

describe('SIGHUP reload', () => {
  it('changes decisions for new packets and logins without dropping an existing connection', async () => {
    const bob = await connect('hup-bob', { protocolVersion: 5, username: 'bob', password: 'bob-pw' });
    let closed = false;
    bob.on('close', () => {
      closed = true;
    });
    await expect(bob.publishAsync('shared/late', 'before', { qos: 1 })).rejects.toMatchObject({ code: 0x87 });
    const reloads = logCount('SIGHUP: password and ACL files reloaded');

    await writeFile(aclPath, `${ACL}\nuser bob\ntopic write shared/late\n`);
    await writePasswords({ alice: 'alice-new', bob: 'bob-pw', carol: 'carol-pw' });
    broker.signal('SIGHUP');
    await until(() => logCount('SIGHUP: password and ACL files reloaded') > reloads, 'the reload');

    await bob.publishAsync('shared/late', 'after', { qos: 1 });
    expect(closed).toBe(false);
    expect(bob.connected).toBe(true);
    expect(await refusal({ protocolVersion: 5, username: 'alice', password: 'alice-pw' })).toBe(0x86);
    await connect('hup-alice', { protocolVersion: 5, username: 'alice', password: 'alice-new' });

    // A broken file: the reload fails, is logged with file and line, and the files in force stay.
    const failures = logCount('SIGHUP: reload failed; the files in force stay in force');
    await writeFile(aclPath, 'user bob\ntopic wirte shared/#\n');
    broker.signal('SIGHUP');
    await until(
      () => logCount('SIGHUP: reload failed; the files in force stay in force') > failures,
      'the failure',
    );
    const failure = broker
      .logs()
      .filter((line) => line.msg.startsWith('SIGHUP: reload failed'))
      .at(-1)!;
    expect(failure.problems).toEqual([
      `${aclPath}:2: unknown access "wirte"; expected read, write, readwrite or deny (a filter with spaces needs an access word before it)`,
    ]);
    await bob.publishAsync('shared/late', 'still allowed', { qos: 1 });
    await expect(bob.publishAsync('shared/other', 'still denied', { qos: 1 })).rejects.toMatchObject({
      code: 0x87,
    });
    expect(closed).toBe(false);
  });
});

describe('startup', () => {
  it('a bad password file stops the start with exit 2, naming the file and line', async () => {
    const bad = join(dir, 'bad-passwords');
    await writeFile(bad, 'alice:plain\n');
    const { runBinary } = await import('./broker-process.js');
    const result = await runBinary([
      '--port',
      '0',
      '--password-file',
      bad,
      '--acl-file',
      join(dir, 'none.acl'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `mqttkit-broker: ${bad}:1: user "alice": the password is not hashed (expected $scrypt$..., $pbkdf2-sha512$... or $7$...)\n` +
        `mqttkit-broker: ${join(dir, 'none.acl')}: cannot read the ACL file: no such file\n`,
    );
  });
});
