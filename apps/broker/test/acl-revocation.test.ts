/**
 * An ACL reload takes back read access at once, end to end: the built binary with a password file
 * and an ACL file; after SIGHUP with a rule removed, the subscriptions that rule allowed stop
 * delivering, for a connected client and for an offline persistent session (whose queued messages
 * for them are not delivered either), while the client's other subscriptions keep working.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parsePublish,
  RawClient,
  type RawConnectOptions,
  rawConnect,
  rawDisconnect,
  rawPuback,
  rawPublish,
  rawSubscribe,
} from '@mqttkit/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emptyPasswordFile, setPassword, writePasswordFile } from '../src/auth/password-file.js';
import { type BrokerProcess, killAll, requireBuild, startBrokerProcess } from './broker-process.js';

/** A cheap scrypt cost keeps the suite fast; the broker reads the cost from each hash. */
const FAST = { cost: { N: 1024 } };

/** dave reads a/# and b/#; writer may publish anywhere. */
const ACL_BEFORE = `
user dave
topic read a/#
topic read b/#

user writer
topic write #
`;

/** The same without dave's a/#. */
const ACL_AFTER = `
user dave
topic read b/#

user writer
topic write #
`;

const REVOKED_LOG =
  'SIGHUP: subscriptions checked against the reloaded ACL; those it does not allow are revoked';

let dir: string;
let passwordPath: string;
let aclPath: string;
let broker: BrokerProcess;
const clients: RawClient[] = [];

beforeAll(async () => {
  requireBuild();
  dir = await mkdtemp(join(tmpdir(), 'mqttkit-acl-revoke-e2e-'));
  passwordPath = join(dir, 'passwords');
  aclPath = join(dir, 'acl.conf');
  let file = emptyPasswordFile();
  file = await setPassword(file, 'dave', 'dave-pw', FAST);
  file = await setPassword(file, 'writer', 'writer-pw', FAST);
  await writePasswordFile(passwordPath, file);
});
beforeEach(async () => {
  await writeFile(aclPath, ACL_BEFORE);
  broker = await startBrokerProcess([
    '--password-file',
    passwordPath,
    '--acl-file',
    aclPath,
    '--log-level',
    'debug',
  ]);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await broker.kill();
});
afterAll(async () => {
  await killAll();
  await rm(dir, { recursive: true, force: true });
});

/** A raw client logged in with `connect`, after CONNACK 0. */
async function connect(options: RawConnectOptions): Promise<RawClient> {
  const client = await RawClient.connect(broker.port);
  clients.push(client);
  await client.send(rawConnect(options));
  const connack = await client.expectFrame({ type: 2 });
  expect(connack.body[1], 'CONNACK return code').toBe(0);
  return client;
}

const dave = (clientId: string): RawConnectOptions => ({
  protocolVersion: 4,
  clientId,
  clean: false,
  username: 'dave',
  password: 'dave-pw',
});

/** Publishes each topic at QoS 1 as `writer`, in order, each acknowledged before the next. */
async function publish(topics: readonly string[], payload: string): Promise<void> {
  const writer = await connect({
    protocolVersion: 4,
    clientId: `writer-${payload}`,
    username: 'writer',
    password: 'writer-pw',
  });
  let packetId = 1;
  for (const topic of topics) {
    await writer.send(rawPublish({ topic, payload, qos: 1, packetId }, 4));
    await writer.expectFrame({ type: 4 });
    packetId++;
  }
  await writer.send(rawDisconnect(4));
}

/** The next frame must be a PUBLISH; returns `topic payload` and acknowledges it. */
async function nextPublish(client: RawClient): Promise<string> {
  const publish = parsePublish(await client.expectFrame({ type: 3 }), 4);
  if (publish.packetId !== undefined) await client.send(rawPuback(publish.packetId, 4));
  return `${publish.topic} ${publish.payload.toString()}`;
}

/** Rewrites the ACL, sends SIGHUP and returns the revocation log line of that reload. */
async function reloadAcl(text: string): Promise<{ checked: number; revoked: number }> {
  const before = broker.logs().filter((line) => line.msg === REVOKED_LOG).length;
  await writeFile(aclPath, text);
  broker.signal('SIGHUP');
  await broker.waitForLog(
    () => broker.logs().filter((line) => line.msg === REVOKED_LOG).length > before,
    10_000,
  );
  const line = broker
    .logs()
    .filter((log) => log.msg === REVOKED_LOG)
    .at(-1)!;
  return { checked: line.checked as number, revoked: line.revoked as number };
}

describe('SIGHUP revokes subscriptions the reloaded ACL does not allow', () => {
  it('a connected subscriber stops receiving a/x at once; its b/# subscription still delivers', async () => {
    const subscriber = await connect(dave('dave-live'));
    await subscriber.send(
      rawSubscribe(
        1,
        [
          { filter: 'a/#', qos: 1 },
          { filter: 'b/#', qos: 1 },
        ],
        4,
      ),
    );
    await subscriber.expectFrame({ type: 9 });
    await publish(['a/x'], 'before');
    expect(await nextPublish(subscriber)).toBe('a/x before');

    expect(await reloadAcl(ACL_AFTER)).toEqual({ checked: 2, revoked: 1 });
    const revocation = broker.logs().find((line) => line.msg === 'ACL: subscription revoked');
    expect(revocation).toMatchObject({
      clientId: 'dave-live',
      username: 'dave',
      topicFilter: 'a/#',
      connected: true,
    });

    // One publisher, one subscriber: had a/x been delivered, it would arrive before b/x.
    await publish(['a/x', 'b/x'], 'after');
    expect(await nextPublish(subscriber)).toBe('b/x after');
    await subscriber.expectNoFrame(200);
    expect(subscriber.isClosed).toBe(false);
  });

  it('an offline persistent session gets nothing queued for the revoked subscription after reconnect', async () => {
    const away = await connect(dave('dave-away'));
    await away.send(
      rawSubscribe(
        1,
        [
          { filter: 'a/#', qos: 1 },
          { filter: 'b/#', qos: 1 },
        ],
        4,
      ),
    );
    await away.expectFrame({ type: 9 });
    await away.send(rawDisconnect(4));
    await away.expectClose();

    // Queued while offline, before the reload and after it.
    await publish(['a/1', 'b/1'], 'before');
    expect(await reloadAcl(ACL_AFTER)).toEqual({ checked: 2, revoked: 1 });
    expect(broker.logs().find((line) => line.msg === 'ACL: subscription revoked')).toMatchObject({
      clientId: 'dave-away',
      topicFilter: 'a/#',
      connected: false,
    });
    await publish(['a/2', 'b/2'], 'after');

    const back = await connect(dave('dave-away'));
    expect([await nextPublish(back), await nextPublish(back)]).toEqual(['b/1 before', 'b/2 after']);
    await back.expectNoFrame(200);
  });

  it('a reload that fails revokes nothing', async () => {
    const subscriber = await connect(dave('dave-steady'));
    await subscriber.send(rawSubscribe(1, [{ filter: 'a/#', qos: 1 }], 4));
    await subscriber.expectFrame({ type: 9 });
    const failed = 'SIGHUP: reload failed; the files in force stay in force';
    await writeFile(aclPath, 'user dave\ntopic raed b/#\n');
    broker.signal('SIGHUP');
    await broker.waitForLog((line) => line.msg === failed);
    expect(broker.logs().some((line) => line.msg === REVOKED_LOG)).toBe(false);
    await publish(['a/x'], 'still');
    expect(await nextPublish(subscriber)).toBe('a/x still');
  });
});
