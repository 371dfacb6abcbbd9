/**
 * Operations end to end: the `$SYS` tree seen by mosquitto_sub and MQTT.js, and the metrics endpoint
 * scraped over HTTP while messages flow.
 */
import { get } from 'node:http';
import { missingMosquittoTools, mosquittoSub } from '@mqttkit/testkit';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerProcess, killAll, requireBuild, startBrokerProcess } from './broker-process.js';

let broker: BrokerProcess;
const clients: MqttClient[] = [];
beforeAll(async () => {
  requireBuild();
  broker = await startBrokerProcess(['--metrics-port', '0', '--set', 'sys.interval=1']);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
});
afterAll(killAll);

async function connect(clientId: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(broker.url, { clientId, reconnectPeriod: 0, connectTimeout: 5000 });
  clients.push(client);
  return client;
}

/** GET `path` on the metrics endpoint (loopback), bounded in time. */
function httpGet(path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = get({ host: '127.0.0.1', port: broker.metricsPort, path, timeout: 5000 }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), body }),
      );
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${path} timed out`)));
    request.on('error', reject);
  });
}

/** The value of an unlabelled (or exactly labelled) sample in Prometheus text. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((row) => row.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no sample ${name} in:\n${text}`);
  return Number(line.slice(name.length + 1));
}

const missing = missingMosquittoTools();

describe('$SYS topics', () => {
  it.skipIf(missing.length > 0)(
    "mosquitto_sub -t '$SYS/#' gets the retained tree, clients/connected included",
    async () => {
      await connect('sys-watcher'); // one client for the counter to count
      // The next update (every second) publishes the new count.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const result = await mosquittoSub(
        ['-p', String(broker.port), '-t', '$SYS/#', '-F', '%t|%p', '-W', '2'],
        {
          timeoutMs: 5000,
        },
      );
      // Topics and values may hold spaces ("retained messages/count", "12 seconds"), never "|".
      const tree = new Map(
        result.stdout
          .trim()
          .split('\n')
          .map((line) => line.split('|') as [string, string]),
      );
      expect(Number(tree.get('$SYS/broker/clients/connected'))).toBeGreaterThanOrEqual(1);
      expect(tree.get('$SYS/broker/version')).toMatch(/^mqttkit-broker version \d+\.\d+\.\d+/);
      expect(tree.get('$SYS/broker/uptime')).toMatch(/^\d+ seconds$/);
      expect(tree.get('$SYS/broker/retained messages/count')).toMatch(/^\d+$/);
      expect(tree.get('$SYS/broker/load/messages/received/1min')).toMatch(/^\d+\.\d\d$/);
      // The watcher's socket (and mosquitto_sub's) opened since start: a socket load above zero.
      expect(tree.get('$SYS/broker/load/sockets/1min')).toMatch(/^\d+\.\d\d$/);
      expect(Number(tree.get('$SYS/broker/load/sockets/1min'))).toBeGreaterThan(0);
    },
  );

  it('MQTT.js sees clients/connected follow connections; # does not match $SYS', async () => {
    const watcher = await connect('sys-mqttjs');
    const values: number[] = [];
    watcher.on('message', (topic, payload) => {
      if (topic === '$SYS/broker/clients/connected') values.push(Number(payload.toString()));
    });
    await watcher.subscribeAsync('$SYS/broker/clients/connected');
    const other = await connect('sys-other');
    const deadline = Date.now() + 5000;
    while (!values.some((value) => value >= 2) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(values.some((value) => value >= 2)).toBe(true);
    const all: string[] = [];
    other.on('message', (topic) => all.push(topic));
    await other.subscribeAsync('#');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(all.filter((topic) => topic.startsWith('$SYS'))).toEqual([]);
  });
});

describe('metrics endpoint', () => {
  it('GET /health answers 200 {"status":"ok"}; other paths 404', async () => {
    const health = await httpGet('/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    expect((await httpGet('/nope')).status).toBe(404);
  });

  it('GET /metrics shows the counters moving after some publishes', async () => {
    const before = await httpGet('/metrics');
    expect(before.status).toBe(200);
    expect(before.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(before.body).toContain('mqttkit_build_info{version=');
    expect(before.body).toContain('process_cpu_seconds_total');
    expect(before.body).toMatch(/^mqttkit_messages_dropped_total\{reason="queue-full"\} \d+$/m);
    const sub = await connect('metrics-sub');
    await sub.subscribeAsync('metrics/#', { qos: 1 });
    const pub = await connect('metrics-pub');
    let received = 0;
    sub.on('message', () => received++);
    for (let i = 0; i < 5; i++) await pub.publishAsync(`metrics/${i}`, 'x'.repeat(100), { qos: 1 });
    while (received < 5) await new Promise((resolve) => setTimeout(resolve, 20));
    const after = await httpGet('/metrics');
    const delta = (name: string) => sample(after.body, name) - sample(before.body, name);
    expect(delta('mqttkit_messages_received_total')).toBeGreaterThanOrEqual(5);
    expect(delta('mqttkit_messages_sent_total')).toBeGreaterThanOrEqual(5);
    expect(delta('mqttkit_bytes_received_total')).toBeGreaterThanOrEqual(500);
    expect(delta('mqttkit_client_connects_total')).toBe(2);
    // The two MQTT.js sockets; the metrics HTTP requests are not on an MQTT listener.
    expect(delta('mqttkit_connections_total')).toBe(2);
    expect(sample(after.body, 'mqttkit_clients_connected')).toBeGreaterThanOrEqual(2);
    expect(sample(after.body, 'mqttkit_subscriptions')).toBeGreaterThanOrEqual(1);
    expect(sample(after.body, 'mqttkit_retained_messages')).toBeGreaterThan(0); // the $SYS tree
  });
});
