import { validateTopicName } from '@mqttkit/topic';
import type { ConnectProperties, ProtocolVersion, QoS, Will, WillProperties } from '@mqttkit/types';
import type { EnhancedAuthOptions } from './enhanced-auth.js';
import { type ReconnectOptions, type ResolvedReconnectOptions, resolveReconnect } from './reconnect.js';
import { type InflightStore, MemoryInflightStore } from './session/inflight-store.js';
import type { TlsOptions, TransportTarget, WebSocketOptions } from './transports/transport.js';

/** The will message: published by the server if the client disappears without DISCONNECT. */
export interface WillOptions {
  topic: string;
  payload: string | Uint8Array;
  qos?: QoS;
  retain?: boolean;
  /** v5 will properties (delay interval, message expiry, content type, user properties, ...). */
  properties?: WillProperties;
}

/** Everything `connect()` accepts; every field is optional. */
export interface ConnectOptions {
  /** 3 (MQTT 3.1, `MQIsdp`), 4 (3.1.1) or 5 (5.0, the default). */
  protocolVersion?: ProtocolVersion;
  /** Default: `mqttkit_` and 12 random hex digits (fits 3.1's 23-character limit). v5 may pass '' to have the server assign one. */
  clientId?: string;
  /** Clean Session (3.x) / Clean Start (5.0); default true. Use false with a v5 `sessionExpiryInterval` to keep a session. */
  clean?: boolean;
  /** Keep Alive in seconds; default 60; 0 turns it off. */
  keepAlive?: number;
  /** Overrides a user name in the URL. */
  username?: string;
  /** Overrides a password in the URL; a string is sent as UTF-8. */
  password?: string | Uint8Array;
  will?: WillOptions;
  /**
   * v5 CONNECT properties. The client adds `maximumPacketSize` (16 MiB, the largest packet it accepts)
   * and `requestResponseInformation: true` (for `request()`) unless given here.
   */
  properties?: ConnectProperties;
  /**
   * MQTT 5.0 enhanced authentication (section 4.12): the Authentication Method and the handler that
   * answers the server's challenges, on every connect and reconnect. Needs `protocolVersion: 5`.
   */
  auth?: EnhancedAuthOptions;
  /** Bound on opening the connection and receiving CONNACK, in ms; default 30000. */
  connectTimeoutMs?: number;
  /** Bound on the answer to a keepalive PINGREQ before the connection counts as dead; default min(keepAlive, 30 s). */
  pingTimeoutMs?: number;
  /** Reconnect policy after a lost connection, or false to close the client instead. */
  reconnect?: ReconnectOptions | false;
  /** Messages that may wait for the connection (or the server's Receive Maximum); default 10000. More are refused with `QueueFullError`. */
  offlineQueueLimit?: number;
  /** Where unacknowledged QoS 1/2 messages are mirrored; a `MemoryInflightStore` by default. */
  store?: InflightStore;
  /** Use topic aliases for outgoing messages when the server allows them (v5); default true. */
  topicAliases?: boolean;
  /** Subscribe again after a reconnect that found no session; default true. */
  resubscribe?: boolean;
  /** TLS settings for `mqtts://` and `wss://` (Node). */
  tls?: TlsOptions;
  /** WebSocket settings for `ws://` and `wss://`. */
  ws?: WebSocketOptions;
}

/** `ConnectOptions` with defaults applied and values checked, plus the parsed URL. */
export interface ResolvedOptions {
  readonly target: TransportTarget;
  readonly protocolVersion: ProtocolVersion;
  readonly clientId: string;
  readonly clean: boolean;
  readonly keepAlive: number;
  readonly username: string | undefined;
  readonly password: Uint8Array | undefined;
  readonly will: Will | undefined;
  readonly properties: ConnectProperties | undefined;
  readonly maximumPacketSize: number;
  readonly auth: EnhancedAuthOptions | undefined;
  readonly connectTimeoutMs: number;
  /** Undefined: derived from the negotiated keepalive. */
  readonly pingTimeoutMs: number | undefined;
  readonly reconnect: ResolvedReconnectOptions | false;
  readonly offlineQueueLimit: number;
  readonly store: InflightStore;
  readonly topicAliases: boolean;
  readonly resubscribe: boolean;
}

/** The largest packet the client accepts by default (announced to v5 servers as Maximum Packet Size). */
export const DEFAULT_MAXIMUM_PACKET_SIZE = 16 * 1024 * 1024;

const DEFAULT_PORTS = { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 } as const;
const SCHEMES: Readonly<Record<string, TransportTarget['protocol']>> = {
  'mqtt:': 'mqtt',
  'tcp:': 'mqtt',
  'mqtts:': 'mqtts',
  'ssl:': 'mqtts',
  'tls:': 'mqtts',
  'ws:': 'ws',
  'wss:': 'wss',
};
const utf8 = new TextEncoder();

/** Parses `url` and applies defaults to `options`; throws TypeError/RangeError (or the topic's MqttError) for bad input. */
export function resolveOptions(url: string, options: ConnectOptions = {}): ResolvedOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`not a URL: '${url}' (expected e.g. mqtt://localhost:1883)`);
  }
  const protocol = SCHEMES[parsed.protocol];
  if (protocol === undefined) {
    throw new TypeError(`unsupported URL scheme '${parsed.protocol}' (use mqtt:, mqtts:, ws: or wss:)`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new TypeError(`the URL '${url}' has no host`);
  const port = parsed.port === '' ? DEFAULT_PORTS[protocol] : Number(parsed.port);
  const hasPath = parsed.pathname !== '' && parsed.pathname !== '/';
  const path = hasPath
    ? `${parsed.pathname}${parsed.search}`
    : `${options.ws?.path ?? '/mqtt'}${parsed.search}`;
  const target: TransportTarget = {
    protocol,
    host,
    port,
    path,
    url: `${protocol}://${parsed.host}${protocol === 'ws' || protocol === 'wss' ? path : ''}`,
    tls: options.tls,
    ws: options.ws,
  };

  const protocolVersion = options.protocolVersion ?? 5;
  if (protocolVersion !== 3 && protocolVersion !== 4 && protocolVersion !== 5) {
    throw new RangeError(`protocolVersion must be 3, 4 or 5, got ${String(protocolVersion)}`);
  }
  const keepAlive = options.keepAlive ?? 60;
  checkInteger('keepAlive', keepAlive, 0, 65535);
  const connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
  checkInteger('connectTimeoutMs', connectTimeoutMs, 1, 2 ** 31 - 1);
  const pingTimeoutMs = options.pingTimeoutMs;
  if (pingTimeoutMs !== undefined) checkInteger('pingTimeoutMs', pingTimeoutMs, 1, 2 ** 31 - 1);
  const offlineQueueLimit = options.offlineQueueLimit ?? 10_000;
  checkInteger('offlineQueueLimit', offlineQueueLimit, 0, Number.MAX_SAFE_INTEGER);

  const clientId = options.clientId ?? randomClientId();
  if (clientId === '' && protocolVersion !== 5 && options.clean === false) {
    // [MQTT-3.1.3-7] (3.1.1): an empty client id needs a clean session.
    throw new TypeError('an empty clientId needs clean: true before MQTT 5.0');
  }
  const username =
    options.username ?? (parsed.username === '' ? undefined : decodeURIComponent(parsed.username));
  const rawPassword =
    options.password ?? (parsed.password === '' ? undefined : decodeURIComponent(parsed.password));
  const password = typeof rawPassword === 'string' ? utf8.encode(rawPassword) : rawPassword;

  let properties = options.properties;
  const auth = resolveAuth(options.auth, protocolVersion, properties);
  const maximumPacketSize = properties?.maximumPacketSize ?? DEFAULT_MAXIMUM_PACKET_SIZE;
  if (protocolVersion === 5) {
    properties = { maximumPacketSize, requestResponseInformation: true, ...properties };
  }

  return {
    target,
    protocolVersion,
    clientId,
    clean: options.clean ?? true,
    keepAlive,
    username,
    password,
    will: resolveWill(options.will),
    properties,
    maximumPacketSize,
    auth,
    connectTimeoutMs,
    pingTimeoutMs,
    reconnect: options.reconnect === false ? false : resolveReconnect(options.reconnect),
    offlineQueueLimit,
    store: options.store ?? new MemoryInflightStore(),
    topicAliases: options.topicAliases ?? true,
    resubscribe: options.resubscribe ?? true,
  };
}

function resolveAuth(
  auth: EnhancedAuthOptions | undefined,
  protocolVersion: ProtocolVersion,
  properties: ConnectProperties | undefined,
): EnhancedAuthOptions | undefined {
  if (properties?.authenticationMethod !== undefined || properties?.authenticationData !== undefined) {
    // The client must answer the AUTH packets a method brings, so the method comes with its handler.
    throw new TypeError('set enhanced authentication with the auth option, not in properties');
  }
  if (auth === undefined) return undefined;
  if (protocolVersion !== 5) {
    throw new TypeError(`auth (enhanced authentication) needs protocolVersion 5, got ${protocolVersion}`);
  }
  if (typeof auth.method !== 'string' || auth.method === '') {
    throw new TypeError('auth.method must be a non-empty string');
  }
  if (typeof auth.onChallenge !== 'function') throw new TypeError('auth.onChallenge must be a function');
  const initial: unknown = auth.initialData;
  if (initial !== undefined && typeof initial !== 'function' && !(initial instanceof Uint8Array)) {
    throw new TypeError('auth.initialData must be a Uint8Array or a function');
  }
  return auth;
}

function resolveWill(will: WillOptions | undefined): Will | undefined {
  if (will === undefined) return undefined;
  const error = validateTopicName(will.topic);
  if (error !== undefined) throw error;
  const resolved: Will = {
    topic: will.topic,
    payload: typeof will.payload === 'string' ? utf8.encode(will.payload) : will.payload,
    qos: will.qos ?? 0,
    retain: will.retain ?? false,
  };
  if (will.properties !== undefined) resolved.properties = will.properties;
  return resolved;
}

function checkInteger(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

/** `mqttkit_` and 12 random hex digits, from the platform's CSPRNG (Node 20 and browsers have `crypto`). */
export function randomClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return `mqttkit_${hex}`;
}
