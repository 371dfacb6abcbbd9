/**
 * Throwaway certificates for the TLS tests, made with Debian's `openssl` in a temp dir: a CA, a server
 * certificate for 127.0.0.1 / localhost, a client certificate (CN `device-1`) signed by the CA, and one
 * signed by a CA nobody trusts. EC P-256 keys: fast to generate.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Paths of one key and its certificate. */
export interface CertFiles {
  readonly keyFile: string;
  readonly certFile: string;
}

/** The generated PKI; `remove` deletes it. */
export interface TestCertificates {
  readonly dir: string;
  readonly ca: CertFiles;
  readonly server: CertFiles;
  /** CN device-1, signed by `ca`. */
  readonly client: CertFiles;
  /** CN intruder, signed by a CA the broker does not trust. */
  readonly intruder: CertFiles;
  /** A server certificate for 127.0.0.1 signed by that other CA (clients trusting `ca` refuse it). */
  readonly otherServer: CertFiles;
  remove(): Promise<void>;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir, timeout: 15_000 });
}

async function makeCa(dir: string, name: string): Promise<CertFiles> {
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
  return { keyFile: join(dir, `${name}.key`), certFile: join(dir, `${name}.crt`) };
}

async function makeSigned(
  dir: string,
  name: string,
  cn: string,
  ca: string,
  extensions: string[],
): Promise<CertFiles> {
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
    `0x${Math.floor(Math.random() * 2 ** 48).toString(16)}`,
    '-days',
    '2',
    '-out',
    `${name}.crt`,
    '-extfile',
    `${name}.ext`,
  ]);
  return { keyFile: join(dir, `${name}.key`), certFile: join(dir, `${name}.crt`) };
}

/** Generates the PKI in a fresh temp dir. */
export async function createTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'mqttkit-broker-pki-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const ca = await makeCa(dir, 'ca');
    const server = await makeSigned(dir, 'server', 'localhost', 'ca', [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'extendedKeyUsage=serverAuth',
    ]);
    const client = await makeSigned(dir, 'client', 'device-1', 'ca', ['extendedKeyUsage=clientAuth']);
    await makeCa(dir, 'other-ca');
    const intruder = await makeSigned(dir, 'intruder', 'intruder', 'other-ca', [
      'extendedKeyUsage=clientAuth',
    ]);
    const otherServer = await makeSigned(dir, 'other-server', 'localhost', 'other-ca', [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'extendedKeyUsage=serverAuth',
    ]);
    return { dir, ca, server, client, intruder, otherServer, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
