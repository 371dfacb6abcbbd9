/**
 * Throwaway certificates for the TLS rows, made with `openssl` in a temporary directory at bench
 * start and removed at the end (or when the bench exits any other way): a CA and a server
 * certificate for 127.0.0.1 that it signs, both ECDSA P-256. The same files serve all three brokers.
 */
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Certificates, makeTempDir, removeTempDir } from './brokers.js';
import { tlsClientContext } from './transport.js';

const run = promisify(execFile);

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** The certificate every TLS listener presents, as the bench's JSON output repeats it. */
export const SERVER_CERTIFICATE = 'ECDSA P-256, SAN IP:127.0.0.1, signed by a throwaway CA (ECDSA P-256)';

export interface BenchCertificates extends Certificates {
  dir: string;
  remove(): void;
}

export async function createCertificates(): Promise<BenchCertificates> {
  const dir = makeTempDir('mqttkit-bench-pki-');
  const openssl = (args: string[]) => run('openssl', args, { cwd: dir, timeout: 15_000 });
  try {
    await openssl([
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '1',
      '-subj',
      '/CN=mqttkit bench CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await openssl([
      'req',
      ...EC_KEY,
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=127.0.0.1',
    ]);
    writeFileSync(
      join(dir, 'server.ext'),
      'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
    );
    await openssl([
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-set_serial',
      '0x01',
      '-days',
      '1',
      '-out',
      'server.crt',
      '-extfile',
      'server.ext',
    ]);
    // Mosquitto started as root drops to its own user before it loads the key, so the directory and
    // the (throwaway, loopback-only) key must be readable by others.
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'server.key'), 0o644);
  } catch (error) {
    removeTempDir(dir);
    throw error;
  }
  const caFile = join(dir, 'ca.crt');
  return {
    dir,
    caFile,
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    clientContext: tlsClientContext(caFile),
    remove: () => removeTempDir(dir),
  };
}
