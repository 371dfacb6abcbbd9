/**
 * Merges layers over the defaults (later layers win) into one `AppConfig`, then runs the checks that
 * span several settings.
 */
import { type BrokerLimits, resolveLimits } from '@mqttkit/broker';
import type { ConfigIssue } from './config-error.js';
import type { ConfigLayer } from './config-layer.js';
import {
  type AppConfig,
  type AuthConfig,
  DEFAULT_LISTENER,
  LIMIT_KEYS,
  type ListenerConfig,
  type LogConfig,
  type MetricsConfig,
  SETTINGS,
} from './schema.js';

/** Merges `layers` (lowest precedence first) over the defaults; issues are the cross-setting checks. */
export function resolveConfig(layers: readonly ConfigLayer[]): { config: AppConfig; issues: ConfigIssue[] } {
  const values = new Map<string, unknown>(SETTINGS.map((row) => [row.path, row.default]));
  let listeners: ListenerConfig[] = [{ ...DEFAULT_LISTENER }];
  for (const layer of layers) {
    for (const [path, value] of layer.values) values.set(path, value);
    if (layer.listeners !== undefined) listeners = layer.listeners.map((listener) => ({ ...listener }));
    listeners = applyOverrides(listeners, layer.listenerOverrides);
  }
  // Every value was checked against its setting's type by the layer that set it, or is the default.
  const limits = Object.fromEntries(
    LIMIT_KEYS.map((key) => [key, values.get(`limits.${key}`)]),
  ) as unknown as BrokerLimits;
  const log = { level: values.get('log.level'), pretty: values.get('log.pretty') } as LogConfig;
  const auth: AuthConfig = {};
  const passwordFile = values.get('auth.passwordFile') as string | undefined;
  const aclFile = values.get('auth.aclFile') as string | undefined;
  const allowAnonymous = values.get('auth.allowAnonymous') as boolean | undefined;
  if (passwordFile !== undefined) auth.passwordFile = passwordFile;
  if (aclFile !== undefined) auth.aclFile = aclFile;
  if (allowAnonymous !== undefined) auth.allowAnonymous = allowAnonymous;
  const sys = { interval: values.get('sys.interval') as number };
  const metrics: MetricsConfig = { host: values.get('metrics.host') as string };
  const metricsPort = values.get('metrics.port') as number | undefined;
  if (metricsPort !== undefined) metrics.port = metricsPort;
  const config: AppConfig = { listeners, limits, log, auth, sys, metrics };
  return { config, issues: crossChecks(config) };
}

/** `--host`/`--port` and their variables apply to the first tcp listener, added if there is none. */
function applyOverrides(
  listeners: ListenerConfig[],
  overrides: ConfigLayer['listenerOverrides'],
): ListenerConfig[] {
  if (overrides.host === undefined && overrides.port === undefined) return listeners;
  const index = listeners.findIndex((listener) => listener.protocol === 'tcp');
  const base = index === -1 ? { ...DEFAULT_LISTENER } : listeners[index]!;
  const changed: ListenerConfig = { ...base, ...overrides };
  return index === -1
    ? [...listeners, changed]
    : listeners.map((listener, i) => (i === index ? changed : listener));
}

function crossChecks(config: AppConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const source = 'the merged configuration';
  const ids = new Map<string, number>();
  const addresses = new Map<string, number>();
  config.listeners.forEach((listener, index) => {
    if (listener.id !== undefined) {
      const first = ids.get(listener.id);
      if (first !== undefined) {
        issues.push({
          path: `listeners[${index}].id`,
          message: `${JSON.stringify(listener.id)} is already the id of listeners[${first}]`,
          source,
        });
      } else ids.set(listener.id, index);
    }
    // Port 0 binds a fresh ephemeral port each time, so it never collides.
    if (listener.port !== 0) {
      const address = `${listener.host}:${listener.port}`;
      const first = addresses.get(address);
      if (first !== undefined) {
        issues.push({
          path: `listeners[${index}].port`,
          message: `${address} is already used by listeners[${first}]`,
          source,
        });
      } else addresses.set(address, index);
    }
  });
  const { metrics } = config;
  if (metrics.port !== undefined && metrics.port !== 0) {
    const first = addresses.get(`${metrics.host}:${metrics.port}`);
    if (first !== undefined) {
      issues.push({
        path: 'metrics.port',
        message: `${metrics.host}:${metrics.port} is already used by listeners[${first}]`,
        source,
      });
    }
  }
  // The broker checks its limits again when it is built; if its rules and the table ever drift apart,
  // this turns its RangeError into a config issue instead of a crash.
  try {
    resolveLimits(config.limits);
  } catch (error) {
    issues.push({ path: 'limits', message: error instanceof Error ? error.message : String(error), source });
  }
  return issues;
}
