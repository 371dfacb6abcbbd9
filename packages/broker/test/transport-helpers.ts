/**
 * Shared by the transport tests: throwaway certificates made with Debian's `openssl` in a temp dir,
 * a capturing logger, and small waits. Nothing here touches the network.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type IClientOptions, MqttClient } from 'mqtt';
import WebSocket, { createWebSocketStream } from 'ws';
import type { Logger } from '../src/index.js';

const run = promisify(execFile);

/** One key pair and certificate: PEM contents and the files they were written to. */
export interface CertPair {
  key: string;
  cert: string;
  keyPath: string;
  certPath: string;
}

/** A test PKI: a CA, a server certificate for 127.0.0.1 / localhost, and client certificates. */
export interface TestPki extends AsyncDisposable {
  dir: string;
  ca: CertPair;
  server: CertPair;
  /** CN `device-1`, SAN `DNS:device-1.local`, signed by `ca`. */
  client: CertPair;
  /** A second CA nobody trusts. */
  otherCa: CertPair;
  /** CN `intruder`, signed by `otherCa`. */
  otherClient: CertPair;
  remove(): Promise<void>;
}

/** Runs openssl with a bound, so a hung tool fails the test instead of stalling it. */
async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir, timeout: 15_000 });
}

/** EC P-256 keys: quick to generate, and accepted by Node, OpenSSL 3 and mosquitto alike. */
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCa(dir: string, name: string): Promise<CertPair> {
  await openssl(dir, [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return load(dir, name);
}

async function makeSigned(
  dir: string,
  name: string,
  cn: string,
  ca: string,
  extensions: string[],
): Promise<CertPair> {
  await openssl(dir, [
    'req',
    ...EC_KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
  ]);
  await writeFile(join(dir, `${name}.ext`), `${['basicConstraints=CA:FALSE', ...extensions].join('\n')}\n`);
  const serial = `0x${Math.floor(Math.random() * 2 ** 48).toString(16)}`;
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-set_serial',
    serial,
    '-days',
    '2',
    '-out',
    `${name}.crt`,
    '-extfile',
    `${name}.ext`,
  ]);
  return load(dir, name);
}

async function load(dir: string, name: string): Promise<CertPair> {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  return {
    key: await readFile(keyPath, 'utf8'),
    cert: await readFile(certPath, 'utf8'),
    keyPath,
    certPath,
  };
}

/** Generates the test PKI in a fresh temp dir; `remove` (or `await using`) deletes it. */
export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'mqttkit-pki-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const ca = await makeCa(dir, 'ca');
    const otherCa = await makeCa(dir, 'other-ca');
    const [server, client, otherClient] = await Promise.all([
      makeSigned(dir, 'server', 'localhost', 'ca', [
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        'extendedKeyUsage=serverAuth',
      ]),
      makeSigned(dir, 'client', 'device-1', 'ca', [
        'subjectAltName=IP:10.0.0.7,DNS:device-1.local',
        'extendedKeyUsage=clientAuth',
      ]),
      makeSigned(dir, 'other-client', 'intruder', 'other-ca', [
        'subjectAltName=DNS:intruder.local',
        'extendedKeyUsage=clientAuth',
      ]),
    ]);
    return { dir, ca, server, client, otherCa, otherClient, remove, [Symbol.asyncDispose]: remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** One logged entry. */
export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** A logger that keeps what it is given, for asserting that something was logged (and nothing crashed). */
export function capturingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (fields: object, message: string): void => {
      entries.push({ level, fields: fields as Record<string, unknown>, message });
    };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Polls `check` until it holds, failing with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Rejects after `ms` with a message naming `what`; resolves with `promise` otherwise. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * MQTT.js over WebSocket, with the WebSocket opened by this file's `ws` import. MQTT.js's own ws
 * transport does `require('ws')`, which under the shared vitest config resolves to ws's ESM wrapper
 * (vitest passes `--conditions import` to Node), whose default export lacks `createWebSocketStream`.
 * This builds the stream exactly as MQTT.js's `connect/ws.js` does: `createWebSocketStream(new
 * WebSocket(url, [subprotocol]))`, `mqttv3.1` for MQTT 3.1 and `mqtt` otherwise.
 */
export function connectMqttOverWebSocket(
  url: string,
  options: IClientOptions,
  wsOptions: WebSocket.ClientOptions = {},
): Promise<MqttClient> {
  const subprotocol = options.protocolVersion === 3 && options.protocolId === 'MQIsdp' ? 'mqttv3.1' : 'mqtt';
  const client = new MqttClient(
    () => {
      const socket = new WebSocket(url, [subprotocol], wsOptions);
      const stream = createWebSocketStream(socket);
      socket.on('close', () => stream.destroy());
      return stream;
    },
    { reconnectPeriod: 0, connectTimeout: 5000, ...options },
  );
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      client.end(true);
      reject(error);
    };
    client.once('error', onError);
    client.once('connect', () => {
      client.off('error', onError);
      resolve(client);
    });
  });
}
