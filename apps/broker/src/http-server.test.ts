import { request } from 'node:http';
import { BrokerStats, type DropReason } from '@mqttkit/broker';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpsServer, type OpsServer } from './http-server.js';
import { createMetricsRegistry } from './metrics.js';
import { OpsCounters } from './ops-counters.js';

function source() {
  const stats = new BrokerStats();
  const dropsByReason: Record<DropReason, number> = {
    'queue-full': 2,
    congested: 1,
    expired: 0,
    'packet-too-large': 0,
    'retained-store-full': 0,
    'offline-qos0': 0,
    'subscription-revoked': 0,
  };
  return {
    stats,
    version: '9.9.9',
    sessionCount: () => 4,
    counts: () => ({ subscriptions: 6, retained: 3, sharedGroups: 1 }),
    dropsByReason,
    ops: new OpsCounters(),
    logins: { allowed: 5, badCredentials: 2, anonymousRefused: 1 },
    aclDenials: { publish: 7, subscribe: 8 },
  };
}

function fetch(port: number, path: string, method = 'GET') {
  return new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, timeout: 5000 }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), body }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

let server: OpsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('metrics endpoint', () => {
  it('serves every metric from the counters at scrape time, without counting twice', async () => {
    const src = source();
    let healthy = true;
    server = createOpsServer({
      host: '127.0.0.1',
      port: 0,
      registry: createMetricsRegistry(src),
      isHealthy: () => healthy,
    });
    const { port } = await server.listen();
    src.stats.messagesReceived = 10;
    src.stats.bytesSent = 1234;
    src.stats.clientConnected();
    let { body } = await fetch(port, '/metrics');
    for (const line of [
      'mqttkit_build_info{version="9.9.9"} 1',
      'mqttkit_messages_received_total 10',
      'mqttkit_bytes_sent_total 1234',
      'mqttkit_clients_connected 1',
      'mqttkit_client_connects_total 1',
      'mqttkit_sessions 4',
      'mqttkit_subscriptions 6',
      'mqttkit_retained_messages 3',
      'mqttkit_shared_subscription_groups 1',
      'mqttkit_messages_dropped_total{reason="queue-full"} 2',
      'mqttkit_messages_dropped_total{reason="congested"} 1',
      'mqttkit_messages_dropped_total{reason="offline-qos0"} 0',
      'mqttkit_messages_dropped_total{reason="subscription-revoked"} 0',
      'mqttkit_logins_total{result="bad_credentials"} 2',
      'mqttkit_acl_denied_total{action="subscribe"} 8',
      'mqttkit_config_reloads_total{result="failure"} 0',
    ]) {
      expect(body).toContain(`\n${line}\n`);
    }
    expect(body).toContain('# TYPE mqttkit_messages_received_total counter');
    expect(body).toContain('nodejs_eventloop_lag_seconds');
    // A second scrape reports the totals again, not their sum.
    src.stats.messagesReceived = 11;
    ({ body } = await fetch(port, '/metrics'));
    expect(body).toContain('\nmqttkit_messages_received_total 11\n');
    expect(body).toContain('\nmqttkit_messages_dropped_total{reason="queue-full"} 2\n');

    expect(await fetch(port, '/health')).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    healthy = false;
    expect(await fetch(port, '/health')).toMatchObject({ status: 503, body: '{"status":"shutting down"}' });
    expect((await fetch(port, '/metrics', 'POST')).status).toBe(405);
    expect((await fetch(port, '/health', 'HEAD')).body).toBe('');
  });
});
