import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable } from '@mqttkit/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthFileError } from './auth-file-error.js';
import {
  DEFAULT_SCRYPT_COST,
  deletePassword,
  emptyPasswordFile,
  formatPasswordFile,
  hashPassword,
  parsePasswordFile,
  readPasswordFile,
  setPassword,
  verifyPassword,
  writePasswordFile,
} from './password-file.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

/** Cheap costs so the suite stays fast; the default cost is checked once. */
const FAST = { cost: { N: 1024 } };

describe('hashPassword / verifyPassword', () => {
  it('the default is scrypt N=32768 r=8 p=1 with a 16-byte salt and a 32-byte hash', async () => {
    const hash = await hashPassword('secret');
    const [, scheme, params, salt, digest] = hash.split('$');
    expect(scheme).toBe('scrypt');
    expect(params).toBe(`N=${DEFAULT_SCRYPT_COST.N},r=8,p=1`);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(digest!, 'base64')).toHaveLength(32);
    expect(await verifyPassword('secret', hash)).toBe(true);
  });

  it('verifies the right password only, as a string or as bytes', async () => {
    const hash = await hashPassword('correct horse', FAST);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword(Buffer.from('correct horse'), hash)).toBe(true);
    expect(await verifyPassword('correct horsf', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash differently', async () => {
    const a = await hashPassword('same', FAST);
    const b = await hashPassword('same', FAST);
    expect(a).not.toBe(b);
    expect(a.split('$')[3]).not.toBe(b.split('$')[3]);
    expect(await verifyPassword('same', a)).toBe(true);
    expect(await verifyPassword('same', b)).toBe(true);
  });

  it('compares with crypto.timingSafeEqual', async () => {
    const hash = await hashPassword('pw', FAST);
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    await verifyPassword('wrong', hash);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('PBKDF2-SHA512 works too', async () => {
    const hash = await hashPassword('pw', { scheme: 'pbkdf2-sha512', iterations: 1000 });
    expect(hash).toMatch(/^\$pbkdf2-sha512\$i=1000\$/);
    expect(await verifyPassword('pw', hash)).toBe(true);
    expect(await verifyPassword('pW', hash)).toBe(false);
  });

  it('refuses costs out of range', async () => {
    await expect(hashPassword('pw', { cost: { N: 1000 } })).rejects.toThrow(/power of two/);
    await expect(hashPassword('pw', { cost: { N: 2 ** 24, r: 8 } })).rejects.toThrow(/1 GiB/);
  });

  it('a malformed hash verifies nothing', async () => {
    expect(await verifyPassword('pw', 'plain')).toBe(false);
    expect(await verifyPassword('pw', '$scrypt$N=3$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==')).toBe(false);
  });

  it.skipIf(findExecutable('mosquitto_passwd') === undefined)(
    "verifies mosquitto_passwd's $7$ (PBKDF2-SHA512) hashes",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'mqttkit-pw-'));
      try {
        const path = join(dir, 'mosquitto.pw');
        await writeFile(path, '');
        execFileSync(findExecutable('mosquitto_passwd')!, ['-b', path, 'alice', 's3cret'], {
          timeout: 10_000,
        });
        const file = await readPasswordFile(path);
        const hash = file.users.get('alice')!;
        expect(hash).toMatch(/^\$7\$/);
        expect(await verifyPassword('s3cret', hash)).toBe(true);
        expect(await verifyPassword('s3cret!', hash)).toBe(false);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('parsePasswordFile', () => {
  it('names the file, the line and why, without echoing the hash text', async () => {
    const good = await hashPassword('x', FAST);
    const text = [
      '# users',
      `alice:${good}`,
      'bob',
      'carol:plaintext-password',
      `alice:${good}`,
      'dave:$6$salt$hash',
      ':$scrypt$N=2,r=1,p=1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==',
      'erin:$md5$x$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==',
      'frank:$scrypt$N=1024,r=8$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==',
    ].join('\n');
    let problems: readonly string[] = [];
    try {
      parsePasswordFile(text, 'pw.txt');
    } catch (error) {
      expect(error).toBeInstanceOf(AuthFileError);
      problems = (error as AuthFileError).problems;
    }
    expect(problems).toEqual([
      'pw.txt:3: expected username:hash',
      'pw.txt:4: user "carol": the password is not hashed (expected $scrypt$..., $pbkdf2-sha512$... or $7$...)',
      'pw.txt:5: user "alice" is already on line 2',
      `pw.txt:6: user "dave": Mosquitto's $6$ hashes (one round of SHA-512) are not accepted; set the password again`,
      'pw.txt:7: the user name is empty',
      'pw.txt:8: user "erin": unknown hash scheme $md5$; expected $scrypt$, $pbkdf2-sha512$ or $7$',
      'pw.txt:9: user "frank": scrypt parameters must be N=..,r=..,p=..',
    ]);
    expect(problems.join('\n')).not.toContain('plaintext-password');
  });
});

describe('password file round trip', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mqttkit-pw-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('set, write, read, change, delete: comments and order kept, mode 0600, no temp file left', async () => {
    const path = join(dir, 'passwords');
    let file = await readPasswordFile(path, { allowMissing: true });
    expect(file.users.size).toBe(0);
    file = parsePasswordFile('# managed by mqttkit passwd\n\n', path);
    file = await setPassword(file, 'alice', 'a-pass', FAST);
    file = await setPassword(file, 'bob', 'b-pass', FAST);
    await writePasswordFile(path, file);
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    let read = await readPasswordFile(path);
    expect(formatPasswordFile(read)).toBe(formatPasswordFile(file));
    expect([...read.users.keys()]).toEqual(['alice', 'bob']);
    expect(await verifyPassword('a-pass', read.users.get('alice')!)).toBe(true);

    const aliceBefore = read.users.get('alice');
    read = await setPassword(read, 'alice', 'new-pass', FAST);
    expect(read.users.get('alice')).not.toBe(aliceBefore);
    const removed = deletePassword(read, 'bob');
    expect(removed.deleted).toBe(true);
    expect(deletePassword(removed.file, 'nobody').deleted).toBe(false);
    await writePasswordFile(path, removed.file);

    const text = await readFile(path, 'utf8');
    expect(text.startsWith('# managed by mqttkit passwd\n\nalice:$scrypt$')).toBe(true);
    expect(text).not.toContain('bob:');
    const final = await readPasswordFile(path);
    expect(await verifyPassword('new-pass', final.users.get('alice')!)).toBe(true);
    expect(await readdir(dir)).toEqual(['passwords']);
  });

  it('an existing file with a looser mode becomes 0600', async () => {
    const path = join(dir, 'passwords');
    await writeFile(path, '', { mode: 0o644 });
    await writePasswordFile(path, await setPassword(emptyPasswordFile(), 'u', 'p', FAST));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('refuses user names that would break the format', async () => {
    await expect(setPassword(emptyPasswordFile(), 'a:b', 'p', FAST)).rejects.toThrow(/":"/);
    await expect(setPassword(emptyPasswordFile(), 'a\nb', 'p', FAST)).rejects.toThrow(/control/);
    await expect(setPassword(emptyPasswordFile(), '', 'p', FAST)).rejects.toThrow(/empty/);
  });

  it('a missing file is an error naming it, unless allowed', async () => {
    await expect(readPasswordFile(join(dir, 'nope'))).rejects.toThrow(
      `${join(dir, 'nope')}: cannot read the password file: no such file`,
    );
  });
});
