import { type AuthenticateEvent, silentLogger } from '@mqttkit/broker';
import { ReasonCode } from '@mqttkit/types';
import { describe, expect, it } from 'vitest';
import { emptyPasswordFile, setPassword } from './password-file.js';
import { PasswordHook } from './password-hook.js';

const FAST = { cost: { N: 1024 } };

function event(
  username: string | undefined,
  password: string | undefined,
  transport: Record<string, unknown> = {},
): AuthenticateEvent {
  const client = {
    id: 'c1',
    username,
    protocolVersion: 5 as const,
    remoteAddress: '127.0.0.1:1',
    listenerId: 'tcp',
    transport,
  };
  return {
    client,
    packet: {} as AuthenticateEvent['packet'],
    username,
    password: password === undefined ? undefined : Buffer.from(password),
  };
}

async function users() {
  let file = await setPassword(emptyPasswordFile(), 'alice', 'a-pass', FAST);
  file = await setPassword(file, 'bob', 'b-pass', FAST);
  return file;
}

const BAD = { deny: ReasonCode.BadUserNameOrPassword, reasonString: 'bad user name or password' };

describe('PasswordHook', () => {
  it('allows the right password, refuses a wrong one, an unknown user and a missing password with 0x86', async () => {
    const hook = new PasswordHook({ file: await users(), allowAnonymous: false, logger: silentLogger });
    expect(await hook.authenticate(event('alice', 'a-pass'))).toBe('allow');
    expect(await hook.authenticate(event('alice', 'b-pass'))).toEqual(BAD);
    expect(await hook.authenticate(event('mallory', 'a-pass'))).toEqual(BAD);
    expect(await hook.authenticate(event('alice', undefined))).toEqual(BAD);
    expect(hook.logins).toEqual({ allowed: 1, badCredentials: 3, anonymousRefused: 0 });
  });

  it('anonymous clients: 0x87 unless allowed', async () => {
    const closed = new PasswordHook({ file: await users(), allowAnonymous: false, logger: silentLogger });
    expect(closed.authenticate(event(undefined, undefined))).toEqual({
      deny: ReasonCode.NotAuthorized,
      reasonString: 'anonymous access is not allowed',
    });
    const open = new PasswordHook({ file: await users(), allowAnonymous: true, logger: silentLogger });
    expect(open.authenticate(event(undefined, undefined))).toBe('allow');
  });

  it('a repeated successful login is answered synchronously from the cache; a changed password is not', async () => {
    const hook = new PasswordHook({ file: await users(), allowAnonymous: false, logger: silentLogger });
    const first = hook.authenticate(event('bob', 'b-pass'));
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBe('allow');
    expect(hook.authenticate(event('bob', 'b-pass'))).toBe('allow');
    // A wrong password never hits the cache.
    expect(await hook.authenticate(event('bob', 'b-pas'))).toEqual(BAD);
    // After a reload with a new password the old one fails.
    hook.replace(await setPassword(await users(), 'bob', 'new', FAST));
    expect(await hook.authenticate(event('bob', 'b-pass'))).toEqual(BAD);
    expect(await hook.authenticate(event('bob', 'new'))).toBe('allow');
  });

  it('without a file: user names pass unchecked when anonymous access is on, are refused when off', () => {
    const open = new PasswordHook({ file: undefined, allowAnonymous: true, logger: silentLogger });
    expect(open.authenticate(event('alice', 'anything'))).toBe('allow');
    expect(open.authenticate(event(undefined, undefined))).toBe('allow');
    const closed = new PasswordHook({ file: undefined, allowAnonymous: false, logger: silentLogger });
    expect(closed.authenticate(event('alice', 'a-pass'))).toEqual(BAD);
    expect(closed.authenticate(event(undefined, undefined))).toMatchObject({
      deny: ReasonCode.NotAuthorized,
    });
  });

  it('a user name from a verified client certificate is allowed as that user, without a password', async () => {
    const hook = new PasswordHook({ file: await users(), allowAnonymous: false, logger: silentLogger });
    expect(hook.authenticate(event('alice', 'wrong', { tls: true, username: 'device-7' }))).toEqual({
      allow: true,
      username: 'device-7',
    });
    expect(hook.authenticate(event(undefined, undefined, { tls: true, username: 'device-7' }))).toEqual({
      allow: true,
      username: 'device-7',
    });
    // TLS without a certificate user name is checked like any other client.
    expect(await hook.authenticate(event('alice', 'wrong', { tls: true }))).toEqual(BAD);
  });
});
