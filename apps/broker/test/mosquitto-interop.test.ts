/**
 * Debian's mosquitto_pub and mosquitto_sub as real clients of the built binary: QoS 0/1/2 at every
 * protocol level, retained messages, wills, persistent sessions, shared subscriptions and v5 properties.
 */
import {
  type MosquittoSubProcess,
  missingMosquittoTools,
  mosquittoPub,
  mosquittoSub,
  RawClient,
  rawConnect,
  rawDisconnect,
  spawnMosquittoSub,
} from '@mqttkit/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerProcess, killAll, requireBuild, startBrokerProcess } from './broker-process.js';

const missing = missingMosquittoTools();

// CI installs the tools, so missing tools there are a failure, not a reason to skip.
it.runIf(process.env.CI)('mosquitto tools are installed (CI)', () => {
  expect(missing).toEqual([]);
});

describe.skipIf(missing.length > 0)(
  `mosquitto_pub / mosquitto_sub interop${missing.length > 0 ? ` (skipped: ${missing.join(', ')} not installed)` : ''}`,
  () => {
    let broker: BrokerProcess;
    const subs: MosquittoSubProcess[] = [];
    /** Broker address arguments for the tools (they add `-h 127.0.0.1`). */
    const at = () => ['-p', String(broker.port)];
    /** Starts a long-running mosquitto_sub, stopped after the test. */
    const subscribe = async (args: string[]) => {
      const sub = await spawnMosquittoSub([...at(), ...args]);
      subs.push(sub);
      return sub;
    };
    const publish = async (args: string[], input?: string) => {
      const result = await mosquittoPub([...at(), ...args], input === undefined ? {} : { input });
      expect(result.code, `mosquitto_pub ${args.join(' ')}: ${result.stderr}`).toBe(0);
    };

    beforeAll(async () => {
      requireBuild();
      broker = await startBrokerProcess();
    });
    afterEach(async () => {
      await Promise.all(subs.splice(0).map((sub) => sub.stop()));
    });
    afterAll(killAll);

    for (const version of ['mqttv31', 'mqttv311', 'mqttv5'] as const) {
      for (const qos of [0, 1, 2] as const) {
        it(`${version} QoS ${qos}: published message delivered at QoS ${qos}`, async () => {
          const topic = `interop/${version}/qos${qos}`;
          const result = await mosquittoSub(
            [...at(), '-V', version, '-t', topic, '-q', String(qos), '-C', '1', '-F', '%t %q %p'],
            {
              whenSubscribed: () =>
                publish(['-V', version, '-t', topic, '-q', String(qos), '-m', `hello ${qos}`]),
            },
          );
          expect(result.timedOut).toBe(false);
          expect(result.stdout).toBe(`${topic} ${qos} hello ${qos}\n`);
        });
      }
    }

    it('retained: a later mosquitto_sub gets the retained message with the retain flag; an empty one clears it', async () => {
      const topic = 'interop/retained';
      await publish(['-t', topic, '-m', 'kept', '-r', '-q', '1']);
      const later = await mosquittoSub([...at(), '-t', topic, '-C', '1', '-F', '%r %p']);
      expect(later.stdout).toBe('1 kept\n');
      await publish(['-t', topic, '-n', '-r', '-q', '1']);
      const afterClear = await mosquittoSub([...at(), '-t', topic, '-W', '1'], { timeoutMs: 3000 });
      expect(afterClear.stdout).toBe('');
    });

    it('will: published when a client is dropped without DISCONNECT, not after a normal DISCONNECT', async () => {
      const topic = 'interop/will';
      const sub = await subscribe(['-t', topic, '-q', '1', '-F', '%t %p']);
      const will = (payload: string) => ({ topic, payload, qos: 1, retain: false });
      // Closes normally first: its will must not be published [MQTT-3.14.4-3].
      const polite = await RawClient.connect(broker.port);
      await polite.send(
        rawConnect({ protocolVersion: 4, clientId: 'will-polite', will: will('polite-will') }),
      );
      await polite.expectFrame({ type: 2 });
      await polite.send(rawDisconnect(4));
      await polite.expectClose();
      const dropped = await RawClient.connect(broker.port);
      await dropped.send(
        rawConnect({ protocolVersion: 4, clientId: 'will-dropped', will: will('dropped-will') }),
      );
      await dropped.expectFrame({ type: 2 });
      dropped.destroy();
      expect(await sub.waitForLines(1)).toEqual([`${topic} dropped-will`]);
      // Time for a wrongly published will to show up after the expected one.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(sub.lines).toEqual([`${topic} dropped-will`]);
    });

    it('persistent session: mosquitto_sub -c gets the QoS 1 message published while it was away', async () => {
      const topic = 'interop/persistent';
      const args = ['-t', topic, '-q', '1', '-c', '-i', 'interop-persistent'];
      const first = await subscribe(args);
      await first.stop();
      await publish(['-t', topic, '-q', '1', '-m', 'while-away']);
      const second = await subscribe(args);
      expect(await second.waitForLines(1)).toEqual(['while-away']);
    });

    it('shared subscription: $share/g/... splits messages between two mosquitto_subs, each delivered once', async () => {
      const topic = 'interop/shared';
      const a = await subscribe(['-t', `$share/g/${topic}`, '-q', '1']);
      const b = await subscribe(['-t', `$share/g/${topic}`, '-q', '1']);
      const sent = Array.from({ length: 20 }, (_, i) => `m${String(i).padStart(2, '0')}`);
      await publish(['-t', topic, '-q', '1', '-l'], `${sent.join('\n')}\n`);
      const deadline = Date.now() + 5000;
      while (a.lines.length + b.lines.length < sent.length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 200)); // duplicates would arrive now
      expect([...a.lines, ...b.lines].sort()).toEqual(sent);
      expect(a.lines.length, 'first member got some').toBeGreaterThan(0);
      expect(b.lines.length, 'second member got some').toBeGreaterThan(0);
    });

    it('v5: user properties (in order, duplicates kept), content type and response topic pass through', async () => {
      const topic = 'interop/v5/properties';
      const result = await mosquittoSub(
        [...at(), '-V', 'mqttv5', '-t', topic, '-C', '1', '-F', '%P|%C|%R|%p'],
        {
          whenSubscribed: () =>
            publish([
              '-V',
              'mqttv5',
              '-t',
              topic,
              '-m',
              'hi',
              '-D',
              'publish',
              'user-property',
              'k',
              'v',
              '-D',
              'publish',
              'user-property',
              'k',
              'v2',
              '-D',
              'publish',
              'user-property',
              'a',
              'b',
              '-D',
              'publish',
              'content-type',
              'text/plain',
              '-D',
              'publish',
              'response-topic',
              'interop/reply',
            ]),
        },
      );
      expect(result.stdout).toBe('k:v k:v2 a:b|text/plain|interop/reply|hi\n');
    });

    it('v5 and 3.1.1 clients see each other: a v5 publish reaches a 3.1.1 subscriber and back', async () => {
      const v4 = await subscribe(['-V', 'mqttv311', '-t', 'interop/mixed/to4', '-q', '2']);
      const v5 = await subscribe(['-V', 'mqttv5', '-t', 'interop/mixed/to5', '-q', '2']);
      await publish(['-V', 'mqttv5', '-t', 'interop/mixed/to4', '-q', '2', '-m', 'from5']);
      await publish(['-V', 'mqttv311', '-t', 'interop/mixed/to5', '-q', '2', '-m', 'from4']);
      expect(await v4.waitForLines(1)).toEqual(['from5']);
      expect(await v5.waitForLines(1)).toEqual(['from4']);
    });
  },
);
