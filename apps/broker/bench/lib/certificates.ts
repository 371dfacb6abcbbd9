/**
 * Throwaway certificates for the TLS rows, made by `@mqttkit/testkit`'s `createTestPki` (openssl, a
 * temporary directory) at bench start and removed at the end (or, at the latest, when the bench
 * exits): a CA and a server certificate for 127.0.0.1 that it signs, both ECDSA P-256. The same
 * files serve all three brokers.
 */
import { createTestPki } from '@mqttkit/testkit';
import type { Certificates } from './brokers.js';
import { tlsClientContext } from './transport.js';

/** The certificate every TLS listener presents, as the bench's JSON output repeats it. */
export const SERVER_CERTIFICATE = 'ECDSA P-256, SAN IP:127.0.0.1, signed by a throwaway CA (ECDSA P-256)';

export interface BenchCertificates extends Certificates {
  dir: string;
  remove(): Promise<void>;
}

export async function createCertificates(): Promise<BenchCertificates> {
  const pki = await createTestPki({
    server: { commonName: '127.0.0.1', altNames: ['IP:127.0.0.1'] },
    // Mosquitto started as root drops to its own user before it loads the key, so the directory and
    // the (throwaway, loopback-only) key must be readable by others.
    readableByAll: true,
  });
  return {
    dir: pki.dir,
    caFile: pki.ca.certPath,
    certFile: pki.server.certPath,
    keyFile: pki.server.keyPath,
    clientContext: tlsClientContext(pki.ca.certPath),
    remove: () => pki.remove(),
  };
}
