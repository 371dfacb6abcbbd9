/**
 * Prometheus metrics (prom-client). Every broker metric is read from `broker.stats` (and the other
 * counters the broker and the hooks already keep) in a collect callback at scrape time, so the hot path
 * counts each thing once, in a plain number, and nothing here runs between scrapes. Process metrics
 * (CPU, memory, event-loop lag, GC, handles) come from prom-client's default collectors.
 */
import type { BrokerStats, DropReason } from '@mqttkit/broker';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { AclDenials } from './auth/acl-hook.js';
import type { LoginCounts } from './auth/password-hook.js';
import type { OpsCounters } from './ops-counters.js';

/** What the metrics read. */
export interface MetricsSource {
  readonly stats: BrokerStats;
  readonly version: string;
  sessionCount(): number;
  counts(): { subscriptions: number; retained: number; sharedGroups: number };
  readonly dropsByReason: Readonly<Record<DropReason, number>>;
  readonly ops: OpsCounters;
  /** Present when a password file (or `auth.allowAnonymous: false`) is configured. */
  readonly logins?: LoginCounts;
  /** Present when an ACL file is configured. */
  readonly aclDenials?: AclDenials;
}

/** A gauge whose value is read at scrape time. */
function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/** A counter whose total is read at scrape time (the broker keeps the running count). */
function counter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/** A counter with one label whose totals are read at scrape time. */
function labelledCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  label: L,
  read: () => Iterable<readonly [string, number]>,
): void {
  new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [value, count] of read()) this.inc({ [label]: value } as Record<L, string>, count);
    },
  });
}

/** Builds a registry with every mqttkit metric and the process metrics. */
export function createMetricsRegistry(source: MetricsSource): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { stats } = source;
  new Gauge({
    name: 'mqttkit_build_info',
    help: 'Always 1; the version label says which mqttkit-broker is running.',
    labelNames: ['version'],
    registers: [registry],
  }).set({ version: source.version }, 1);
  gauge(
    registry,
    'mqttkit_connections',
    'Open network connections, CONNECT completed or not.',
    () => stats.connections,
  );
  gauge(
    registry,
    'mqttkit_clients_connected',
    'Clients connected now (CONNECT accepted).',
    () => stats.clientsConnected,
  );
  gauge(
    registry,
    'mqttkit_clients_maximum',
    'Most clients connected at once since start.',
    () => stats.clientsMaximum,
  );
  counter(
    registry,
    'mqttkit_connections_total',
    'Network connections opened since start, CONNECT or not.',
    () => stats.connectionsTotal,
  );
  counter(
    registry,
    'mqttkit_client_connects_total',
    'CONNECTs accepted since start.',
    () => stats.clientsTotal,
  );
  gauge(
    registry,
    'mqttkit_sessions',
    'Sessions known: connected clients and disconnected persistent sessions.',
    () => source.sessionCount(),
  );
  counter(
    registry,
    'mqttkit_sessions_expired_total',
    'Disconnected sessions removed at their expiry.',
    () => source.ops.sessionsExpired,
  );
  counter(
    registry,
    'mqttkit_messages_received_total',
    'PUBLISH packets received from clients.',
    () => stats.messagesReceived,
  );
  counter(
    registry,
    'mqttkit_messages_sent_total',
    'PUBLISH packets sent to clients.',
    () => stats.messagesSent,
  );
  labelledCounter(
    registry,
    'mqttkit_messages_dropped_total',
    'Messages not delivered to a session (or not retained), by reason.',
    'reason',
    () => Object.entries(source.dropsByReason),
  );
  counter(
    registry,
    'mqttkit_packets_received_total',
    'MQTT control packets received, every type.',
    () => stats.packetsReceived,
  );
  counter(
    registry,
    'mqttkit_packets_sent_total',
    'MQTT control packets sent, every type.',
    () => stats.packetsSent,
  );
  counter(
    registry,
    'mqttkit_bytes_received_total',
    'Bytes received on client connections.',
    () => stats.bytesReceived,
  );
  counter(registry, 'mqttkit_bytes_sent_total', 'Bytes sent on client connections.', () => stats.bytesSent);
  counter(
    registry,
    'mqttkit_protocol_errors_total',
    'Connections closed for a protocol violation.',
    () => stats.protocolErrors,
  );
  gauge(
    registry,
    'mqttkit_subscriptions',
    'Subscriptions held by all sessions.',
    () => source.counts().subscriptions,
  );
  gauge(
    registry,
    'mqttkit_shared_subscription_groups',
    'Shared subscription groups ($share/{group}/{filter}).',
    () => source.counts().sharedGroups,
  );
  gauge(registry, 'mqttkit_retained_messages', 'Retained messages kept.', () => source.counts().retained);
  labelledCounter(
    registry,
    'mqttkit_config_reloads_total',
    'SIGHUP reloads of the password and ACL files.',
    'result',
    () => [
      ['success', source.ops.reloadsSucceeded],
      ['failure', source.ops.reloadsFailed],
    ],
  );
  const { logins, aclDenials } = source;
  if (logins !== undefined) {
    labelledCounter(registry, 'mqttkit_logins_total', 'CONNECT authentication results.', 'result', () => [
      ['allowed', logins.allowed],
      ['bad_credentials', logins.badCredentials],
      ['anonymous_refused', logins.anonymousRefused],
    ]);
  }
  if (aclDenials !== undefined) {
    labelledCounter(
      registry,
      'mqttkit_acl_denied_total',
      'PUBLISHes (and wills) and SUBSCRIBE filters the ACL denied.',
      'action',
      () => [
        ['publish', aclDenials.publish],
        ['subscribe', aclDenials.subscribe],
      ],
    );
  }
  return registry;
}
