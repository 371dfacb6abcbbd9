/**
 * `mqtts://` and `wss://` against the mqttkit broker behind Node TLS servers, with a throwaway
 * self-signed certificate made by `openssl` (skipped, visibly, when openssl is not installed and CI is
 * not set; CI must have it).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { findExecutable } from '@mqttkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { connect, NetworkError } from '../src/index.js';
import { type BrokerFixture, startBroker, text } from './fixtures.js';

const openssl = findExecutable('openssl');
if (openssl === undefined && process.env.CI) throw new Error('openssl is required in CI for the TLS tests');

describe.skipIf(openssl === undefined)('TLS (openssl found)', () => {
  let dir: string;
  let cert: string;
  let key: string;
  let fixture: BrokerFixture;
  const closers: (() => void)[] = [];
  let tlsPort = 0;
  let wssPort = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mqttkit-client-tls-'));
    execFileSync(
      openssl!,
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore', timeout: 20_000 },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
    fixture = await startBroker();
    const broker = fixture.broker;
    const tls = createTlsServer({ key, cert }, (socket) =>
      broker.handleConnection(socket, { listenerId: 'tls', remoteAddress: 'tls' }),
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    tlsPort = (tls.address() as AddressInfo).port;
    const https = createHttpsServer({ key, cert });
    const wss = new WebSocketServer({ server: https, handleProtocols: () => 'mqtt' });
    wss.on('connection', (ws) =>
      broker.handleConnection(createWebSocketStream(ws), { listenerId: 'wss', remoteAddress: 'wss' }),
    );
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    wssPort = (https.address() as AddressInfo).port;
    closers.push(
      () => tls.close(),
      () => wss.close(),
      () => https.close(),
      () => https.closeAllConnections(),
    );
  });

  afterAll(async () => {
    await fixture?.close();
    for (const close of closers) close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it.each(['mqtts', 'wss'] as const)(
    'connects over %s with the CA given, and round-trips QoS 1',
    async (scheme) => {
      const port = scheme === 'mqtts' ? tlsPort : wssPort;
      const client = await connect(`${scheme}://localhost:${port}`, { tls: { ca: cert } });
      try {
        await client.subscribe('secure/#', { qos: 1 });
        const message = new Promise<string>((resolve) =>
          client.once('message', (m) => resolve(text(m.payload))),
        );
        await client.publish('secure/x', 'sealed', { qos: 1 });
        expect(await message).toBe('sealed');
      } finally {
        await client.end();
      }
    },
  );

  it('refuses a server certificate it cannot verify', async () => {
    const error = await connect(`mqtts://127.0.0.1:${tlsPort}`, { reconnect: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/self[- ]signed/i);
  });
});
