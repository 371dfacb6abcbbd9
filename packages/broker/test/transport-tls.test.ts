import { X509Certificate } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import {
  createTestPki,
  mosquittoAvailable,
  mosquittoPub,
  mosquittoSub,
  parseConnack,
  RawConnection,
  rawConnect,
  type TestPki,
} from '@mqttkit/testkit';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker, type ClientInfo } from '../src/index.js';
import { createTlsListener, type TlsListenerOptions } from '../src/transports/tls.js';
import { capturingLogger, waitFor, within } from './transport-helpers.js';

let pki: TestPki;
let broker: Broker;
const logger = capturingLogger();
/** What hooks saw of each connected client, by client id. */
const connected = new Map<string, ClientInfo>();

async function listen(options: Omit<TlsListenerOptions, 'key' | 'cert'>): Promise<number> {
  const listener = createTlsListener(broker, {
    port: 0,
    host: '127.0.0.1',
    key: pki.server.key,
    cert: pki.server.cert,
    ...options,
  });
  return (await listener.listen()).port;
}

/**
 * Opens a TLS connection and sends a 3.1.1 CONNECT once the handshake is done. Resolves with whether
 * the handshake completed, the CONNACK code (undefined when none came) and the socket error, if any.
 */
async function probe(
  port: number,
  clientId: string,
  options: ConnectionOptions = {},
): Promise<{ secured: boolean; connackCode: number | undefined; error: string | undefined }> {
  const socket = tlsConnect({ host: '127.0.0.1', port, ca: pki.ca.cert, ...options });
  const connection = new RawConnection(socket, `TLS probe ${clientId}`);
  try {
    const secured = await within(
      new Promise<boolean>((resolve) => {
        socket.once('secureConnect', () => resolve(true));
        void connection.closed.then(() => resolve(false));
      }),
      5000,
      `TLS handshake of ${clientId}`,
    );
    let connackCode: number | undefined;
    if (secured) {
      await connection.send(rawConnect({ protocolVersion: 4, clientId })).catch(() => {});
      // Either a CONNACK comes or the server drops the connection (TLS 1.3 verifies the client
      // certificate after the client considers the handshake done).
      const outcome = await within(
        Promise.race([
          connection.expectFrame({ type: 2 }).then((frame) => parseConnack(frame, 4).code),
          connection.closed.then(() => undefined),
        ]),
        5000,
        `CONNACK or close for ${clientId}`,
      ).catch(() => undefined);
      connackCode = outcome;
    }
    const info = connection.isClosed ? await connection.closed : undefined;
    const code = (info?.error as { code?: string } | undefined)?.code ?? info?.error?.message;
    return { secured, connackCode, error: code };
  } finally {
    await connection[Symbol.asyncDispose]();
  }
}

/** Messages logged at debug since entry `from` (a previous `logger.entries.length`). */
function debugSince(from: number): string[] {
  return logger.entries
    .slice(from)
    .filter((e) => e.level === 'debug')
    .map((e) => e.message);
}

beforeAll(async () => {
  pki = await createTestPki();
  broker = new Broker({
    logger,
    hooks: [
      {
        id: 'record',
        onConnected: ({ client }) => {
          connected.set(client.id, client);
        },
      },
    ],
  });
  await broker.start();
});

afterAll(async () => {
  // The temp certificates go even if the broker fails to close in time.
  try {
    if (broker !== undefined) await within(broker.close(), 10_000, 'broker.close');
  } finally {
    await pki?.remove();
  }
});

describe('TLS listener (mqtts)', () => {
  it('carries a QoS 1 round trip for MQTT.js with the CA, and tells hooks about the session', async () => {
    const port = await listen({});
    const url = `mqtts://127.0.0.1:${port}`;
    const options = { ca: pki.ca.cert, reconnectPeriod: 0, connectTimeout: 5000 };
    const sub = await mqtt.connectAsync(url, { ...options, clientId: 'tls-sub' });
    const pub = await mqtt.connectAsync(url, { ...options, clientId: 'tls-pub' });
    try {
      await sub.subscribeAsync('tls/rt', { qos: 1 });
      const got = new Promise<[string, string, number]>((resolve) => {
        sub.once('message', (topic, payload, packet) => resolve([topic, payload.toString(), packet.qos]));
      });
      await pub.publishAsync('tls/rt', 'over tls', { qos: 1 });
      expect(await within(got, 5000, 'message over TLS')).toEqual(['tls/rt', 'over tls', 1]);
    } finally {
      await sub.endAsync();
      await pub.endAsync();
    }
    const client = connected.get('tls-pub');
    expect(client?.listenerId).toBe(`tls:${port}`);
    expect(client?.transport).toMatchObject({ tls: true, protocol: 'TLSv1.3' });
    expect(client?.transport.certificate).toBeUndefined();
  });

  it('refuses a client limited to TLS 1.1 (default minVersion TLSv1.2) and logs the failed handshake at debug', async () => {
    // The client must really be able to speak TLS 1.1: OpenSSL 3 needs security level 0 for that.
    const tls11: ConnectionOptions = {
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    };
    // Control: a listener that allows TLS 1.1 accepts this very client, so the refusal below is the server's.
    const lenient = await listen({ minVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    expect(await probe(lenient, 'tls11-ok', tls11)).toMatchObject({ secured: true, connackCode: 0 });

    const strict = await listen({});
    const before = logger.entries.length;
    const refused = await probe(strict, 'tls11-refused', tls11);
    expect(refused.secured).toBe(false);
    expect(refused.connackCode).toBeUndefined();
    expect(refused.error).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    const logged = () =>
      logger.entries
        .slice(before)
        .some(
          (e) => e.message === 'TLS handshake failed' && e.fields.code === 'ERR_SSL_UNSUPPORTED_PROTOCOL',
        );
    await waitFor(logged, 'debug log entry for the refused TLS 1.1 handshake');
    expect(broker.isRunning).toBe(true);
  });

  it('drops a peer that never completes the handshake after handshakeTimeoutMs', async () => {
    const port = await listen({ handshakeTimeoutMs: 200 });
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    const started = Date.now();
    await within(new Promise((resolve) => socket.once('close', resolve)), 5000, 'silent peer dropped');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('serves new connections with replaced certificates after setSecurity', async () => {
    const listener = createTlsListener(broker, {
      port: 0,
      host: '127.0.0.1',
      key: pki.server.key,
      cert: pki.server.cert,
    });
    const { port } = await listener.listen();
    expect(await probe(port, 'reload-1')).toMatchObject({ secured: true, connackCode: 0 });
    // A certificate from the other CA: clients trusting only `ca` no longer get through.
    listener.setSecurity({ key: pki.otherClient.key, cert: pki.otherClient.cert });
    expect(await probe(port, 'reload-2')).toMatchObject({ secured: false, connackCode: undefined });
    listener.setSecurity({ key: pki.server.key, cert: pki.server.cert });
    expect(await probe(port, 'reload-3')).toMatchObject({ secured: true, connackCode: 0 });
  });
});

describe('mutual TLS', () => {
  let strictPort: number;
  beforeAll(async () => {
    strictPort = await listen({
      id: 'mtls',
      ca: pki.ca.cert,
      requestCert: true,
      rejectUnauthorized: true,
      usernameFromCertificate: 'cn',
    });
  });

  it('accepts a client certificate signed by the trusted CA and exposes its facts (CN as username)', async () => {
    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${strictPort}`, {
      ca: pki.ca.cert,
      key: pki.client.key,
      cert: pki.client.cert,
      clientId: 'mtls-ok',
      username: 'not-the-certificate',
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    try {
      await client.subscribeAsync('mtls/x', { qos: 1 });
      const got = new Promise<string>((resolve) => client.once('message', (_t, p) => resolve(p.toString())));
      await client.publishAsync('mtls/x', 'hello', { qos: 1 });
      expect(await within(got, 5000, 'mTLS round trip')).toBe('hello');
    } finally {
      await client.endAsync();
    }
    const info = connected.get('mtls-ok');
    expect(info?.listenerId).toBe('mtls');
    expect(info?.transport).toMatchObject({
      tls: true,
      authorized: true,
      username: 'device-1',
      certificate: {
        commonName: 'device-1',
        subjectAltName: 'IP Address:10.0.0.7, DNS:device-1.local',
        issuerCommonName: 'ca',
        fingerprint256: new X509Certificate(pki.client.cert).fingerprint256,
      },
    });
  });

  it('uses the certificate CN as the user name, over the CONNECT one', async () => {
    const seen: (string | undefined)[] = [];
    broker.use({
      id: 'see-username',
      authenticate: ({ username, client }) => {
        if (client.listenerId === 'mtls') seen.push(username);
        return 'allow';
      },
    });
    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${strictPort}`, {
      ca: pki.ca.cert,
      key: pki.client.key,
      cert: pki.client.cert,
      clientId: 'mtls-user',
      username: 'spoofed',
      reconnectPeriod: 0,
    });
    await client.endAsync();
    expect(seen).toEqual(['device-1']);
    expect(connected.get('mtls-user')?.username).toBe('device-1');
  });

  it('rejects a client certificate from another CA during the handshake', async () => {
    const before = logger.entries.length;
    const result = await probe(strictPort, 'mtls-other', {
      key: pki.otherClient.key,
      cert: pki.otherClient.cert,
    });
    // Under TLS 1.3 the client may see the alert or just the close; the server's verdict is logged.
    expect(result.connackCode).toBeUndefined();
    const rejected = () =>
      logger.entries
        .slice(before)
        .find((e) => e.message === 'TLS handshake failed' && e.fields.listenerId === 'mtls');
    await waitFor(() => rejected() !== undefined, 'debug log entry');
    expect(rejected()?.fields.authorizationError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(connected.has('mtls-other')).toBe(false);
    // Control: the same probe with the trusted client certificate gets a CONNACK.
    expect(
      await probe(strictPort, 'mtls-trusted', { key: pki.client.key, cert: pki.client.cert }),
    ).toMatchObject({
      secured: true,
      connackCode: 0,
    });
  });

  it('rejects a client without a certificate when requestCert and rejectUnauthorized are set', async () => {
    const result = await probe(strictPort, 'mtls-none');
    expect(result.connackCode).toBeUndefined();
    expect(result.error).toMatch(/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE/);
    expect(connected.has('mtls-none')).toBe(false);
  });

  it('with rejectUnauthorized false, lets an untrusted certificate through and marks it unauthorized', async () => {
    const port = await listen({ ca: pki.ca.cert, requestCert: true, rejectUnauthorized: false });
    const result = await probe(port, 'lenient-other', {
      key: pki.otherClient.key,
      cert: pki.otherClient.cert,
    });
    expect(result.connackCode).toBe(0);
    expect(connected.get('lenient-other')?.transport).toMatchObject({
      tls: true,
      authorized: false,
      authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      certificate: { commonName: 'intruder' },
    });
    expect(connected.get('lenient-other')?.transport.username).toBeUndefined();
  });

  it("with usernameFromCertificate 'san', takes the first non-IP SAN and refuses clients without an authorized certificate", async () => {
    const port = await listen({
      ca: pki.ca.cert,
      requestCert: true,
      rejectUnauthorized: false,
      usernameFromCertificate: 'san',
    });
    expect(await probe(port, 'san-ok', { key: pki.client.key, cert: pki.client.cert })).toMatchObject({
      connackCode: 0,
    });
    expect(connected.get('san-ok')?.transport.username).toBe('device-1.local');

    const before = logger.entries.length;
    // The handshake succeeds (rejectUnauthorized is off) but no MQTT is spoken with an untrusted identity.
    const other = await probe(port, 'san-other', { key: pki.otherClient.key, cert: pki.otherClient.cert });
    expect(other).toMatchObject({ secured: true, connackCode: undefined });
    const none = await probe(port, 'san-none');
    expect(none).toMatchObject({ secured: true, connackCode: undefined });
    expect(connected.has('san-other') || connected.has('san-none')).toBe(false);
    expect(debugSince(before).filter((m) => m === 'TLS client refused')).toHaveLength(2);
  });

  it.skipIf(!mosquittoAvailable())(
    'works with mosquitto_pub and mosquitto_sub (--cafile, --cert, --key)',
    async () => {
      const tlsArgs = ['-p', String(strictPort), '--cafile', pki.ca.certPath];
      const withCert = [...tlsArgs, '--cert', pki.client.certPath, '--key', pki.client.keyPath];
      const result = await mosquittoSub(
        [...withCert, '-t', 'mosq/tls', '-q', '1', '-C', '1', '-i', 'mosq-sub'],
        {
          whenSubscribed: async () => {
            const pub = await mosquittoPub([
              ...withCert,
              '-t',
              'mosq/tls',
              '-q',
              '1',
              '-m',
              'via mosquitto',
              '-i',
              'mosq-pub',
            ]);
            expect(pub.code, pub.stderr).toBe(0);
          },
        },
      );
      expect(result.timedOut).toBe(false);
      expect(result.stdout).toBe('via mosquitto\n');
      expect(connected.get('mosq-pub')?.transport).toMatchObject({ authorized: true, username: 'device-1' });
      // Without a client certificate mosquitto_pub cannot get in.
      const refused = await mosquittoPub([...tlsArgs, '-t', 'mosq/tls', '-m', 'x', '-i', 'mosq-nocert'], {
        timeoutMs: 5000,
      });
      expect(refused.code).not.toBe(0);
      expect(connected.has('mosq-nocert')).toBe(false);
    },
  );
});
