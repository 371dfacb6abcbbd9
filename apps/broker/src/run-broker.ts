/**
 * Builds the broker from a validated configuration and starts everything around it: the auth hooks,
 * the listeners, the `$SYS` tree and the metrics endpoint.
 */
import { Broker, type Logger } from '@mqttkit/broker';
import { type AuthFiles, AuthHooks, AuthReloader, allowsAnonymous } from './auth/auth-hooks.js';
import type { AppConfig } from './config/schema.js';
import { createOpsServer, type OpsServer } from './http-server.js';
import { type ConfiguredListener, createListener, listenerIdOf, reloadCertificates } from './listeners.js';
import { createMetricsRegistry } from './metrics.js';
import { OpsCounters } from './ops-counters.js';
import { describeListenError, StartError } from './start-error.js';
import { SysTopics } from './sys-topics.js';

/** A listener that is accepting connections, with the address it bound. */
export interface BoundListener {
  readonly id: string;
  readonly protocol: string;
  readonly host: string;
  readonly port: number;
}

/** A broker that is accepting connections. */
export interface RunningBroker {
  readonly broker: Broker;
  /** Every listener with its bound address, in configuration order. */
  readonly listeners: readonly BoundListener[];
  /** Where `/metrics` and `/health` are served, when `metrics.port` is set. */
  readonly metrics: { readonly host: string; readonly port: number } | undefined;
  /**
   * SIGHUP: re-reads the password and ACL files (both or neither) and the tls/wss listeners'
   * certificates; resolves true when everything reloaded.
   */
  reload(): Promise<boolean>;
  /**
   * Stops: `/health` turns 503, the `$SYS` timer stops, listeners and connections close (v5 clients
   * get DISCONNECT 0x8B) and the store; the metrics endpoint closes last.
   */
  stop(): Promise<void>;
}

/**
 * Starts the broker and its listeners, logging each bound address. `authFiles` are the password and
 * ACL files already read (so their problems are reported as configuration errors before anything
 * starts). If a listener or the metrics endpoint cannot bind, the broker is closed again and a
 * `StartError` says which address failed and why.
 */
export async function runBroker(
  config: AppConfig,
  logger: Logger,
  version: string,
  authFiles: AuthFiles = {},
): Promise<RunningBroker> {
  const ops = new OpsCounters();
  const certificateUsers = config.listeners.some(
    (listener) => 'usernameFromCertificate' in listener && listener.usernameFromCertificate !== undefined,
  );
  const auth = new AuthHooks(config.auth, authFiles, logger, certificateUsers);
  const broker = new Broker({ limits: config.limits, logger, version, hooks: [...auth.hooks, ops] });
  logAuth(auth, logger);
  await broker.start();
  const listeners: BoundListener[] = [];
  const configured: ConfiguredListener[] = [];
  let opsServer: OpsServer | undefined;
  let stopping = false;
  const fail = async (error: unknown, address: { id: string; host: string; port: number }) => {
    await broker.close();
    await opsServer?.close();
    throw error instanceof StartError ? error : describeListenError(error, address);
  };
  for (const listenerConfig of config.listeners) {
    try {
      const listener = await createListener(broker, listenerConfig);
      configured.push({ listener, config: listenerConfig });
      const { host, port } = await listener.listen();
      const bound = { id: listener.id, protocol: listener.protocol, host, port };
      listeners.push(bound);
      logger.info(
        { listener: bound.id, protocol: bound.protocol, host, port },
        `listening on ${host}:${port}`,
      );
    } catch (error) {
      return fail(error, {
        id: listenerIdOf(listenerConfig),
        host: listenerConfig.host,
        port: listenerConfig.port,
      });
    }
  }

  const source = {
    stats: broker.stats,
    version,
    sessionCount: () => broker.sessions.size,
    counts: () => broker.router.counts(),
    dropsByReason: broker.sessions.dropsByReason,
    sessionsExpired: () => ops.sessionsExpired,
  };

  let metrics: RunningBroker['metrics'];
  if (config.metrics.port !== undefined) {
    const registry = createMetricsRegistry({
      ...source,
      ops,
      ...(auth.password === undefined ? {} : { logins: auth.password.logins }),
      ...(auth.acl === undefined ? {} : { aclDenials: auth.acl.denials }),
    });
    opsServer = createOpsServer({
      host: config.metrics.host,
      port: config.metrics.port,
      registry,
      isHealthy: () => !stopping && broker.isRunning,
    });
    try {
      metrics = await opsServer.listen();
    } catch (error) {
      return fail(error, { id: 'metrics', host: config.metrics.host, port: config.metrics.port });
    }
    logger.info(metrics, `metrics on http://${metrics.host}:${metrics.port}/metrics`);
  }

  // Retained QoS 0, like Mosquitto's: a new subscriber gets every current value at once.
  const sys = new SysTopics(source, (topic, payload) => broker.publish({ topic, payload, retain: true }), {
    intervalSeconds: config.sys.interval,
  });
  sys.start();

  const reloader = new AuthReloader(auth, logger, { subscriptions: broker });
  const reloadCertificatesLogged = async (): Promise<boolean> => {
    try {
      const count = await reloadCertificates(configured);
      if (count > 0) logger.info({ listeners: count }, 'SIGHUP: TLS certificates reloaded');
      return true;
    } catch (error) {
      logger.error(
        { problem: error instanceof Error ? error.message : String(error) },
        'SIGHUP: certificate reload failed; the certificates in force stay in force',
      );
      return false;
    }
  };
  let stopped: Promise<void> | undefined;
  return {
    broker,
    listeners,
    metrics,
    reload: async () => {
      const secure = configured.some(({ config: c }) => c.protocol === 'tls' || c.protocol === 'wss');
      if (!auth.hasFiles && !secure) {
        logger.info({}, 'SIGHUP: no password file, ACL file or TLS listener; nothing to reload');
        return true;
      }
      const [files, certificates] = await Promise.all([reloader.reload(), reloadCertificatesLogged()]);
      const ok = files && certificates;
      if (ok) ops.reloadsSucceeded++;
      else ops.reloadsFailed++;
      return ok;
    },
    stop: () => {
      stopped ??= (async () => {
        stopping = true;
        sys.stop();
        await broker.close();
        await opsServer?.close();
      })();
      return stopped;
    },
  };
}

function logAuth(auth: AuthHooks, logger: Logger): void {
  const facts = auth.describe();
  if (auth.config.passwordFile !== undefined) {
    logger.info(facts, 'authentication: password file in force');
  } else if (!allowsAnonymous(auth.config)) {
    logger.info(facts, 'no password file and anonymous access off: only certificate users can connect');
  } else {
    logger.info(facts, 'no password file: clients connect without authentication');
  }
  if (auth.acl === undefined)
    logger.info({}, 'no ACL file: every client may publish and subscribe to anything');
}
