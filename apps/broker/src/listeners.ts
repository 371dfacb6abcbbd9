/**
 * Creates the broker's listeners from their configuration: tcp, tls (mqtts), ws and wss, on the
 * transports of `@mqttkit/broker`. Certificate files are read here; the broker package never reads
 * files (design decision 10). `@mqttkit/broker/ws` (and with it the `ws` package) is loaded only when a
 * ws or wss listener is configured.
 */
import { readFile } from 'node:fs/promises';
import type { SecureContextOptions } from 'node:tls';
import type { Broker, Listener } from '@mqttkit/broker';
import { createTcpListener } from '@mqttkit/broker/tcp';
import { createTlsListener, type TlsListener, type TlsSecurityOptions } from '@mqttkit/broker/tls';
import { describeFileError } from './auth/auth-file-error.js';
import type { ListenerConfig, TlsFields } from './config/schema.js';
import { StartError } from './start-error.js';

/** The id a listener logs under: its configured id, else `<protocol>:<port>`. */
export function listenerIdOf(config: ListenerConfig): string {
  return config.id ?? `${config.protocol}:${config.port}`;
}

async function readPem(path: string, field: string, listenerId: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new StartError(
      `listener ${listenerId}: cannot read ${field} ${path}: ${describeFileError(error)}`,
      { cause: error },
    );
  }
}

/** The TLS options of a tls or wss listener, with its PEM files read. */
export async function tlsSecurity(config: TlsFields, listenerId: string): Promise<TlsSecurityOptions> {
  const [cert, key, ca] = await Promise.all([
    readPem(config.certFile, 'certFile', listenerId),
    readPem(config.keyFile, 'keyFile', listenerId),
    config.caFile === undefined ? undefined : readPem(config.caFile, 'caFile', listenerId),
  ]);
  return {
    cert,
    key,
    ...(ca === undefined ? {} : { ca }),
    requestCert: config.requestCert,
    rejectUnauthorized: config.rejectUnauthorized,
    minVersion: config.minVersion,
    ...(config.ciphers === undefined ? {} : { ciphers: config.ciphers }),
    ...(config.usernameFromCertificate === undefined
      ? {}
      : { usernameFromCertificate: config.usernameFromCertificate }),
  };
}

/** Creates (but does not start) the listener `config` describes, attached to `broker`. */
export async function createListener(broker: Broker, config: ListenerConfig): Promise<Listener> {
  const base = {
    host: config.host,
    port: config.port,
    ...(config.id === undefined ? {} : { id: config.id }),
    ...(config.limits === undefined ? {} : { limits: config.limits }),
  };
  switch (config.protocol) {
    case 'tcp':
      return createTcpListener(broker, base);
    case 'tls':
      return createTlsListener(broker, { ...base, ...(await tlsSecurity(config, listenerIdOf(config))) });
    case 'ws': {
      const { createWebSocketListener } = await import('@mqttkit/broker/ws');
      return createWebSocketListener(broker, { ...base, path: config.path });
    }
    case 'wss': {
      const { createWebSocketListener } = await import('@mqttkit/broker/ws');
      return createWebSocketListener(broker, {
        ...base,
        path: config.path,
        tls: await tlsSecurity(config, listenerIdOf(config)),
      });
    }
  }
}

/** A listener and the configuration it was made from. */
export interface ConfiguredListener {
  readonly listener: Listener;
  readonly config: ListenerConfig;
}

/** A tls listener (`setSecurity`) or a wss listener (its HTTPS server's `setSecureContext`). */
function applySecurity(listener: Listener, security: TlsSecurityOptions): void {
  if ('setSecurity' in listener && typeof listener.setSecurity === 'function') {
    (listener as TlsListener).setSecurity(security);
    return;
  }
  const server = (listener as { server?: { setSecureContext?: (options: SecureContextOptions) => void } })
    .server;
  server?.setSecureContext?.({
    cert: security.cert,
    key: security.key,
    ...(security.ca === undefined ? {} : { ca: security.ca }),
    ...(security.ciphers === undefined ? {} : { ciphers: security.ciphers }),
    ...(security.minVersion === undefined ? {} : { minVersion: security.minVersion }),
  });
}

/**
 * Re-reads the certificate, key and CA files of every tls and wss listener and puts them in force
 * for new connections (open ones keep theirs). All files are read before any is applied, so a
 * missing file changes nothing; it throws a `StartError` naming the listener and file. Returns how
 * many listeners were updated.
 */
export async function reloadCertificates(listeners: readonly ConfiguredListener[]): Promise<number> {
  const secure = listeners.flatMap(({ listener, config }) =>
    config.protocol === 'tls' || config.protocol === 'wss' ? [{ listener, config }] : [],
  );
  const options = await Promise.all(secure.map(({ listener, config }) => tlsSecurity(config, listener.id)));
  secure.forEach(({ listener }, i) => {
    applySecurity(listener, options[i]!);
  });
  return secure.length;
}
