/**
 * Throwaway TLS certificates for tests and benchmarks, made with `openssl` in a fresh temp dir: a
 * trusted CA, a server certificate for 127.0.0.1 / localhost, a client certificate, and a second CA
 * nobody trusts with a client certificate of its own. EC P-256 keys (quick to generate, accepted by
 * Node, OpenSSL 3 and mosquitto alike). Every `openssl` run is bounded, nothing touches the network,
 * and the dir is removed on dispose (or, at the latest, when the process exits).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from './mosquitto.js';

const run = promisify(execFile);

/** Default bound on one `openssl` run, in milliseconds. */
const OPENSSL_TIMEOUT_MS = 15_000;

/** EC P-256 keys, unencrypted. */
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Certificates live this many days: long enough for any test run, short enough to be useless later. */
const DAYS = '2';

/** One key and its certificate: PEM contents and the files they were written to. */
export interface TestCertificate {
  /** The file stem: `<dir>/<name>.key` and `<dir>/<name>.crt`. */
  readonly name: string;
  /** The subject's common name. */
  readonly commonName: string;
  /** The private key, PEM (PKCS#8, unencrypted). */
  readonly key: string;
  /** The certificate, PEM. */
  readonly cert: string;
  readonly keyPath: string;
  readonly certPath: string;
}

/** The subject of a certificate: its CN and its subjectAltName entries. */
export interface CertificateSubject {
  readonly commonName: string;
  /** subjectAltName entries in OpenSSL's syntax, in order (`'IP:127.0.0.1'`, `'DNS:localhost'`); none by default. */
  readonly altNames?: readonly string[];
}

/** What `TestPki.issue` makes: a subject, its use and which CA signs it. */
export interface IssueOptions extends CertificateSubject {
  /** Extended key usage: `'client'` (clientAuth, the default) or `'server'` (serverAuth). */
  readonly usage?: 'client' | 'server';
  /** The signer: `'ca'` (the trusted CA, the default) or `'otherCa'` (the CA nobody trusts). */
  readonly issuer?: 'ca' | 'otherCa';
}

/** Options of `createTestPki`. */
export interface TestPkiOptions {
  /** The server certificate's subject; default CN `localhost`, SAN `IP:127.0.0.1`, `DNS:localhost`. */
  readonly server?: CertificateSubject;
  /** The client certificate's subject; default CN `device-1`, SAN `IP:10.0.0.7`, `DNS:device-1.local`. */
  readonly client?: CertificateSubject;
  /**
   * Make the dir (0755) and every file in it, keys included (0644), readable by all users: mosquitto
   * started as root drops to its own user before it reads them. Only ever for throwaway keys.
   */
  readonly readableByAll?: boolean;
  /** Bound on each `openssl` run in milliseconds; default 15 000. */
  readonly timeoutMs?: number;
}

/** A test PKI in a temp dir; `remove` (or `await using`) deletes the dir. */
export interface TestPki extends AsyncDisposable {
  /** The temp dir holding every file (tests may write their own files here too). */
  readonly dir: string;
  /** The trusted CA, CN `ca`. */
  readonly ca: TestCertificate;
  /** Signed by `ca` for serverAuth; CN `localhost`, SAN `IP:127.0.0.1`, `DNS:localhost` unless set. */
  readonly server: TestCertificate;
  /** Signed by `ca` for clientAuth; CN `device-1`, SAN `IP:10.0.0.7`, `DNS:device-1.local` unless set. */
  readonly client: TestCertificate;
  /** A second CA, CN `other-ca`, that nobody trusts. */
  readonly otherCa: TestCertificate;
  /** Signed by `otherCa` for clientAuth; CN `intruder`, SAN `DNS:intruder.local`. */
  readonly otherClient: TestCertificate;
  /** Issues one more certificate, written as `<name>.key` / `<name>.crt` (names are unique per PKI). */
  issue(name: string, options: IssueOptions): Promise<TestCertificate>;
  /** Deletes the dir; safe to call more than once. */
  remove(): Promise<void>;
}

/** Dirs not yet removed, deleted when the process exits so an interrupted run leaves nothing behind. */
const liveDirs = new Set<string>();

function removeLiveDirs(): void {
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
}

function trackDir(dir: string): void {
  if (liveDirs.size === 0) process.on('exit', removeLiveDirs);
  liveDirs.add(dir);
}

function untrackDir(dir: string): void {
  liveDirs.delete(dir);
  if (liveDirs.size === 0) process.off('exit', removeLiveDirs);
}

/** Names become file stems: keep them to plain words so nothing escapes the dir. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function checkSubject(subject: CertificateSubject): void {
  // `-subj` treats `/` as a field separator and `\` as an escape; SANs are one comma-separated line.
  if (subject.commonName === '' || /[/\\\p{Cc}]/u.test(subject.commonName))
    throw new Error(`createTestPki: unusable common name ${JSON.stringify(subject.commonName)}`);
  for (const entry of subject.altNames ?? []) {
    if (!/^[A-Za-z.]+:[^,\p{Cc}]+$/u.test(entry))
      throw new Error(`createTestPki: unusable subjectAltName entry ${JSON.stringify(entry)}`);
  }
}

/** Generates the test PKI in a fresh temp dir; `remove` (or `await using`) deletes it. */
export async function createTestPki(options: TestPkiOptions = {}): Promise<TestPki> {
  const serverSubject = options.server ?? {
    commonName: 'localhost',
    altNames: ['IP:127.0.0.1', 'DNS:localhost'],
  };
  const clientSubject = options.client ?? {
    commonName: 'device-1',
    altNames: ['IP:10.0.0.7', 'DNS:device-1.local'],
  };
  checkSubject(serverSubject);
  checkSubject(clientSubject);
  const timeout = options.timeoutMs ?? OPENSSL_TIMEOUT_MS;
  const binary = findExecutable('openssl') ?? 'openssl';

  const dir = await mkdtemp(join(tmpdir(), 'mqttkit-pki-'));
  trackDir(dir);
  const remove = async () => {
    await rm(dir, { recursive: true, force: true });
    untrackDir(dir);
  };
  const names = new Set<string>();

  const openssl = async (args: string[]): Promise<void> => {
    try {
      await run(binary, args, { cwd: dir, timeout, killSignal: 'SIGKILL', windowsHide: true });
    } catch (error) {
      const failure = error as { killed?: boolean; stderr?: string; message: string };
      const why = failure.killed
        ? `no result within ${timeout} ms`
        : (failure.stderr || failure.message).trim();
      throw new Error(`createTestPki: openssl ${args[0]} failed: ${why}`);
    }
  };

  const load = async (name: string, commonName: string): Promise<TestCertificate> => {
    const keyPath = join(dir, `${name}.key`);
    const certPath = join(dir, `${name}.crt`);
    if (options.readableByAll) {
      await chmod(keyPath, 0o644);
      await chmod(certPath, 0o644);
    }
    const [key, cert] = await Promise.all([readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
    return { name, commonName, key, cert, keyPath, certPath };
  };

  const claim = (name: string): void => {
    if (!NAME.test(name)) throw new Error(`createTestPki: unusable certificate name ${JSON.stringify(name)}`);
    if (names.has(name)) throw new Error(`createTestPki: a certificate named ${name} already exists`);
    names.add(name);
  };

  /** A new EC key in `<name>.key` and, by `req`, a CSR or (with `-x509`) a self-signed certificate in `out`. */
  const newKey = (name: string, commonName: string, out: string, extra: string[] = []) =>
    openssl([
      'req',
      ...extra,
      ...EC_KEY,
      '-keyout',
      `${name}.key`,
      '-out',
      out,
      '-subj',
      `/CN=${commonName}`,
    ]);

  const makeCa = async (name: string): Promise<TestCertificate> => {
    claim(name);
    await newKey(name, name, `${name}.crt`, [
      '-x509',
      '-days',
      DAYS,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return load(name, name);
  };

  const makeSigned = async (name: string, issuer: TestCertificate, spec: IssueOptions) => {
    checkSubject(spec);
    claim(name);
    await newKey(name, spec.commonName, `${name}.csr`);
    const extensions = [
      'basicConstraints=CA:FALSE',
      ...((spec.altNames ?? []).length > 0 ? [`subjectAltName=${spec.altNames!.join(',')}`] : []),
      `extendedKeyUsage=${spec.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
    ];
    await writeFile(join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
    await openssl([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      issuer.certPath,
      '-CAkey',
      issuer.keyPath,
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      DAYS,
      '-out',
      `${name}.crt`,
      '-extfile',
      `${name}.ext`,
    ]);
    return load(name, spec.commonName);
  };

  try {
    if (options.readableByAll) await chmod(dir, 0o755);
    const [ca, otherCa] = await Promise.all([makeCa('ca'), makeCa('other-ca')]);
    const [server, client, otherClient] = await Promise.all([
      makeSigned('server', ca, { ...serverSubject, usage: 'server' }),
      makeSigned('client', ca, { ...clientSubject, usage: 'client' }),
      makeSigned('other-client', otherCa, {
        commonName: 'intruder',
        altNames: ['DNS:intruder.local'],
        usage: 'client',
      }),
    ]);
    const issue = (name: string, spec: IssueOptions) =>
      makeSigned(name, spec.issuer === 'otherCa' ? otherCa : ca, spec);
    return { dir, ca, server, client, otherCa, otherClient, issue, remove, [Symbol.asyncDispose]: remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
