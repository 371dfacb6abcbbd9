/**
 * Throwaway certificates for the TLS tests, made with Debian's `openssl` in a temp dir: a CA, a server
 * certificate for 127.0.0.1 / localhost, a client certificate, and a second CA nobody trusts. EC P-256
 * keys: fast to generate.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** The generated files; `remove` deletes them. */
export interface TestPki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A CA that signed nothing we use: trusting it alone must fail. */
  readonly otherCaCert: string;
  remove(): Promise<void>;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir, timeout: 15_000 });
}

async function makeCa(dir: string, name: string): Promise<void> {
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
}

async function makeSigned(dir: string, name: string, cn: string, extensions: string[]): Promise<void> {
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
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-set_serial',
    `0x${Math.floor(Math.random() * 2 ** 48).toString(16)}`,
    '-days',
    '2',
    '-out',
    `${name}.crt`,
    '-extfile',
    `${name}.ext`,
  ]);
}

/** True when `openssl` can be run. */
export async function opensslAvailable(): Promise<boolean> {
  try {
    await run('openssl', ['version'], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** Generates the PKI in a fresh temp dir (readable by mosquitto after it drops root). */
export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'mqttkit-cli-pki-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await makeCa(dir, 'ca');
    await makeSigned(dir, 'server', 'localhost', [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'extendedKeyUsage=serverAuth',
    ]);
    await makeSigned(dir, 'client', 'device-1', ['extendedKeyUsage=clientAuth']);
    await makeCa(dir, 'other-ca');
    // Mosquitto started as root reads certificates after dropping to its own user: let it read these
    // throwaway test files (never do this with real keys).
    await chmod(dir, 0o755);
    for (const name of await readdir(dir)) await chmod(join(dir, name), 0o644);
    const file = (name: string) => join(dir, name);
    return {
      caCert: file('ca.crt'),
      serverCert: file('server.crt'),
      serverKey: file('server.key'),
      clientCert: file('client.crt'),
      clientKey: file('client.key'),
      otherCaCert: file('other-ca.crt'),
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}
