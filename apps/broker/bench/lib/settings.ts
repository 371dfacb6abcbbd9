/**
 * The settings each broker runs with, in one place so the README and the printed report cannot
 * drift from what ran. Queue and in-flight limits are raised to the same values on mqttkit and
 * Mosquitto; Aedes has no per-client queue or in-flight limit for online clients.
 */
import type { BrokerLimits } from '@mqttkit/broker';

/**
 * Outbound QoS 1/2 messages in flight per subscriber: the whole packet-id space, far above the
 * 900 the QoS 1 row keeps in flight. Not 1000: with max_inflight_messages 20 or 1000, Mosquitto
 * 2.0.11 strands QoS 1 messages under this load even with fewer than 1000 in flight (packet ids
 * assigned, never sent); with 0 or 65535 it does not. See README.
 */
export const MAX_INFLIGHT = 65_535;
/** Messages queued per subscriber beyond the in-flight window. */
export const MAX_QUEUED = 100_000;

export const MQTTKIT_LIMITS: Partial<BrokerLimits> = {
  maximumInflight: MAX_INFLIGHT,
  maximumQueuedMessages: MAX_QUEUED,
};

/**
 * Aedes options (JSON, handed to `Aedes.createBroker`): none, so its defaults apply: concurrency
 * 100, drainTimeout 60 s, queueLimit 42 (messages before CONNACK only), in-memory persistence.
 */
export const AEDES_OPTIONS: Record<string, never> = {};

/** mosquitto.conf lines besides the listener. Logging is cut to errors/warnings so it costs nothing. */
export const MOSQUITTO_CONF: readonly string[] = [
  'allow_anonymous true',
  'persistence false',
  `max_inflight_messages ${MAX_INFLIGHT}`,
  `max_queued_messages ${MAX_QUEUED}`,
  'log_dest stderr',
  'log_type error',
  'log_type warning',
  'connection_messages false',
];

// ─── TLS and WebSocket rows ──────────────────────────────────────────────────

/**
 * TLS, pinned on all three brokers and on the generator: TLS 1.3 only, with one suite. The
 * generator checks every handshake against these (and fails the row otherwise). Key exchange is
 * X25519 (the default group of Node and of OpenSSL, which Mosquitto uses), the server certificate
 * ECDSA P-256, signed by a throwaway CA made with openssl at bench start. No session resumption:
 * the generator never offers a session, so every connection does a full handshake.
 */
export const TLS_VERSION = 'TLSv1.3';
/** The one TLS 1.3 suite every side allows (the cheapest with AES-NI). */
export const TLS_CIPHER = 'TLS_AES_128_GCM_SHA256';
/** The group the generator expects every handshake to use. */
export const TLS_GROUP = 'X25519';

/** WebSocket path and subprotocol (MQTT-6.0.0-3); binary frames, no permessage-deflate on any side. */
export const WS_PATH = '/mqtt';
export const WS_SUBPROTOCOL = 'mqtt';

/** The transport of a row: what the broker listens with and what the generator's clients speak. */
export type TransportKind = 'tcp' | 'tls' | 'ws';

/** Certificate files for the TLS listeners. */
export interface CertificateFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * How a Node broker under test listens (`BENCH_LISTENER`, JSON, read by servers/control.js). TLS
 * settings are Node `tls.createServer` options, given to mqttkit's `createTlsListener` and to
 * Aedes's `tls.createServer` alike.
 */
export type NodeListener =
  | { transport: 'tcp' }
  | {
      transport: 'tls';
      keyFile: string;
      certFile: string;
      minVersion: typeof TLS_VERSION;
      maxVersion: typeof TLS_VERSION;
      ciphers: string;
    }
  | { transport: 'ws'; path: string };

export function nodeListener(transport: TransportKind, certificates?: CertificateFiles): NodeListener {
  if (transport === 'tcp') return { transport };
  if (transport === 'ws') return { transport, path: WS_PATH };
  if (certificates === undefined) throw new Error('TLS listener without certificates');
  const { keyFile, certFile } = certificates;
  return {
    transport,
    keyFile,
    certFile,
    minVersion: TLS_VERSION,
    maxVersion: TLS_VERSION,
    ciphers: TLS_CIPHER,
  };
}

/**
 * The mosquitto.conf listener block for a transport (MOSQUITTO_CONF follows it). `ports[0]` is the
 * port under test; a WebSocket listener needs `ports[1]` for a plain listener nobody uses.
 */
export function mosquittoListener(
  transport: TransportKind,
  ports: readonly [number, number],
  certificates?: CertificateFiles,
): string[] {
  const [port, spare] = ports;
  const listener = `listener ${port} 127.0.0.1`;
  if (transport === 'tcp') return [listener];
  if (transport === 'ws') {
    return [
      // 2.0.11 refuses to start with only a websockets listener ("Unable to start any listening
      // sockets", eclipse-mosquitto/mosquitto#2284), so a plain one sits on a spare port, unused.
      `listener ${spare} 127.0.0.1`,
      listener,
      'protocol websockets',
      // Without it, 2.0.11 (libwebsockets) ignores the bind address and listens on every address
      // (eclipse-mosquitto/mosquitto#3045).
      'socket_domain ipv4',
    ];
  }
  if (certificates === undefined) throw new Error('TLS listener without certificates');
  return [
    listener,
    `certfile ${certificates.certFile}`,
    `keyfile ${certificates.keyFile}`,
    // For 2.0.11 `tls_version` is the lowest version allowed; the highest OpenSSL has is TLS 1.3.
    'tls_version tlsv1.3',
    `ciphers_tls1.3 ${TLS_CIPHER}`,
  ];
}
