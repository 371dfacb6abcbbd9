/**
 * `mqttkit bench` smoke runs (a few clients, about two seconds) against the in-process mqttkit broker
 * and Mosquitto, checking that the JSON summaries are sane and that pub and sub agree.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MISSING_MOSQUITTO, startMosquittoBroker, startMqttkitBroker, type TestBroker } from './brokers.js';
import { hasStackTrace, killAllCli, requireBuild, runCli, startCli } from './cli-process.js';

requireBuild();
afterEach(killAllCli);

interface Summary {
  mode: string;
  clients: { requested: number; connected: number; failed: number; lost: number };
  durationSeconds: number;
  messages?: { count: number; bytes: number; ratePerSecond: number; peakPerSecond: number; acked?: number };
  latencyMs?: {
    kind: string;
    count: number;
    min: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
  };
  connectMs: { count: number; p50: number; p99: number };
  cpuPercent: { self: number; broker: number | null };
  errors: Record<string, number>;
}

function parseSummary(stdout: string): Summary {
  const lines = stdout.trim().split('\n');
  expect(lines, 'stdout holds only the JSON summary').toHaveLength(1);
  return JSON.parse(lines[0]!) as Summary;
}

function expectOrderedPercentiles(latency: {
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}): void {
  expect(latency.min).toBeLessThanOrEqual(latency.p50);
  expect(latency.p50).toBeLessThanOrEqual(latency.p90);
  expect(latency.p90).toBeLessThanOrEqual(latency.p99);
  expect(latency.p99).toBeLessThanOrEqual(latency.max);
}

const targets = [
  { name: 'mqttkit-broker (in-process)', start: startMqttkitBroker, skip: false },
  {
    name: `mosquitto${MISSING_MOSQUITTO.length > 0 ? ` — skipped: ${MISSING_MOSQUITTO.join(', ')} missing` : ''}`,
    start: startMosquittoBroker,
    skip: MISSING_MOSQUITTO.length > 0 && process.env.CI === undefined,
  },
];

for (const target of targets) {
  describe.skipIf(target.skip)(`mqttkit bench against ${target.name}`, () => {
    let broker: TestBroker;
    let common: string[];

    beforeAll(async () => {
      broker = await target.start();
      common = ['-h', '127.0.0.1', '-p', String(broker.port), '--json'];
    });
    afterAll(async () => {
      await broker?.close();
    });

    it('bench conn opens every connection and reports connect latency', async () => {
      const result = await runCli([
        'bench',
        'conn',
        ...common,
        '-c',
        '20',
        '-R',
        '100',
        '--duration',
        '0.5',
        '--broker-pid',
        String(broker.pid),
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(hasStackTrace(result.stderr)).toBe(false);
      const summary = parseSummary(result.stdout);
      expect(summary).toMatchObject({
        mode: 'conn',
        clients: { requested: 20, connected: 20, failed: 0, lost: 0 },
      });
      expect(summary.connectMs.count).toBe(20);
      expect(summary.connectMs.p50).toBeGreaterThan(0);
      expect(summary.connectMs.p50).toBeLessThanOrEqual(summary.connectMs.p99);
      // 20 connections at 100/s take about 0.2 s.
      expect(summary.durationSeconds).toBeGreaterThan(0.1);
      expect(summary.durationSeconds).toBeLessThan(5);
      expect(typeof summary.cpuPercent.broker).toBe('number');
    });

    for (const qos of ['0', '1', '2']) {
      it(`bench pub and bench sub agree at QoS ${qos} and measure end-to-end latency`, async () => {
        const topic = `bench-smoke/${process.pid}/q${qos}`;
        const total = 600;
        const sub = startCli([
          'bench',
          'sub',
          ...common,
          '-c',
          '2',
          '-t',
          `${topic}/#`,
          '-q',
          qos,
          '-L',
          String(total * 2),
          '--duration',
          '20',
        ]);
        await sub.waitForStderr(/subscribed=2/);
        const pub = await runCli([
          'bench',
          'pub',
          ...common,
          '-c',
          '3',
          '--rate',
          '150',
          '-q',
          qos,
          '-s',
          '64',
          '-t',
          `${topic}/%i`,
          '-L',
          String(total),
          '--duration',
          '15',
        ]);
        expect(pub.code, pub.stderr).toBe(0);
        const published = parseSummary(pub.stdout);
        expect(published.mode).toBe('pub');
        expect(published.clients.connected).toBe(3);
        expect(published.messages?.count).toBe(total);
        expect(published.messages?.bytes).toBeGreaterThan(total * 64);
        // 3 clients x 150 msg/s for 600 messages: about 1.3 s.
        expect(published.durationSeconds).toBeGreaterThan(0.8);
        expect(published.durationSeconds).toBeLessThan(10);
        expect(published.messages?.ratePerSecond).toBeGreaterThan(200);
        expect(published.messages?.ratePerSecond).toBeLessThan(700);
        if (qos !== '0') {
          expect(published.messages?.acked).toBe(total);
          expect(published.latencyMs?.kind).toBe('ack');
          expectOrderedPercentiles(published.latencyMs!);
        }

        const subResult = await sub.wait(20_000);
        expect(subResult.code, subResult.stderr).toBe(0);
        const received = parseSummary(subResult.stdout);
        // Two subscribers each get every message.
        expect(received.messages?.count).toBe(total * 2);
        expect(received.latencyMs?.kind).toBe('end-to-end');
        expect(received.latencyMs?.count).toBe(total * 2);
        expectOrderedPercentiles(received.latencyMs!);
        expect(received.latencyMs!.p99).toBeLessThan(5000);
      });
    }

    it('bench pub -I 0 (as fast as possible) for about a second, v5', async () => {
      const result = await runCli([
        'bench',
        'pub',
        ...common,
        '-V',
        '5',
        '-c',
        '2',
        '-I',
        '0',
        '-s',
        '32',
        '--duration',
        '1',
        '-t',
        `bench-fast/${process.pid}/%c`,
      ]);
      expect(result.code, result.stderr).toBe(0);
      const summary = parseSummary(result.stdout);
      expect(summary.clients.connected).toBe(2);
      expect(summary.messages!.count).toBeGreaterThan(1000);
      expect(summary.durationSeconds).toBeGreaterThan(0.9);
      expect(summary.durationSeconds).toBeLessThan(3);
      // Live lines went to stderr, one per second.
      expect(result.stderr).toMatch(/^\[bench pub\] 1s clients=2\/2 sent=[\d,]+ rate=[\d,]+\/s cpu=\d+%/m);
    });

    it('bench pub -L stops at the limit; text summary without --json', async () => {
      const result = await runCli([
        'bench',
        'pub',
        '-h',
        '127.0.0.1',
        '-p',
        String(broker.port),
        '-c',
        '2',
        '-I',
        '0',
        '-L',
        '5000',
        '-q',
        '1',
        '--quiet',
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^bench pub summary: 127\.0\.0\.1:\d+, MQTT level 4/);
      expect(result.stdout).toContain('5,000 published');
      expect(result.stdout).toContain('5,000 acknowledged');
      expect(result.stdout).toMatch(/ack latency \(ms, 5,000 samples\): min=/);
    });
  });
}

it('bench against a port nobody listens on: every client fails, exit 1, summary says why', async () => {
  const result = await runCli(['bench', 'conn', '-h', '127.0.0.1', '-p', '1', '-c', '3', '--json']);
  expect(result.code).toBe(1);
  const summary = parseSummary(result.stdout);
  expect(summary.clients).toMatchObject({ requested: 3, connected: 0, failed: 3 });
  expect(Object.keys(summary.errors).join(' ')).toMatch(/ECONNREFUSED/);
});
