/**
 * `mqttkit passwd` end to end: add, change and delete users in a password file, checked with the
 * broker's own `verifyPassword` (the module `mqttkit passwd` writes with).
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPasswordFile, verifyPassword } from 'mqttkit-broker/password-file';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, killAllCli, requireBuild, runCli } from './cli-process.js';

requireBuild();
afterEach(killAllCli);

describe('mqttkit passwd', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mqttkit-passwd-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('adds, changes and deletes users; the broker verifies the passwords', async () => {
    const file = join(dir, 'round-trip');
    expect((await runCli(['passwd', '-c', '-b', file, 'alice', 'secret-1'])).code).toBe(0);
    expect((await runCli(['passwd', '-b', file, 'bob', 'hunter2'])).code).toBe(0);
    let users = (await readPasswordFile(file)).users;
    expect([...users.keys()]).toEqual(['alice', 'bob']);
    expect(await verifyPassword('secret-1', users.get('alice')!)).toBe(true);
    expect(await verifyPassword('hunter2', users.get('bob')!)).toBe(true);
    expect(await verifyPassword('wrong', users.get('bob')!)).toBe(false);
    expect(users.get('alice')).toMatch(/^\$scrypt\$/);
    // The file is private: hashes are still secrets worth guarding.
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    // Change alice (her line stays first), with PBKDF2 this time.
    expect((await runCli(['passwd', '-H', 'pbkdf2-sha512', '-b', file, 'alice', 'secret-2'])).code).toBe(0);
    users = (await readPasswordFile(file)).users;
    expect([...users.keys()]).toEqual(['alice', 'bob']);
    expect(users.get('alice')).toMatch(/^\$pbkdf2-sha512\$/);
    expect(await verifyPassword('secret-2', users.get('alice')!)).toBe(true);
    expect(await verifyPassword('secret-1', users.get('alice')!)).toBe(false);

    expect((await runCli(['passwd', '-D', file, 'alice'])).code).toBe(0);
    users = (await readPasswordFile(file)).users;
    expect([...users.keys()]).toEqual(['bob']);
    expect(await verifyPassword('hunter2', users.get('bob')!)).toBe(true);
  });

  it('reads the password from the first line of a pipe when stdin is not a terminal', async () => {
    const file = join(dir, 'piped');
    const result = await runCli(['passwd', '-c', file, 'carol'], { input: 'from-stdin\nignored\n' });
    expect(result.code, result.stderr).toBe(0);
    const users = (await readPasswordFile(file)).users;
    expect(await verifyPassword('from-stdin', users.get('carol')!)).toBe(true);
  });

  it('keeps comments, and refuses what mosquitto_passwd refuses', async () => {
    const file = join(dir, 'errors');
    await writeFile(file, '# our users\n');
    expect((await runCli(['passwd', '-b', file, 'dave', 'pw'])).code).toBe(0);
    expect(await readFile(file, 'utf8')).toMatch(/^# our users\ndave:\$scrypt\$/);

    const missingUser = await runCli(['passwd', '-D', file, 'nobody']);
    expect(missingUser.code).toBe(1);
    expect(missingUser.stderr).toBe(`mqttkit passwd: user 'nobody' not found in ${file}\n`);

    const missingFile = await runCli(['passwd', '-b', join(dir, 'absent'), 'u', 'p']);
    expect(missingFile.code).toBe(1);
    expect(missingFile.stderr).toContain('cannot read the password file: no such file (use -c to create it)');

    const empty = await runCli(['passwd', '-c', join(dir, 'empty'), 'u'], { input: '\n' });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toBe('mqttkit passwd: empty password\n');

    await writeFile(join(dir, 'broken'), 'eve:plaintext\n');
    const broken = await runCli(['passwd', '-b', join(dir, 'broken'), 'u', 'p']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('the password is not hashed');
    expect(broken.stderr).not.toContain('plaintext');
    for (const stderr of [missingUser.stderr, missingFile.stderr, empty.stderr, broken.stderr]) {
      expect(hasStackTrace(stderr)).toBe(false);
    }
  });
});
