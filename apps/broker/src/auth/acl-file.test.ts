import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@mqttkit/broker';
import { afterEach, describe, expect, it } from 'vitest';
import { Acl, parseAcl, readAclFile, substitute } from './acl-file.js';
import { AclHook } from './acl-hook.js';
import { AuthFileError } from './auth-file-error.js';

const ACL = `
# anonymous clients
topic read public/#
topic read $SYS/broker/clients/+

# everyone
pattern readwrite devices/%c/#
pattern read users/%u/inbox/#

user alice
topic readwrite home/#
topic deny home/secret/#
topic write $SYS/retained messages/count

user bob
topic read home/+/temperature

client sensor-7
topic write sensors/7/+

user alice
topic read reports
`;

const client = (id: string, username?: string) => ({ id, username });

function acl(text = ACL): Acl {
  return new Acl(parseAcl(text, 'acl.conf'));
}

function parseErrors(text: string): readonly string[] {
  try {
    parseAcl(text, 'acl.conf');
  } catch (error) {
    if (error instanceof AuthFileError) return error.problems;
    throw error;
  }
  throw new Error('expected the ACL to be refused');
}

describe('parseAcl', () => {
  it('sorts rules into anonymous, users, clients and patterns, merging repeated sections', () => {
    const file = parseAcl(ACL, 'acl.conf');
    expect(file.anonymous.map((rule) => [rule.access, rule.filter])).toEqual([
      ['read', 'public/#'],
      ['read', '$SYS/broker/clients/+'],
    ]);
    expect(file.patterns.map((rule) => rule.filter)).toEqual(['devices/%c/#', 'users/%u/inbox/#']);
    expect(file.users.get('alice')!.map((rule) => rule.filter)).toEqual([
      'home/#',
      'home/secret/#',
      '$SYS/retained messages/count',
      'reports',
    ]);
    expect(file.clients.get('sensor-7')!.map((rule) => [rule.access, rule.line])).toEqual([['write', 19]]);
  });

  it('a rule without an access word is readwrite; a filter may hold spaces after an access word', () => {
    const file = parseAcl('topic a/b\ntopic read with space/x\n', 'f');
    expect(file.anonymous.map((rule) => [rule.access, rule.filter])).toEqual([
      ['readwrite', 'a/b'],
      ['read', 'with space/x'],
    ]);
  });

  it('names the file, the line and why for every bad line', () => {
    expect(
      parseErrors(
        [
          'topic read a/#', // 1: fine
          'topix read a', // 2
          'topic raed a/#', // 3
          'topic read a/#/b', // 4
          'user', // 5
          'topic read', // 6
          'topic write devices/%c', // 7
          'pattern', // 8
        ].join('\n'),
      ),
    ).toEqual([
      'acl.conf:2: unknown keyword "topix"; expected topic, pattern, user or client',
      'acl.conf:3: unknown access "raed"; expected read, write, readwrite or deny (a filter with spaces needs an access word before it)',
      'acl.conf:4: invalid topic filter "a/#/b": # must be the last level [MQTT-4.7.1-1]',
      'acl.conf:5: "user" needs a user name',
      'acl.conf:6: "topic read" needs a topic filter after the access word',
      'acl.conf:7: %c and %u are substituted only in "pattern" rules; use pattern write devices/%c',
      'acl.conf:8: "pattern" needs a topic filter: pattern [read|write|readwrite|deny] FILTER',
    ]);
  });

  it('reading a missing file names it', async () => {
    await expect(readAclFile('/nonexistent/acl.conf')).rejects.toThrow(
      '/nonexistent/acl.conf: cannot read the ACL file: no such file',
    );
  });
});

describe('Acl decisions', () => {
  it('anonymous clients get the rules before the first section, and the patterns without %u', () => {
    const rules = acl();
    const anon = client('anon-1');
    expect(rules.canSubscribe(anon, 'public/news')).toBe(true);
    expect(rules.canSubscribe(anon, 'public/#')).toBe(true);
    expect(rules.canPublish(anon, 'public/news')).toBe(false);
    expect(rules.canSubscribe(anon, '$SYS/broker/clients/connected')).toBe(true);
    expect(rules.canSubscribe(anon, '$SYS/broker/clients/#')).toBe(false);
    expect(rules.canPublish(anon, 'devices/anon-1/state')).toBe(true);
    expect(rules.canSubscribe(anon, 'users/undefined/inbox/#')).toBe(false);
    expect(rules.canSubscribe(anon, 'home/x')).toBe(false);
  });

  it('users get their own rules, not the anonymous ones; deny wins over a grant', () => {
    const rules = acl();
    const alice = client('phone', 'alice');
    expect(rules.canPublish(alice, 'home/kitchen/light')).toBe(true);
    expect(rules.canSubscribe(alice, 'home/#')).toBe(false); // it can match home/secret/...
    // home/+/light can match home/secret/light, which a deny rule covers.
    expect(rules.canSubscribe(alice, 'home/+/light')).toBe(false);
    expect(rules.canSubscribe(alice, 'home/kitchen/+')).toBe(true);
    expect(rules.canPublish(alice, 'home/secret/code')).toBe(false);
    expect(rules.canSubscribe(alice, 'home/secret/code')).toBe(false);
    expect(rules.canSubscribe(alice, 'reports')).toBe(true);
    expect(rules.canSubscribe(alice, 'public/news')).toBe(false);
    expect(rules.canPublish(alice, '$SYS/retained messages/count')).toBe(true);
    const bob = client('b', 'bob');
    expect(rules.canSubscribe(bob, 'home/kitchen/temperature')).toBe(true);
    expect(rules.canSubscribe(bob, 'home/+/temperature')).toBe(true);
    expect(rules.canSubscribe(bob, 'home/#')).toBe(false);
    expect(rules.canPublish(bob, 'home/kitchen/temperature')).toBe(false);
    // An unknown user name has no user rules, only patterns.
    expect(rules.canPublish(client('x', 'mallory'), 'home/a')).toBe(false);
  });

  it('%c and %u patterns are filled in per client', () => {
    const rules = acl();
    expect(rules.canPublish(client('dev-1', 'bob'), 'devices/dev-1/state')).toBe(true);
    expect(rules.canPublish(client('dev-1', 'bob'), 'devices/dev-2/state')).toBe(false);
    expect(rules.canSubscribe(client('dev-1', 'bob'), 'devices/dev-1/#')).toBe(true);
    expect(rules.canSubscribe(client('c', 'bob'), 'users/bob/inbox/#')).toBe(true);
    expect(rules.canSubscribe(client('c', 'bob'), 'users/alice/inbox/#')).toBe(false);
    expect(rules.canPublish(client('c', 'bob'), 'users/bob/inbox/x')).toBe(false); // read only
  });

  it('client id sections apply whatever the user name', () => {
    const rules = acl();
    expect(rules.canPublish(client('sensor-7'), 'sensors/7/temp')).toBe(true);
    expect(rules.canPublish(client('sensor-7', 'bob'), 'sensors/7/temp')).toBe(true);
    expect(rules.canPublish(client('sensor-8'), 'sensors/7/temp')).toBe(false);
  });

  it('a client id or user name with / + or # does not widen a pattern', () => {
    const rules = acl();
    expect(rules.canSubscribe(client('#'), 'devices/#')).toBe(false);
    expect(rules.canPublish(client('a/b'), 'devices/a/b/x')).toBe(false);
    expect(rules.canSubscribe(client('c', '+'), 'users/+/inbox/#')).toBe(false);
    expect(substitute('devices/%c/%u', 'id', 'me')).toBe('devices/id/me');
    expect(substitute('devices/%u', 'id', undefined)).toBeUndefined();
    expect(substitute('devices/%c', '+', 'me')).toBeUndefined();
  });

  it('shared subscriptions are checked on the filter after $share/{group}/', () => {
    const rules = acl();
    expect(rules.canSubscribe(client('anon'), '$share/g/public/#')).toBe(true);
    expect(rules.canSubscribe(client('anon'), '$share/g/home/#')).toBe(false);
  });

  it('a cached client rule set follows a user name change', () => {
    const rules = acl();
    const info = { id: 'phone', username: undefined as string | undefined };
    expect(rules.canPublish(info, 'home/a')).toBe(false);
    info.username = 'alice';
    expect(rules.canPublish(info, 'home/a')).toBe(true);
  });

  it('an empty ACL denies everything', () => {
    const rules = acl('');
    expect(rules.canPublish(client('a'), 'x')).toBe(false);
    expect(rules.canSubscribe(client('a'), '#')).toBe(false);
  });
});

describe('AclHook', () => {
  it('answers synchronously, counts denials and swaps in a new ACL', () => {
    const hook = new AclHook(acl('topic read a\ntopic write b'), silentLogger);
    const info = {
      id: 'c',
      username: undefined,
      protocolVersion: 5 as const,
      remoteAddress: '127.0.0.1:1',
      listenerId: 'tcp',
      transport: {},
    };
    const publish = (topic: string) =>
      hook.authorizePublish({
        client: info,
        topic,
        qos: 0,
        retain: false,
        payload: new Uint8Array(),
        properties: undefined,
        isWill: false,
      });
    expect(publish('b')).toBe('allow');
    expect(publish('a')).toBe('deny');
    expect(hook.authorizeSubscribe({ client: info, topicFilter: 'a', qos: 0 })).toBe('allow');
    expect(hook.authorizeSubscribe({ client: info, topicFilter: 'b', qos: 0 })).toBe('deny');
    expect(hook.denials).toEqual({ publish: 1, subscribe: 1 });
    hook.replace(acl('topic readwrite a'));
    expect(publish('a')).toBe('allow');
    expect(publish('b')).toBe('deny');
  });
});

describe('readAclFile', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads a file from disk and names it in errors', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mqttkit-acl-'));
    const path = join(dir, 'acl.conf');
    await writeFile(path, 'topic read a\r\nbogus\r\n');
    await expect(readAclFile(path)).rejects.toThrow(`${path}:2: unknown keyword "bogus"`);
  });
});
