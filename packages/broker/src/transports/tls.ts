import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { Broker } from '../broker.js';
import type { ConnectionOrigin } from '../connection/connection.js';
import { type BrokerLimits, type ListenerLimits, resolveListenerLimits } from '../limits.js';
import { bindServer, type Listener, unbindServer } from './listener.js';
import {
  type CertificateUsername,
  describeTlsPeer,
  secureContextOptions,
  type TlsSecurityOptions,
  tlsServerOptions,
  watchHandshakes,
} from './tls-security.js';

export {
  type CertificateFacts,
  type CertificateUsername,
  certificateUsername,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  type TlsSecurityOptions,
} from './tls-security.js';

/** Where and how a TLS listener accepts MQTT connections (mqtts). */
export interface TlsListenerOptions extends TlsSecurityOptions {
  /** Defaults to `tls:<port>`. */
  id?: string;
  /** Port to bind; 0 picks an ephemeral one. Default 8883. */
  port?: number;
  /** Address to bind. Default `0.0.0.0`. */
  host?: string;
  /** Connections this listener accepts at once; more are refused at accept. Default: no limit here. */
  maximumConnections?: number;
  /** Limits for this listener's connections, over the broker's (`ListenerLimits`). */
  limits?: ListenerLimits;
}

/** A TLS listener, whose certificates can be replaced while it runs. */
export interface TlsListener extends Listener {
  /** The Node TLS server, for embedders that need more than these options offer. */
  readonly server: Server;
  /**
   * Replace key, certificate, CA and cipher settings for new connections (for example on SIGHUP);
   * open connections keep theirs. The client-certificate policy and handshake timeout stay as created.
   */
  setSecurity(options: TlsSecurityOptions): void;
}

/**
 * MQTT over TLS (mqtts, default port 8883), with optional mutual TLS. Hooks see the handshake's
 * facts in `client.transport` (`tls`, `protocol`, `cipher`, `authorized`, `certificate`, `username`).
 *
 * ```ts
 * const tls = createTlsListener(broker, { port: 8883, key, cert, ca, requestCert: true });
 * await tls.listen();
 * ```
 */
export function createTlsListener(broker: Broker, options: TlsListenerOptions): TlsListener {
  const port = options.port ?? 8883;
  const host = options.host ?? '0.0.0.0';
  let id = options.id ?? `tls:${port}`;
  const usernameFrom = options.usernameFromCertificate;
  const limits = resolveListenerLimits(broker.limits, options.limits);
  const server = createServer(tlsServerOptions(options), (socket) =>
    acceptTlsSocket(broker, socket, id, usernameFrom, limits),
  );
  if (options.maximumConnections !== undefined) server.maxConnections = options.maximumConnections;
  const handshakes = watchHandshakes(server, broker.logger, () => id);
  const listener: TlsListener = {
    get id() {
      return id;
    },
    protocol: 'tls',
    server,
    listen: async () => {
      const bound = await bindServer(server, port, host, (error) =>
        broker.logger.error({ listenerId: id, err: error }, 'TLS server error'),
      );
      if (options.id === undefined) id = `tls:${bound.port}`;
      return bound;
    },
    close: () => {
      const closed = unbindServer(server);
      // Unfinished handshakes would otherwise hold `close` open for up to the handshake timeout.
      handshakes.destroyPending();
      return closed;
    },
    setSecurity(security) {
      server.setSecureContext(secureContextOptions(security));
    },
  };
  broker.addListener(listener);
  return listener;
}

/**
 * Hand an established TLS socket to the broker (for embedders running their own `tls.Server`). With
 * `usernameFrom`, a client without an authorized certificate naming a user is dropped here.
 */
export function acceptTlsSocket(
  broker: Broker,
  socket: TLSSocket,
  listenerId: string,
  usernameFrom?: CertificateUsername,
  limits?: BrokerLimits,
): void {
  const remoteAddress = addressOf(socket);
  let peer: ReturnType<typeof describeTlsPeer>;
  try {
    peer = describeTlsPeer(socket, usernameFrom);
  } catch (error) {
    // A user-supplied `usernameFromCertificate` function threw: refuse this client, not the process.
    broker.logger.debug({ listenerId, remoteAddress, err: error }, 'client certificate not usable');
    socket.destroy();
    return;
  }
  if (peer.refusal !== undefined) {
    broker.logger.debug({ listenerId, remoteAddress, reason: peer.refusal }, 'TLS client refused');
    socket.destroy();
    return;
  }
  // Writes are batched per event-loop turn by the broker, so Nagle only adds latency.
  socket.setNoDelay(true);
  const origin: ConnectionOrigin = {
    listenerId,
    remoteAddress,
    transport: peer.transport,
  };
  if (limits !== undefined && limits !== broker.limits) origin.limits = limits;
  // The certificate's identity replaces the CONNECT user name.
  if (peer.username !== undefined) origin.username = peer.username;
  broker.handleConnection(socket, origin);
}

function addressOf(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string {
  return `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
}
