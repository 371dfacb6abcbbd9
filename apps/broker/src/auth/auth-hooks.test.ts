import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@mqttkit/broker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthFileError } from './auth-file-error.js';
import { AuthHooks, AuthReloader, allowsAnonymous, readAuthFiles } from './auth-hooks.js';
import { emptyPasswordFile, formatPasswordFile, setPassword } from './password-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mqttkit-auth-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('auth settings', () => {
  it('anonymous access: on without a password file, off with one, unless set', () => {
    expect(allowsAnonymous({})).toBe(true);
    expect(allowsAnonymous({ passwordFile: 'p' })).toBe(false);
    expect(allowsAnonymous({ passwordFile: 'p', allowAnonymous: true })).toBe(true);
    expect(allowsAnonymous({ allowAnonymous: false })).toBe(false);
  });

  it('registers no hook without files, a password hook when anonymous access is off', () => {
    expect(new AuthHooks({}, {}, silentLogger).hooks).toEqual([]);
    const closed = new AuthHooks({ allowAnonymous: false }, {}, silentLogger);
    expect(closed.hooks.map((hook) => hook.id)).toEqual(['password-file']);
  });

  it('reports the problems of both files at once', async () => {
    const acl = join(dir, 'acl');
    await writeFile(acl, 'nonsense\n');
    const error = await readAuthFiles({ passwordFile: join(dir, 'missing'), aclFile: acl }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthFileError);
    expect((error as AuthFileError).problems).toEqual([
      `${join(dir, 'missing')}: cannot read the password file: no such file`,
      `${acl}:1: unknown keyword "nonsense"; expected topic, pattern, user or client`,
    ]);
  });

  it('a reload puts both files in force, or neither', async () => {
    const passwordFile = join(dir, 'pw');
    const aclFile = join(dir, 'acl');
    const users = await setPassword(emptyPasswordFile(), 'u', 'p', { cost: { N: 1024 } });
    await writeFile(passwordFile, formatPasswordFile(users));
    await writeFile(aclFile, 'topic read a\n');
    const config = { passwordFile, aclFile };
    const auth = new AuthHooks(config, await readAuthFiles(config), silentLogger);
    const results: boolean[] = [];
    const reloader = new AuthReloader(auth, silentLogger, (ok) => results.push(ok));
    const client = { id: 'c', username: undefined };
    expect(auth.acl!.current.canPublish(client, 'a')).toBe(false);

    await writeFile(aclFile, 'topic readwrite a\n');
    expect(await reloader.reload()).toBe(true);
    expect(auth.acl!.current.canPublish(client, 'a')).toBe(true);

    // The ACL is fine but the password file is not: nothing changes.
    await writeFile(aclFile, 'topic read a\n');
    await writeFile(passwordFile, 'u:plain\n');
    expect(await reloader.reload()).toBe(false);
    expect(auth.acl!.current.canPublish(client, 'a')).toBe(true);
    expect(auth.password!.userCount).toBe(1);
    expect(results).toEqual([true, false]);
  });
});
