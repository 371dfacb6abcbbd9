import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from './mosquitto.js';
import { createTestPki, type TestCertificate, type TestPki } from './pki.js';

const openssl = findExecutable('openssl');
if (openssl === undefined && process.env.CI) throw new Error('openssl is required in CI for the PKI tests');

const x509 = (certificate: TestCertificate) => new X509Certificate(certificate.cert);

/** True when `certificate` is signed by `issuer`'s key and names it as issuer. */
function issuedBy(certificate: TestCertificate, issuer: TestCertificate): boolean {
  const cert = x509(certificate);
  const ca = x509(issuer);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

describe.skipIf(openssl === undefined)(
  `createTestPki${openssl === undefined ? ' — skipped: openssl not found' : ''}`,
  () => {
    let pki: TestPki;
    beforeAll(async () => {
      pki = await createTestPki();
    }, 30_000);
    afterAll(async () => {
      await pki?.remove();
    });

    it('makes two self-signed CAs with the names asked for', () => {
      for (const [ca, name] of [
        [pki.ca, 'ca'],
        [pki.otherCa, 'other-ca'],
      ] as const) {
        const cert = x509(ca);
        expect(cert.ca).toBe(true);
        expect(cert.subject).toBe(`CN=${name}`);
        expect(issuedBy(ca, ca)).toBe(true);
      }
    });

    it('signs server and client with the CA, with the default CNs and SANs', () => {
      const server = x509(pki.server);
      expect(issuedBy(pki.server, pki.ca)).toBe(true);
      expect(server.ca).toBe(false);
      expect(server.subject).toBe('CN=localhost');
      expect(server.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
      expect(server.checkHost('localhost')).toBe('localhost');
      expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
      expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth

      const client = x509(pki.client);
      expect(issuedBy(pki.client, pki.ca)).toBe(true);
      expect(client.subject).toBe('CN=device-1');
      expect(pki.client.commonName).toBe('device-1');
      expect(client.subjectAltName).toBe('IP Address:10.0.0.7, DNS:device-1.local');
      expect(client.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // clientAuth
    });

    it('signs the other client with the other CA only', () => {
      expect(x509(pki.otherClient).subject).toBe('CN=intruder');
      expect(x509(pki.otherClient).subjectAltName).toBe('DNS:intruder.local');
      expect(issuedBy(pki.otherClient, pki.otherCa)).toBe(true);
      expect(issuedBy(pki.otherClient, pki.ca)).toBe(false);
      expect(issuedBy(pki.client, pki.otherCa)).toBe(false);
      expect(issuedBy(pki.server, pki.otherCa)).toBe(false);
    });

    it('gives matching EC P-256 keys, as PEM and as files with the same contents', () => {
      for (const pair of [pki.ca, pki.server, pki.client, pki.otherCa, pki.otherClient]) {
        const key = createPrivateKey(pair.key);
        expect(key.asymmetricKeyType).toBe('ec');
        expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
        expect(x509(pair).checkPrivateKey(key)).toBe(true);
        expect(readFileSync(pair.keyPath, 'utf8')).toBe(pair.key);
        expect(readFileSync(pair.certPath, 'utf8')).toBe(pair.cert);
        expect(pair.certPath).toBe(`${pki.dir}/${pair.name}.crt`);
        // Private by default: nobody but the owner reads the key or the dir.
        expect(statSync(pair.keyPath).mode & 0o077).toBe(0);
      }
      expect(statSync(pki.dir).mode & 0o077).toBe(0);
    });

    it('issues more certificates from either CA, with unique names', async () => {
      const alice = await pki.issue('alice', { commonName: 'alice' });
      expect(x509(alice).subject).toBe('CN=alice');
      expect(x509(alice).subjectAltName).toBeUndefined();
      expect(issuedBy(alice, pki.ca)).toBe(true);

      const rogue = await pki.issue('rogue-server', {
        commonName: 'localhost',
        altNames: ['IP:127.0.0.1'],
        usage: 'server',
        issuer: 'otherCa',
      });
      expect(issuedBy(rogue, pki.otherCa)).toBe(true);
      expect(issuedBy(rogue, pki.ca)).toBe(false);
      expect(x509(rogue).keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);

      await expect(pki.issue('alice', { commonName: 'again' })).rejects.toThrow('already exists');
      await expect(pki.issue('../escape', { commonName: 'x' })).rejects.toThrow('unusable certificate name');
      await expect(pki.issue('slash', { commonName: 'a/b' })).rejects.toThrow('unusable common name');
      await expect(pki.issue('comma', { commonName: 'x', altNames: ['DNS:a,DNS:b'] })).rejects.toThrow(
        'unusable subjectAltName entry',
      );
    });

    it('reports what openssl said when it fails', async () => {
      await expect(pki.issue('bogus', { commonName: 'x', altNames: ['BOGUS:x'] })).rejects.toThrow(
        /^createTestPki: openssl x509 failed: /,
      );
    });

    it('takes other subjects, and makes everything readable by all for mosquitto', async () => {
      await using custom = await createTestPki({
        server: { commonName: '127.0.0.1', altNames: ['IP:127.0.0.1'] },
        client: { commonName: 'sensor-7' },
        readableByAll: true,
      });
      expect(x509(custom.server).subject).toBe('CN=127.0.0.1');
      expect(x509(custom.server).subjectAltName).toBe('IP Address:127.0.0.1');
      expect(x509(custom.client).subject).toBe('CN=sensor-7');
      expect(x509(custom.client).subjectAltName).toBeUndefined();
      expect(issuedBy(custom.client, custom.ca)).toBe(true);
      expect(statSync(custom.dir).mode & 0o777).toBe(0o755);
      const extra = await custom.issue('extra', { commonName: 'extra' });
      for (const pair of [custom.ca, custom.server, custom.client, custom.otherClient, extra]) {
        expect(statSync(pair.keyPath).mode & 0o777).toBe(0o644);
        expect(statSync(pair.certPath).mode & 0o777).toBe(0o644);
      }
    });

    it('removes its dir on dispose, and remove may be called again', async () => {
      let dir: string;
      {
        await using disposable = await createTestPki();
        dir = disposable.dir;
        expect(existsSync(disposable.server.keyPath)).toBe(true);
      }
      expect(existsSync(dir)).toBe(false);

      const removed = await createTestPki();
      await removed.remove();
      expect(existsSync(removed.dir)).toBe(false);
      await removed.remove();
    });

    it('refuses an unusable subject before touching the disk', async () => {
      await expect(createTestPki({ client: { commonName: '' } })).rejects.toThrow('unusable common name');
    });
  },
);
