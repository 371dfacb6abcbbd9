/**
 * tls, ws and wss listeners configured in a config file, end to end: mutual TLS with the certificate's
 * CN as the user name (seen by the ACL's %u), WebSocket and secure WebSocket with passwords, all one
 * broker, certificates generated with openssl at test time; SIGHUP reloads the certificates.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createTestPki,
  findExecutable,
  missingMosquittoTools,
  mosquittoSub,
  type TestPki,
} from '@mqttkit/testkit';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { emptyPasswordFile, setPassword, writePasswordFile } from '../src/auth/password-file.js';
import {
  type BrokerProcess,
  killAll,
  requireBuild,
  runBinary,
  startBrokerProcess,
} from './broker-process.js';

const hasOpenssl = findExecutable('openssl') !== undefined;
const title = `tls, ws and wss listeners${hasOpenssl ? '' : ' (skipped: openssl not installed)'}`;

let pki: TestPki;
let broker: BrokerProcess;
/** The tls listener's own copies of the server certificate, which the reload test replaces. */
let tlsCert: string;
let tlsKey: string;
const clients: MqttClient[] = [];
const portOf = (protocol: string) =>
  broker.listeners.find((listener) => listener.protocol === protocol)!.port;

async function connect(url: string, options: IClientOptions): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  clients.push(client);
  return client;
}

/** Connects and reports `connected`, or how the attempt failed. */
function attempt(url: string, options: IClientOptions): Promise<string> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    clients.push(client);
    client.once('connect', () => resolve('connected'));
    client.once('error', (error) => resolve(`error: ${error.message}`));
    client.once('close', () => resolve('closed'));
  });
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Options of a client presenting the device-1 certificate. */
async function deviceOptions(): Promise<IClientOptions> {
  return {
    protocolVersion: 5,
    ca: await readFile(pki.ca.certPath),
    key: await readFile(pki.client.keyPath),
    cert: await readFile(pki.client.certPath),
    servername: 'localhost',
  };
}

describe.skipIf(!hasOpenssl)(title, () => {
  beforeAll(async () => {
    requireBuild();
    pki = await createTestPki();
    const passwords = join(pki.dir, 'passwords');
    const users = await setPassword(emptyPasswordFile(), 'alice', 'alice-pw', { cost: { N: 1024 } });
    await writePasswordFile(passwords, users);
    const acl = join(pki.dir, 'acl.conf');
    await writeFile(acl, 'pattern readwrite devices/%u/#\nuser alice\ntopic readwrite #\n');
    tlsCert = join(pki.dir, 'tls-listener.crt');
    tlsKey = join(pki.dir, 'tls-listener.key');
    await copyFile(pki.server.certPath, tlsCert);
    await copyFile(pki.server.keyPath, tlsKey);
    const wssTls = { certFile: pki.server.certPath, keyFile: pki.server.keyPath };
    const config = join(pki.dir, 'broker.yaml');
    await writeFile(
      config,
      stringify({
        listeners: [
          { protocol: 'tcp', host: '127.0.0.1', port: 0 },
          {
            id: 'mtls',
            protocol: 'tls',
            host: '127.0.0.1',
            port: 0,
            certFile: tlsCert,
            keyFile: tlsKey,
            caFile: pki.ca.certPath,
            usernameFromCertificate: 'cn',
          },
          { protocol: 'ws', host: '127.0.0.1', port: 0 },
          { protocol: 'wss', host: '127.0.0.1', port: 0, path: '/secure', ...wssTls },
        ],
        auth: { passwordFile: passwords, aclFile: acl },
      }),
    );
    broker = await startBrokerProcess(['--config', config]);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  });
  afterAll(async () => {
    await killAll();
    await pki?.remove();
  });

  it('logs every listener with its protocol and id', () => {
    expect(broker.listeners.map((listener) => listener.protocol)).toEqual(['tcp', 'tls', 'ws', 'wss']);
    expect(broker.listeners[1]!.id).toBe('mtls');
  });

  it('mutual TLS: the certificate CN is the user name, so %u rules apply; a ws client with a password sees it', async () => {
    const alice = await connect(`ws://127.0.0.1:${portOf('ws')}/mqtt`, {
      protocolVersion: 5,
      clientId: 'alice-ws',
      username: 'alice',
      password: 'alice-pw',
    });
    const got: string[] = [];
    alice.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
    await alice.subscribeAsync('devices/#', { qos: 1 });
    const device = await connect(`mqtts://127.0.0.1:${portOf('tls')}`, {
      ...(await deviceOptions()),
      clientId: 'device-client',
      // A CONNECT user name and password cannot stand in for the certificate's name.
      username: 'alice',
      password: 'wrong',
    });
    await device.publishAsync('devices/device-1/temp', '21.5', { qos: 1 });
    await expect(device.publishAsync('devices/other/temp', 'spoof', { qos: 1 })).rejects.toMatchObject({
      code: 0x87,
    });
    await until(() => got.length > 0, 'the device message');
    expect(got).toEqual(['devices/device-1/temp 21.5']);
  });

  it('TLS without a trusted client certificate is refused before MQTT', async () => {
    const url = `mqtts://127.0.0.1:${portOf('tls')}`;
    const base = {
      ca: await readFile(pki.ca.certPath),
      servername: 'localhost',
      username: 'alice',
      password: 'alice-pw',
    };
    expect(await attempt(url, base)).not.toBe('connected');
    const intruder = {
      ...base,
      key: await readFile(pki.otherClient.keyPath),
      cert: await readFile(pki.otherClient.certPath),
    };
    expect(await attempt(url, intruder)).not.toBe('connected');
  });

  it('wss on its own path, with a password', async () => {
    const ca = await readFile(pki.ca.certPath);
    const client = await connect(`wss://127.0.0.1:${portOf('wss')}/secure`, {
      protocolVersion: 4,
      clientId: 'alice-wss',
      username: 'alice',
      password: 'alice-pw',
      ca,
      servername: 'localhost',
      wsOptions: { ca },
    });
    await client.subscribeAsync('wss/echo', { qos: 1 });
    const echoed = new Promise<string>((resolve) => {
      client.once('message', (_topic, payload) => resolve(payload.toString()));
    });
    await client.publishAsync('wss/echo', 'over wss', { qos: 1 });
    expect(await echoed).toBe('over wss');
  });

  it.skipIf(missingMosquittoTools().length > 0)(
    'mosquitto_sub over mutual TLS reads its own %u subtree',
    async () => {
      const tls = ['--cafile', pki.ca.certPath, '--cert', pki.client.certPath, '--key', pki.client.keyPath];
      const args = ['-p', String(portOf('tls')), ...tls, '-t', 'devices/device-1/#', '-C', '1', '-v'];
      const result = await mosquittoSub(args, {
        whenSubscribed: async () => {
          const alice = await connect(broker.url, { username: 'alice', password: 'alice-pw' });
          await alice.publishAsync('devices/device-1/cmd', 'reboot', { qos: 1 });
        },
      });
      expect(result.stdout).toBe('devices/device-1/cmd reboot\n');
    },
  );

  it('a missing certificate file stops the start with one line naming listener and file', async () => {
    const config = join(pki.dir, 'bad.yaml');
    const missing = join(pki.dir, 'nope.crt');
    const listener = { protocol: 'tls', host: '127.0.0.1', port: 0, certFile: missing, keyFile: tlsKey };
    await writeFile(config, stringify({ listeners: [listener] }));
    const result = await runBinary(['--config', config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `mqttkit-broker: listener tls:0: cannot read certFile ${missing}: no such file\n`,
    );
  });

  // Last: it replaces the tls listener's certificate.
  it('SIGHUP puts new certificates in force for new handshakes; open TLS connections stay', async () => {
    const url = `mqtts://127.0.0.1:${portOf('tls')}`;
    const open = await connect(url, { ...(await deviceOptions()), clientId: 'before-reload' });
    let closed = false;
    open.on('close', () => {
      closed = true;
    });
    const reloads = () =>
      broker.logs().filter((line) => line.msg === 'SIGHUP: TLS certificates reloaded').length;
    const before = reloads();
    const otherServer = await pki.issue('other-server', {
      commonName: 'localhost',
      altNames: ['IP:127.0.0.1', 'DNS:localhost'],
      usage: 'server',
      issuer: 'otherCa',
    });
    await copyFile(otherServer.certPath, tlsCert);
    await copyFile(otherServer.keyPath, tlsKey);
    broker.signal('SIGHUP');
    await until(() => reloads() > before, 'the certificate reload');
    // The new server certificate is signed by a CA this client does not trust.
    expect(await attempt(url, { ...(await deviceOptions()), clientId: 'after-reload' })).toMatch(/^error: /);
    await open.publishAsync('devices/device-1/still', 'here', { qos: 1 });
    expect(closed).toBe(false);
  });
});
