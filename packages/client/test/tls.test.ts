/**
 * `mqtts://` and `wss://` against the mqttkit broker behind Node TLS servers, with throwaway
 * certificates from `createTestPki` (skipped, visibly, when openssl is not installed and CI is not
 * set; CI must have it). The servers present their certificate with its self-signed CA, so a client
 * that does not trust that CA sees a self-signed certificate in the chain.
 */
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { createTestPki, findExecutable, type TestPki } from '@mqttkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { connect, NetworkError } from '../src/index.js';
import { type BrokerFixture, startBroker, text } from './fixtures.js';

const openssl = findExecutable('openssl');
if (openssl === undefined && process.env.CI) throw new Error('openssl is required in CI for the TLS tests');

describe.skipIf(openssl === undefined)('TLS (openssl found)', () => {
  let pki: TestPki;
  let fixture: BrokerFixture;
  const closers: (() => void)[] = [];
  let tlsPort = 0;
  let wssPort = 0;

  beforeAll(async () => {
    pki = await createTestPki();
    const key = pki.server.key;
    const cert = pki.server.cert + pki.ca.cert;
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
    await pki?.remove();
  });

  it.each(['mqtts', 'wss'] as const)(
    'connects over %s with the CA given, and round-trips QoS 1',
    async (scheme) => {
      const port = scheme === 'mqtts' ? tlsPort : wssPort;
      const client = await connect(`${scheme}://localhost:${port}`, { tls: { ca: pki.ca.cert } });
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

describe.skipIf(openssl === undefined)('TLS host name checks (openssl found)', () => {
  let pki: TestPki;
  let fixture: BrokerFixture;
  let port = 0;
  let close = (): void => {};

  beforeAll(async () => {
    pki = await createTestPki();
    // A certificate from the trusted CA, but for another host than the 127.0.0.1 clients dial.
    const elsewhere = await pki.issue('elsewhere', {
      commonName: 'elsewhere.example',
      altNames: ['DNS:elsewhere.example'],
      usage: 'server',
    });
    fixture = await startBroker();
    const broker = fixture.broker;
    const server = createTlsServer({ key: elsewhere.key, cert: elsewhere.cert }, (socket) =>
      broker.handleConnection(socket, { listenerId: 'tls' }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    close = () => server.close();
  });

  afterAll(async () => {
    await fixture?.close();
    close();
    await pki?.remove();
  });

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: unknown) => e as Error,
    );

  it('refuses a trusted certificate that names another host', async () => {
    const error = await failure(
      connect(`mqtts://127.0.0.1:${port}`, { reconnect: false, tls: { ca: pki.ca.cert } }),
    );
    expect(error).toBeInstanceOf(NetworkError);
    expect(error?.message).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list|altnames/i);
  });

  it('checkServerName: false accepts it, but still verifies the chain (mosquitto --insecure)', async () => {
    const client = await connect(`mqtts://127.0.0.1:${port}`, {
      reconnect: false,
      tls: { ca: pki.ca.cert, checkServerName: false },
    });
    await client.end();
    const untrusted = await failure(
      connect(`mqtts://127.0.0.1:${port}`, {
        reconnect: false,
        tls: { ca: pki.otherCa.cert, checkServerName: false },
      }),
    );
    expect(untrusted).toBeInstanceOf(NetworkError);
  });
});
