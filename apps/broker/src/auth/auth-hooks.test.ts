import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, type SessionSubscription, silentLogger } from '@mqttkit/broker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SubscriptionOwner } from './acl-hook.js';
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
    const reloader = new AuthReloader(auth, silentLogger, { onResult: (ok) => results.push(ok) });
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

/** A broker's subscriptions as `AclHook.revokeDisallowed` sees them, recording what it revokes. */
function fakeOwner(entries: SessionSubscription[]): SubscriptionOwner & { revoked: string[] } {
  const revoked: string[] = [];
  return {
    revoked,
    *sessionSubscriptions() {
      yield* entries.filter((entry) => !revoked.includes(`${entry.clientId} ${entry.topicFilter}`));
    },
    revokeSubscription(clientId, topicFilter) {
      revoked.push(`${clientId} ${topicFilter}`);
      return true;
    },
  };
}

/** A logger keeping every line at info and above. */
function recordingLogger(): Logger & { lines: { level: string; fields: object; message: string }[] } {
  const lines: { level: string; fields: object; message: string }[] = [];
  const at = (level: string) => (fields: object, message: string) => {
    lines.push({ level, fields, message });
  };
  return { lines, debug: () => {}, info: at('info'), warn: at('warn'), error: at('error') };
}

describe('ACL reload and existing subscriptions', () => {
  const entry = (
    clientId: string,
    username: string | undefined,
    topicFilter: string,
    isUsernameKnown = true,
  ): SessionSubscription => ({
    clientId,
    username,
    isUsernameKnown,
    isConnected: false,
    topicFilter,
    qos: 1,
  });

  it('revokes what the reloaded ACL does not allow, judging each session by its client id and user name', async () => {
    const aclFile = join(dir, 'acl');
    await writeFile(
      aclFile,
      'topic read public/#\npattern read devices/%c/#\nuser u\ntopic read a/#\ntopic read b/#\n',
    );
    const config = { aclFile };
    const auth = new AuthHooks(config, await readAuthFiles(config), silentLogger);
    const owner = fakeOwner([
      entry('c1', 'u', 'a/#'),
      entry('c1', 'u', 'b/#'),
      entry('c1', 'u', '$share/g/a/x'),
      entry('c1', 'u', 'devices/c1/#'),
      entry('c2', undefined, 'public/#'),
      entry('c2', undefined, 'a/x'),
      entry('c3', 'v', 'devices/c3/state'),
      entry('c4', undefined, 'a/#', false),
    ]);
    const logger = recordingLogger();
    const reloader = new AuthReloader(auth, logger, { subscriptions: owner });

    // Unchanged rules: only what was never allowed (c2 on a/x) is taken back.
    expect(await reloader.reload()).toBe(true);
    expect(owner.revoked).toEqual(['c2 a/x']);

    await writeFile(aclFile, 'topic read public/#\nuser u\ntopic read b/#\ntopic deny b/secret\n');
    expect(await reloader.reload()).toBe(true);
    expect(owner.revoked).toEqual([
      'c2 a/x',
      'c1 a/#',
      'c1 b/#',
      'c1 $share/g/a/x',
      'c1 devices/c1/#',
      'c3 devices/c3/state',
    ]);
    expect(logger.lines.filter((line) => line.message.startsWith('SIGHUP: subscriptions checked'))).toEqual([
      expect.objectContaining({ level: 'info', fields: { checked: 7, revoked: 1 } }),
      expect.objectContaining({ level: 'info', fields: { checked: 6, revoked: 5 } }),
    ]);
    // The session loaded from a store (user name unknown) is left alone, and said so.
    expect(logger.lines.filter((line) => line.level === 'warn').map((line) => line.fields)).toEqual([
      { unchecked: 1 },
      { unchecked: 1 },
    ]);
  });

  it('a failed reload revokes nothing', async () => {
    const aclFile = join(dir, 'acl');
    await writeFile(aclFile, 'user u\ntopic read a/#\n');
    const config = { aclFile };
    const auth = new AuthHooks(config, await readAuthFiles(config), silentLogger);
    const owner = fakeOwner([entry('c1', 'u', 'a/#')]);
    const reloader = new AuthReloader(auth, silentLogger, { subscriptions: owner });
    await writeFile(aclFile, 'user u\ntopic raed a/#\n');
    expect(await reloader.reload()).toBe(false);
    expect(owner.revoked).toEqual([]);
    expect(auth.acl!.current.canSubscribe({ id: 'c1', username: 'u' }, 'a/#')).toBe(true);
  });
});
