/**
 * TLS settings and peer-certificate facts shared by the `tls` (mqtts) and `wss` listeners. Node's
 * `tls` only: this file must not import `ws`, which stays an optional peer dependency (style guide R7).
 */
import type { Socket } from 'node:net';
import type {
  PeerCertificate,
  SecureContextOptions,
  TLSSocket,
  TlsOptions,
  Server as TlsServer,
} from 'node:tls';
import type { Logger } from '../logger.js';

/** Default TLS handshake bound: a peer that has not finished the handshake by then is dropped. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** Facts about an authorized peer certificate, as listeners put them in `origin.transport.certificate`. */
export interface CertificateFacts {
  /** Subject Common Name (the first, when the subject has several). */
  readonly commonName: string | undefined;
  /** Subject Alternative Names as Node reports them, e.g. `DNS:device-1.local, IP Address:10.0.0.7`. */
  readonly subjectAltName: string | undefined;
  /** SHA-256 fingerprint, colon-separated hex. */
  readonly fingerprint256: string;
  readonly serialNumber: string;
  /** Issuer Common Name. */
  readonly issuerCommonName: string | undefined;
  readonly validFrom: string;
  readonly validTo: string;
}

/** Derives the MQTT user name from an authorized client certificate; undefined refuses the client. */
export type CertificateUsername = 'cn' | 'san' | ((certificate: PeerCertificate) => string | undefined);

/** Certificates, versions, ciphers and client-certificate policy of a TLS (or HTTPS) server. */
export interface TlsSecurityOptions {
  /** Private key(s) in PEM. */
  key?: SecureContextOptions['key'];
  /** Certificate chain(s) in PEM. */
  cert?: SecureContextOptions['cert'];
  /** CAs trusted for client certificates (mutual TLS); Node's bundled roots when absent. */
  ca?: SecureContextOptions['ca'];
  /** PKCS#12 bundle(s), instead of `key` and `cert`. */
  pfx?: SecureContextOptions['pfx'];
  /** Passphrase of `key` or `pfx`. */
  passphrase?: string;
  /** OpenSSL cipher list (TLS 1.2 and lower); Node's default when absent. */
  ciphers?: string;
  /** Lowest TLS version accepted. Default `TLSv1.2`. */
  minVersion?: SecureContextOptions['minVersion'];
  /** Highest TLS version accepted; Node's default (TLS 1.3) when absent. */
  maxVersion?: SecureContextOptions['maxVersion'];
  /** Ask clients for a certificate (mutual TLS). Default false. */
  requestCert?: boolean;
  /**
   * With `requestCert`, refuse clients whose certificate is missing or not signed by `ca` during the
   * handshake. Default true (Node's default). When false, such clients connect and hooks see
   * `client.transport.authorized === false` and `authorizationError`.
   */
  rejectUnauthorized?: boolean;
  /** Drop a client that has not completed the TLS handshake within this many ms. Default 10000. */
  handshakeTimeoutMs?: number;
  /**
   * Use the client certificate's Common Name (`cn`), first non-IP Subject Alternative Name (`san`), or
   * what a function returns, as the client's user name (Mosquitto's `use_identity_as_username`). It
   * implies `requestCert`. A client without an authorized certificate, or whose certificate yields no
   * name, is refused before MQTT starts, so a CONNECT user name can never stand in for a certificate.
   */
  usernameFromCertificate?: CertificateUsername;
  /** Any other Node `tls.createServer` option (CRLs, ECDH curves, session tickets, SNI, ...). */
  extra?: TlsOptions;
}

/** The Node `tls.createServer` / `https.createServer` options for `options`. */
export function tlsServerOptions(options: TlsSecurityOptions): TlsOptions {
  const server: TlsOptions = {
    ...options.extra,
    minVersion: options.minVersion ?? 'TLSv1.2',
    requestCert: (options.requestCert ?? false) || options.usernameFromCertificate !== undefined,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    handshakeTimeout: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
  };
  if (options.key !== undefined) server.key = options.key;
  if (options.cert !== undefined) server.cert = options.cert;
  if (options.ca !== undefined) server.ca = options.ca;
  if (options.pfx !== undefined) server.pfx = options.pfx;
  if (options.passphrase !== undefined) server.passphrase = options.passphrase;
  if (options.ciphers !== undefined) server.ciphers = options.ciphers;
  if (options.maxVersion !== undefined) server.maxVersion = options.maxVersion;
  return server;
}

/** The secure-context part of `options`, for `server.setSecureContext` (certificate reload). */
export function secureContextOptions(options: TlsSecurityOptions): SecureContextOptions {
  const {
    requestCert: _r,
    rejectUnauthorized: _u,
    handshakeTimeout: _h,
    ...context
  } = tlsServerOptions(options);
  return context;
}

/** What a listener learned from a TLS handshake: transport facts for hooks and, maybe, a user name. */
export interface TlsPeer {
  /** For `origin.transport`: `{ tls: true, protocol, cipher, authorized, authorizationError?, certificate?, username? }`. */
  readonly transport: Record<string, unknown>;
  /** The user name the certificate gives, when `usernameFromCertificate` is set and yields one. */
  readonly username: string | undefined;
  /** Why the client must be refused before MQTT starts (`usernameFromCertificate` found no identity). */
  readonly refusal: string | undefined;
}

/** Reads the negotiated session and the peer certificate of an established TLS socket. */
export function describeTlsPeer(socket: TLSSocket, usernameFrom: CertificateUsername | undefined): TlsPeer {
  const transport: Record<string, unknown> = {
    tls: true,
    protocol: socket.getProtocol() ?? undefined,
    cipher: socket.getCipher()?.name,
    authorized: socket.authorized,
  };
  if (!socket.authorized && socket.authorizationError !== undefined && socket.authorizationError !== null) {
    transport.authorizationError = String(socket.authorizationError);
  }
  const peer = socket.getPeerCertificate();
  // Node returns an empty object when the client sent no certificate.
  const hasCertificate = peer !== null && peer !== undefined && peer.raw !== undefined;
  if (hasCertificate) transport.certificate = certificateFacts(peer);
  if (usernameFrom === undefined) return { transport, username: undefined, refusal: undefined };
  if (!hasCertificate || !socket.authorized) {
    return { transport, username: undefined, refusal: 'no authorized client certificate' };
  }
  const username = certificateUsername(peer, usernameFrom);
  if (username === undefined || username === '') {
    return { transport, username: undefined, refusal: 'client certificate names no user' };
  }
  transport.username = username;
  return { transport, username, refusal: undefined };
}

function certificateFacts(peer: PeerCertificate): CertificateFacts {
  return {
    commonName: first(peer.subject?.CN),
    subjectAltName: peer.subjectaltname,
    fingerprint256: peer.fingerprint256,
    serialNumber: peer.serialNumber,
    issuerCommonName: first(peer.issuer?.CN),
    validFrom: peer.valid_from,
    validTo: peer.valid_to,
  };
}

/** The user name a certificate yields under `rule`. */
export function certificateUsername(peer: PeerCertificate, rule: CertificateUsername): string | undefined {
  if (typeof rule === 'function') return rule(peer);
  if (rule === 'cn') return first(peer.subject?.CN);
  return firstNameAltName(peer.subjectaltname);
}

/**
 * The first DNS, email or URI Subject Alternative Name. IP addresses are skipped: they name a machine,
 * not a user. Node quotes entries containing commas or quotes as JSON strings; those are decoded.
 */
function firstNameAltName(altNames: string | undefined): string | undefined {
  if (altNames === undefined) return undefined;
  const pattern = /(?:^|, )(DNS|email|URI):("(?:[^"\\]|\\.)*"|[^,]*)(?=, |$)/g;
  for (const match of altNames.matchAll(pattern)) {
    const raw = match[2] ?? '';
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    if (value !== '') return value;
  }
  return undefined;
}

/** Node gives a repeated subject attribute as an array. */
function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Watches the handshakes of a TLS (or HTTPS) server. A failed one (wrong version, untrusted or missing
 * client certificate, timeout, a port scan) is the client's problem: it is logged at debug and its
 * socket destroyed, never thrown. Sockets still in their handshake are kept, so a closing listener can
 * drop them at once (`destroyPending`) instead of waiting up to the handshake timeout: `server.close`
 * waits for every socket, and the broker only knows those it was handed.
 */
export function watchHandshakes(
  server: TlsServer,
  logger: Logger,
  listenerId: () => string,
): { destroyPending(): void } {
  const pending = new Map<string, Socket>();
  const keyOf = (socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }) =>
    `${socket.remoteAddress}|${socket.remotePort}`;
  server.on('connection', (socket: Socket) => {
    const key = keyOf(socket);
    pending.set(key, socket);
    socket.once('close', () => {
      if (pending.get(key) === socket) pending.delete(key);
    });
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    pending.delete(keyOf(socket));
  });
  server.on('tlsClientError', (error, socket) => {
    const code = (error as { code?: unknown }).code;
    // Node drops an unverified client certificate without an error of its own; the reason is here.
    const authorizationError = socket.authorizationError ?? undefined;
    logger.debug(
      {
        listenerId: listenerId(),
        remoteAddress: `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`,
        err: error,
        code: typeof code === 'string' ? code : undefined,
        ...(authorizationError === undefined ? {} : { authorizationError: String(authorizationError) }),
      },
      'TLS handshake failed',
    );
    // Without this a handshake timeout would only be reported, and the silent peer kept.
    socket.destroy();
  });
  return {
    destroyPending() {
      for (const socket of pending.values()) socket.destroy();
      pending.clear();
    },
  };
}
