/**
 * MQTT over WebSocket (`ws`) and secure WebSocket (`wss`), section 6 of the MQTT 3.1.1 and 5.0
 * specifications. This entry (`@mqttkit/broker/ws`) imports the optional `ws` package at runtime;
 * installing `ws` is the price of importing it. Nothing else in the broker does.
 */
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { type AddressInfo, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Broker } from '../broker.js';
import type { ConnectionOrigin } from '../connection/connection.js';
import { type ListenerLimits, resolveListenerLimits } from '../limits.js';
import { bindServer, type Listener, unbindServer } from './listener.js';
import {
  type CertificateUsername,
  describeTlsPeer,
  type TlsSecurityOptions,
  tlsServerOptions,
  watchHandshakes,
} from './tls-security.js';
import { WebSocketDuplex } from './websocket-duplex.js';

export type { CertificateFacts, CertificateUsername, TlsSecurityOptions } from './tls-security.js';
export { WebSocketDuplex } from './websocket-duplex.js';

/** The subprotocols accepted, in order of preference: `mqtt` [MQTT-6.0.0-3], and `mqttv3.1`, which MQTT 3.1 clients (MQTT.js, Paho) offer. */
export const MQTT_SUBPROTOCOLS: readonly string[] = ['mqtt', 'mqttv3.1'];

/** Room above the broker's `maximumPacketSize` for a WebSocket message carrying several packets. */
const MESSAGE_HEADROOM_BYTES = 64 * 1024;

/** How WebSocket connections are accepted, whether on the listener's own server or an attached one. */
export interface WebSocketOptions {
  /** The URL path MQTT is served on (query strings are ignored). Default `/mqtt`. */
  path?: string;
  /**
   * The peer is a reverse proxy to trust: take the client address from `X-Forwarded-For`. `true` trusts
   * one proxy (the last entry, which it appended); a number trusts that many proxies in a chain. Off by
   * default, since a client can write any `X-Forwarded-For` it likes.
   */
  trustProxy?: boolean | number;
  /**
   * Largest WebSocket message accepted, in bytes; a larger one closes the connection with 1009.
   * Default: the broker's `maximumPacketSize` plus 64 KiB (a message may carry several packets; the
   * MQTT decoder enforces the packet limit itself, with the right reason code).
   */
  maxPayload?: number;
  /**
   * Accept clients that offer no subprotocol at all (some embedded clients). Off by default: the client
   * must offer `mqtt` [MQTT-6.0.0-3]. A client that offers only other subprotocols is always refused.
   */
  allowMissingSubprotocol?: boolean;
  /** For `wss`: derive the user name from the client certificate, as the TLS listener does. */
  usernameFromCertificate?: CertificateUsername;
  /** Limits for this listener's connections, over the broker's (`ListenerLimits`). */
  limits?: ListenerLimits;
}

/** Where and how a WebSocket listener accepts MQTT connections. */
export interface WebSocketListenerOptions extends Omit<WebSocketOptions, 'usernameFromCertificate'> {
  /** Defaults to `ws:<port>` (or `wss:<port>`). */
  id?: string;
  /** Port to bind; 0 picks an ephemeral one. Default 8080. */
  port?: number;
  /** Address to bind. Default `0.0.0.0`. */
  host?: string;
  /** Connections this listener accepts at once (HTTP included). Default: no limit here. */
  maximumConnections?: number;
  /** Serve secure WebSocket (`wss`) over HTTPS with these certificates and settings. */
  tls?: TlsSecurityOptions;
}

/** A WebSocket listener; `server` is its HTTP(S) server. */
export interface WebSocketListener extends Listener {
  readonly server: HttpServer | HttpsServer;
}

/**
 * MQTT over WebSocket (default port 8080, path `/mqtt`), or over secure WebSocket when `tls` is given.
 * Other paths get HTTP 404; the MQTT path without an upgrade gets 426.
 *
 * ```ts
 * const ws = createWebSocketListener(broker, { port: 8080 });
 * const wss = createWebSocketListener(broker, { port: 8443, tls: { key, cert } });
 * await Promise.all([ws.listen(), wss.listen()]);
 * ```
 */
export function createWebSocketListener(
  broker: Broker,
  options: WebSocketListenerOptions = {},
): WebSocketListener {
  const port = options.port ?? 8080;
  const host = options.host ?? '0.0.0.0';
  const protocol = options.tls === undefined ? 'ws' : 'wss';
  const path = options.path ?? '/mqtt';
  let id = options.id ?? `${protocol}:${port}`;
  const server =
    options.tls === undefined ? createHttpServer() : createHttpsServer(tlsServerOptions(options.tls));
  if (options.maximumConnections !== undefined) server.maxConnections = options.maximumConnections;
  server.on('request', (req, res) => {
    const matches = pathOf(req.url) === path;
    res.writeHead(matches ? 426 : 404, {
      'content-type': 'text/plain',
      ...(matches ? { upgrade: 'websocket', connection: 'Upgrade' } : {}),
    });
    res.end(matches ? 'MQTT over WebSocket: upgrade required\n' : 'Not Found\n');
  });
  const handshakes =
    options.tls === undefined ? undefined : watchHandshakes(server as HttpsServer, broker.logger, () => id);
  const usernameFrom = options.tls?.usernameFromCertificate;
  const mount = mountWebSocket(broker, server, {
    ...options,
    ...(usernameFrom === undefined ? {} : { usernameFromCertificate: usernameFrom }),
    listenerId: () => id,
    ownsServer: true,
  });
  const listener: WebSocketListener = {
    get id() {
      return id;
    },
    protocol,
    server,
    listen: async () => {
      const bound = await bindServer(server, port, host, (error) =>
        broker.logger.error({ listenerId: id, err: error }, 'WebSocket server error'),
      );
      if (options.id === undefined) id = `${protocol}:${bound.port}`;
      return bound;
    },
    close: () => {
      mount.detach();
      const closed = unbindServer(server);
      // Idle keep-alive HTTP connections and unfinished TLS handshakes would otherwise hold `close` open.
      server.closeIdleConnections();
      handshakes?.destroyPending();
      return closed;
    },
  };
  broker.addListener(listener);
  return listener;
}

/** Options of `attachWebSocket`. */
export interface AttachWebSocketOptions extends WebSocketOptions {
  /** Defaults to `ws:<port>` or `wss:<port>` of the server once it listens. */
  id?: string;
}

/**
 * Serve MQTT over WebSocket on an existing HTTP or HTTPS server (the embedder's), on `path` (default
 * `/mqtt`). Only upgrade requests for that path are taken; the server's other requests are left alone.
 * Upgrades for other paths get 404 unless another `upgrade` listener is registered on the server.
 * The returned listener's `listen` resolves once the server listens (it does not start it); `close`
 * detaches from the server without closing it. The broker's `close` closes the connections.
 */
export function attachWebSocket(
  broker: Broker,
  server: HttpServer | HttpsServer,
  options: AttachWebSocketOptions = {},
): Listener {
  const protocol = isHttpsServer(server) ? 'wss' : 'ws';
  let id = options.id ?? `${protocol}:attached`;
  const bound = (): { host: string; port: number } => {
    const address = server.address() as AddressInfo;
    if (options.id === undefined) id = `${protocol}:${address.port}`;
    return { host: address.address, port: address.port };
  };
  if (server.listening) bound();
  const mount = mountWebSocket(broker, server, { ...options, listenerId: () => id, ownsServer: false });
  const listener: Listener = {
    get id() {
      return id;
    },
    protocol,
    listen: () =>
      server.listening
        ? Promise.resolve(bound())
        : new Promise((resolve) => server.once('listening', () => resolve(bound()))),
    close: () => {
      mount.detach();
      return Promise.resolve();
    },
  };
  broker.addListener(listener);
  return listener;
}

/** The settings `mountWebSocket` needs. */
interface MountOptions extends WebSocketOptions {
  listenerId: () => string;
  /** The listener created the server, so every upgrade request is ours to answer. */
  ownsServer: boolean;
}

/**
 * Handle `upgrade` requests on `server`: check path and subprotocol before the handshake, complete it
 * with `ws`, and hand the socket to the broker as a `WebSocketDuplex`.
 */
function mountWebSocket(
  broker: Broker,
  server: HttpServer | HttpsServer,
  options: MountOptions,
): { detach(): void } {
  const path = options.path ?? '/mqtt';
  const secure = isHttpsServer(server);
  const hops = options.trustProxy === true ? 1 : options.trustProxy === false ? 0 : (options.trustProxy ?? 0);
  const allowMissing = options.allowMissingSubprotocol ?? false;
  const usernameFrom = options.usernameFromCertificate;
  const limits = resolveListenerLimits(broker.limits, options.limits);
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: options.maxPayload ?? limits.maximumPacketSize + MESSAGE_HEADROOM_BYTES,
    // Answer with the subprotocol the client offered that we prefer; the pre-check below ensures one exists.
    handleProtocols: (offered) => MQTT_SUBPROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  let detached = false;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(req.url) !== path) {
      // On an embedder's server another upgrade listener may own this path.
      if (!options.ownsServer && server.listenerCount('upgrade') > 1) return;
      refuse(socket, 404, 'Not Found');
      return;
    }
    if (detached || !broker.isRunning) {
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    const offered = req.headers['sec-websocket-protocol'];
    if (offered === undefined ? !allowMissing : chooseSubprotocol(offered) === undefined) {
      // The client must offer `mqtt` [MQTT-6.0.0-3]; we answer with it [MQTT-6.0.0-4].
      refuse(socket, 400, 'Bad Request', 'MQTT over WebSocket needs the "mqtt" subprotocol\n');
      return;
    }
    const listenerId = options.listenerId();
    let tlsPeer: ReturnType<typeof describeTlsPeer> | undefined;
    if (secure) {
      try {
        tlsPeer = describeTlsPeer(req.socket as TLSSocket, usernameFrom);
      } catch (error) {
        broker.logger.debug({ listenerId, err: error }, 'client certificate not usable');
        refuse(socket, 403, 'Forbidden');
        return;
      }
      if (tlsPeer.refusal !== undefined) {
        broker.logger.debug(
          { listenerId, remoteAddress: socketAddress(req.socket), reason: tlsPeer.refusal },
          'WebSocket client refused',
        );
        refuse(socket, 403, 'Forbidden');
        return;
      }
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req, listenerId, tlsPeer));
  };

  const accept = (
    ws: WebSocket,
    req: IncomingMessage,
    listenerId: string,
    tlsPeer: ReturnType<typeof describeTlsPeer> | undefined,
  ): void => {
    (req.socket as Socket).setNoDelay(true);
    const peerAddress = socketAddress(req.socket);
    const forwarded = hops > 0 ? forwardedAddress(req.headers['x-forwarded-for'], hops) : undefined;
    const transport: Record<string, unknown> = {
      ...tlsPeer?.transport,
      websocket: true,
      secure,
      path: req.url,
      subprotocol: ws.protocol,
    };
    if (req.headers.origin !== undefined) transport.origin = req.headers.origin;
    if (forwarded !== undefined) transport.proxyAddress = peerAddress;
    const origin: ConnectionOrigin = {
      listenerId,
      remoteAddress: forwarded === undefined ? peerAddress : `${forwarded}:0`,
      transport,
    };
    if (limits !== broker.limits) origin.limits = limits;
    if (tlsPeer?.username !== undefined) origin.username = tlsPeer.username;
    broker.handleConnection(new WebSocketDuplex(ws), origin);
  };

  server.on('upgrade', onUpgrade);
  return {
    detach() {
      if (detached) return;
      detached = true;
      server.off('upgrade', onUpgrade);
      wss.close();
    },
  };
}

/** The subprotocol to answer with, from a `Sec-WebSocket-Protocol` request header; undefined when none fits. */
export function chooseSubprotocol(header: string): string | undefined {
  const offered = header.split(',').map((p) => p.trim());
  return MQTT_SUBPROTOCOLS.find((p) => offered.includes(p));
}

/**
 * The client address a chain of `hops` trusted proxies reports: each appends the address it saw, so
 * the entry `hops` from the right is the last one written by a proxy we trust. Undefined when the
 * header is absent or that entry is not an IP address.
 */
export function forwardedAddress(header: string | string[] | undefined, hops: number): string | undefined {
  if (header === undefined) return undefined;
  const entries = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const entry = entries[Math.max(0, entries.length - hops)];
  return entry !== undefined && isIP(entry) !== 0 ? entry : undefined;
}

/** Answer an upgrade request with an HTTP error and close the socket. */
function refuse(socket: Duplex, status: number, reason: string, body = `${reason}\n`): void {
  // A peer that resets meanwhile must not surface as an unhandled 'error'.
  socket.on('error', () => {});
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  const reaper = setTimeout(() => socket.destroy(), 1000);
  reaper.unref();
  socket.once('close', () => clearTimeout(reaper));
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function socketAddress(socket: {
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
}): string {
  return `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
}

function isHttpsServer(server: HttpServer | HttpsServer): server is HttpsServer {
  // An HTTPS server is a tls.Server underneath, which has `setSecureContext`.
  return typeof (server as { setSecureContext?: unknown }).setSecureContext === 'function';
}
