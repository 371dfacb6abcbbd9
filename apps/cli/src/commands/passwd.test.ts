import { describe, expect, it } from 'vitest';
import { parsePasswdArgs } from './passwd.js';

describe('mqttkit passwd arguments', () => {
  it('reads the mosquitto_passwd forms', () => {
    expect(parsePasswdArgs(['f', 'alice'])).toEqual({
      kind: 'set',
      file: 'f',
      user: 'alice',
      password: undefined,
      create: false,
      scheme: 'scrypt',
    });
    expect(parsePasswdArgs(['-c', 'f', 'alice'])).toMatchObject({ kind: 'set', create: true });
    expect(parsePasswdArgs(['-b', 'f', 'alice', 'pw'])).toMatchObject({ kind: 'set', password: 'pw' });
    expect(parsePasswdArgs(['-cb', 'f', 'alice', 'pw'])).toMatchObject({
      kind: 'set',
      password: 'pw',
      create: true,
    });
    expect(parsePasswdArgs(['-H', 'sha512-pbkdf2', 'f', 'alice'])).toMatchObject({ scheme: 'pbkdf2-sha512' });
    expect(parsePasswdArgs(['-H', 'pbkdf2-sha512', 'f', 'alice'])).toMatchObject({ scheme: 'pbkdf2-sha512' });
    expect(parsePasswdArgs(['-D', 'f', 'alice'])).toEqual({ kind: 'delete', file: 'f', user: 'alice' });
    expect(parsePasswdArgs(['--help'])).toEqual({ kind: 'help' });
  });

  it('refuses bad combinations readably', () => {
    const cases: [string[], string][] = [
      [[], 'mqttkit passwd: give the password file and the user name'],
      [['f'], 'mqttkit passwd: give the password file and the user name'],
      [['f', 'u', 'pw'], 'mqttkit passwd: too many arguments (expected FILE USER)'],
      [['-b', 'f', 'u', 'pw', 'x'], 'mqttkit passwd: too many arguments (expected FILE USER PASSWORD)'],
      [['-b', 'f', 'u'], 'mqttkit passwd: -b needs FILE USER PASSWORD'],
      [['-c', '-D', 'f', 'u'], 'mqttkit passwd: -c and -D cannot be used together'],
      [['-D', '-b', 'f', 'u', 'p'], 'mqttkit passwd: -D takes only FILE USER'],
      [['-H', 'md5', 'f', 'u'], "mqttkit passwd: -H must be scrypt or pbkdf2-sha512, got 'md5'"],
      [['f', 'a:b'], 'mqttkit passwd: a user name cannot contain ":"'],
      [['f', ''], 'mqttkit passwd: the user name is empty'],
      [['-x', 'f', 'u'], 'mqttkit passwd: unknown option -x'],
    ];
    for (const [argv, message] of cases) expect(() => parsePasswdArgs(argv), argv.join(' ')).toThrow(message);
  });
});
