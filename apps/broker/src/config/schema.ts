/**
 * The one table of settings. Validation, defaults, environment variables, flags, `--help` and the
 * sample config are all derived from it, so they cannot disagree. To add a setting, add a row here and
 * read it in `resolve-config.ts`; to add a listener protocol, add an entry to `LISTENER_PROTOCOLS`.
 */
import { type BrokerLimits, DEFAULT_LIMITS, LISTENER_LIMIT_KEYS, type ListenerLimits } from '@mqttkit/broker';
import { boolean, httpPath, integer, oneOf, text, type ValueType } from './value-types.js';

/** One setting: where it sits in the config file, what it holds, its default and how to override it. */
export interface Setting<T = unknown> {
  /** Dotted path in the config file, e.g. `limits.maximumPacketSize`. */
  readonly path: string;
  readonly type: ValueType<T>;
  /** The value when nothing sets it; `undefined` only for optional settings. */
  readonly default: T | undefined;
  /** Shown instead of the default where the default is computed (e.g. `auto`, `tcp:<port>`). */
  readonly defaultText?: string;
  /** For optional settings: a value the sample config shows, commented out. */
  readonly example?: T;
  /** One or two sentences for `--help` and the sample config. */
  readonly description: string;
  /** Environment variable that overrides it. */
  readonly env?: string;
  /** Dedicated command-line flag (every setting can also be given with `--set PATH=VALUE`). */
  readonly flag?: string;
  /** Must be given (listener fields only: a tls listener's certificate and key). */
  readonly required?: boolean;
}

/** Log levels, most verbose first (pino's names). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/** A pino log level, or `silent`. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How the broker logs. */
export interface LogConfig {
  level: LogLevel;
  /** Human-readable lines (`true`), JSON lines (`false`), or pretty only when stdout is a terminal. */
  pretty: boolean | 'auto';
}

/** Fields every listener has. */
interface ListenerBase {
  /** Name in logs and `client.listenerId` for hooks; `<protocol>:<port>` when absent. */
  id?: string;
  host: string;
  port: number;
  /** Overrides of the connection-level limits for this listener's clients. */
  limits?: ListenerLimits;
}

/** A plain MQTT-over-TCP listener. */
export interface TcpListenerConfig extends ListenerBase {
  protocol: 'tcp';
}

/** TLS versions a listener may require at least. */
export const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;

/** Certificate fields a listener may take the client's user name from. */
export const CERTIFICATE_USERNAME_SOURCES = ['cn', 'san'] as const;

/** TLS settings of a tls or wss listener. */
export interface TlsFields {
  /** PEM certificate chain of the server. */
  certFile: string;
  /** PEM private key of the server. */
  keyFile: string;
  /** PEM CA certificates that client certificates must chain to (mutual TLS). */
  caFile?: string;
  /** Ask clients for a certificate. */
  requestCert: boolean;
  /** Refuse clients whose certificate does not verify against `caFile` (when one is requested). */
  rejectUnauthorized: boolean;
  minVersion: (typeof TLS_VERSIONS)[number];
  /** OpenSSL cipher list; Node's default when absent. */
  ciphers?: string;
  /** Use the client certificate's subject CN or first SAN as the MQTT user name. */
  usernameFromCertificate?: (typeof CERTIFICATE_USERNAME_SOURCES)[number];
}

/** MQTT over TLS (mqtts). */
export interface TlsListenerConfig extends ListenerBase, TlsFields {
  protocol: 'tls';
}

/** MQTT over WebSocket. */
export interface WsListenerConfig extends ListenerBase {
  protocol: 'ws';
  /** HTTP path of the WebSocket endpoint. */
  path: string;
}

/** MQTT over secure WebSocket. */
export interface WssListenerConfig extends ListenerBase, TlsFields {
  protocol: 'wss';
  path: string;
}

/** One place clients connect to. */
export type ListenerConfig = TcpListenerConfig | TlsListenerConfig | WsListenerConfig | WssListenerConfig;

/**
 * Who may connect. With no password file, clients connect without checks (the default `npm start`
 * broker); with one, only its users do, and anonymous clients only if `allowAnonymous` is true.
 */
export interface AuthConfig {
  passwordFile?: string;
  aclFile?: string;
  /** Unset: false with a password file, true without. */
  allowAnonymous?: boolean;
}

/** The `$SYS` tree. */
export interface SysConfig {
  /** Seconds between updates; 0 = no `$SYS` topics. */
  interval: number;
}

/** The HTTP endpoint with /metrics and /health; off unless `port` is set. */
export interface MetricsConfig {
  port?: number;
  host: string;
}

/** The whole validated configuration of `mqttkit-broker`. */
export interface AppConfig {
  listeners: ListenerConfig[];
  limits: BrokerLimits;
  log: LogConfig;
  auth: AuthConfig;
  sys: SysConfig;
  metrics: MetricsConfig;
}

/** Prefix of every environment variable the broker reads. */
export const ENV_PREFIX = 'MQTTKIT_';

/**
 * `limits.maximumPacketSize` → `MQTTKIT_LIMITS_MAXIMUM_PACKET_SIZE`. "QoS" is one word, so
 * `queueQoS0Offline` becomes `QUEUE_QOS0_OFFLINE`, not `QUEUE_QO_S0_OFFLINE`.
 */
export function envNameOf(path: string): string {
  return (
    ENV_PREFIX +
    path
      .replace(/QoS/g, 'Qos')
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/\./g, '_')
      .toUpperCase()
  );
}

/** Builds a row whose environment variable is derived from its path. */
function setting<T>(row: Omit<Setting<T>, 'env'> & { env?: string }): Setting<T> {
  return { ...row, env: row.env ?? envNameOf(row.path) };
}

const ANY_COUNT = integer(0, Number.MAX_SAFE_INTEGER);
const U16 = (min: number) => integer(min, 65_535);
const U32 = integer(0, 0xffff_ffff);

/**
 * Type and description of every broker limit. A mapped type over `BrokerLimits`, so a limit added to
 * the broker fails the typecheck here until it is described. Ranges match `resolveLimits` (a test
 * checks both sides); defaults come from `DEFAULT_LIMITS`, the broker's single source.
 */
const LIMITS: {
  readonly [K in keyof BrokerLimits]: { type: ValueType<BrokerLimits[K]>; description: string };
} = {
  maximumConnections: {
    type: ANY_COUNT,
    description:
      'Open connections across all listeners; further CONNECTs get Server busy (v5) or Server unavailable (3.x).',
  },
  maximumPacketSize: {
    type: integer(16, 268_435_460),
    description:
      'Largest packet accepted in bytes, fixed header included; advertised to v5 clients as Maximum Packet Size.',
  },
  connectTimeoutMs: {
    type: ANY_COUNT,
    description: 'Milliseconds a new connection may take to send a complete CONNECT before it is closed.',
  },
  maximumKeepAlive: {
    type: U16(0),
    description:
      'Longest Keep Alive accepted, in seconds; a v5 client asking for more is told Server Keep Alive. 0 = no cap.',
  },
  receiveMaximum: {
    type: U16(1),
    description: 'Unacknowledged inbound QoS 1 and 2 PUBLISHes a v5 client may have (Receive Maximum).',
  },
  maximumInflight: {
    type: U16(1),
    description:
      'Outbound QoS 1 and 2 messages in flight per 3.x client; v5 clients set their own Receive Maximum.',
  },
  maximumQueuedMessages: {
    type: ANY_COUNT,
    description:
      'Messages queued per session beyond the in-flight window, whether the client is online or not.',
  },
  queueFullPolicy: {
    type: oneOf(['drop-new', 'drop-oldest']),
    description: 'Which message is dropped when a session queue is full; every drop is counted and reported.',
  },
  queueQoS0Offline: {
    type: boolean(),
    description: 'Queue QoS 0 messages for offline persistent sessions (like Mosquitto queue_qos0_messages).',
  },
  maximumOutgoingBufferBytes: {
    // At least 64 KiB, as the broker requires: below Node's socket high-water mark a held-back queue
    // would never see 'drain'.
    type: integer(64 * 1024, Number.MAX_SAFE_INTEGER),
    description:
      'Bytes that may wait in one socket before the broker stops writing to it: QoS 0 messages to it are ' +
      'dropped (counted), QoS 1 and 2 stay queued until it drains.',
  },
  topicAliasMaximum: {
    type: U16(0),
    description:
      'Topic aliases a v5 client may use towards the broker (Topic Alias Maximum); 0 turns them off.',
  },
  maximumQoS: {
    type: oneOf([0, 1, 2]),
    description: 'Highest QoS granted and accepted; advertised to v5 clients as Maximum QoS.',
  },
  retainAvailable: {
    type: boolean(),
    description: 'Accept retained messages; advertised to v5 clients as Retain Available.',
  },
  wildcardSubscriptionAvailable: {
    type: boolean(),
    description: 'Accept topic filters with + and #; advertised to v5 clients.',
  },
  subscriptionIdentifiersAvailable: {
    type: boolean(),
    description: 'Accept v5 Subscription Identifiers; advertised to v5 clients.',
  },
  sharedSubscriptionAvailable: {
    type: boolean(),
    description: 'Accept $share/<group>/<filter> subscriptions; advertised to v5 clients.',
  },
  maximumSubscriptionsPerClient: {
    type: ANY_COUNT,
    description: 'Subscriptions one session may hold; more get Quota exceeded (v5) or Failure (3.1.1).',
  },
  maximumClientIdLength: {
    type: U16(1),
    description: 'Longest client identifier accepted, in UTF-8 bytes.',
  },
  maximumTopicLength: {
    type: U16(1),
    description: 'Longest topic name or filter accepted, in UTF-8 bytes.',
  },
  maximumTopicLevels: {
    type: ANY_COUNT,
    description: 'Most levels in a topic name or filter.',
  },
  maximumSessionExpiryInterval: {
    type: U32,
    description: "Cap on a v5 client's Session Expiry Interval, in seconds.",
  },
  persistentSessionExpiryInterval: {
    type: U32,
    description:
      'Seconds a disconnected 3.x persistent session is kept (3.x cannot say); 4294967295 = never expires.',
  },
  maximumRetainedMessages: {
    type: ANY_COUNT,
    description: 'Most retained messages kept; a new retained topic beyond it is not retained (counted).',
  },
  validatePayloadFormat: {
    type: boolean(),
    description:
      'Check that payloads flagged as UTF-8 (Payload Format Indicator 1) are valid UTF-8 and refuse bad ones.',
  },
  maximumPublishRate: {
    type: ANY_COUNT,
    description:
      'PUBLISH packets per second one client may send; 0 = no limit. A faster client is slowed down (its ' +
      'socket is not read until the rate allows), never cut off, and loses no message.',
  },
  maximumInboundBytesRate: {
    type: ANY_COUNT,
    description: 'Bytes per second one client may send; 0 = no limit. Enforced like maximumPublishRate.',
  },
  maximumConnectionRate: {
    type: ANY_COUNT,
    description:
      'New connections per second across all listeners; 0 = no limit. A CONNECT over it gets Connection ' +
      'rate exceeded (v5 0x9F, 3.x Server unavailable).',
  },
};

/** The limit keys in table order. */
export const LIMIT_KEYS = Object.keys(LIMITS) as (keyof BrokerLimits)[];

function limitSetting<K extends keyof BrokerLimits>(key: K): Setting<BrokerLimits[K]> {
  const { type, description } = LIMITS[key];
  return setting({ path: `limits.${key}`, type, default: DEFAULT_LIMITS[key], description });
}

/** Every scalar setting (everything except the `listeners` list), in the order `--help` shows them. */
export const SETTINGS: readonly Setting[] = [
  ...LIMIT_KEYS.map((key) => limitSetting(key)),
  setting<LogLevel>({
    path: 'log.level',
    type: oneOf(LOG_LEVELS),
    default: 'info',
    description: 'Least severe level logged; silent logs nothing.',
    flag: '--log-level',
  }),
  setting<boolean | 'auto'>({
    path: 'log.pretty',
    type: oneOf([true, false, 'auto']),
    default: 'auto',
    description:
      'Human-readable log lines (true) or JSON lines (false); auto = pretty when stdout is a terminal.',
  }),
  setting<string>({
    path: 'auth.passwordFile',
    type: text('a file path'),
    default: undefined,
    defaultText: 'none (no password checks)',
    example: '/etc/mqttkit/passwords',
    description:
      'Password file (username:hash lines; manage it with mqttkit passwd). With one, only its users may ' +
      'connect, plus anonymous clients if auth.allowAnonymous is true. Reloaded on SIGHUP. A relative ' +
      'path is relative to the working directory.',
    flag: '--password-file',
  }),
  setting<string>({
    path: 'auth.aclFile',
    type: text('a file path'),
    default: undefined,
    defaultText: 'none (every client may publish and subscribe to anything)',
    example: '/etc/mqttkit/acl.conf',
    description:
      'ACL file (Mosquitto-like user, client, topic and pattern lines). With one, what it does not ' +
      'grant is denied. Reloaded on SIGHUP.',
    flag: '--acl-file',
  }),
  setting<boolean>({
    path: 'auth.allowAnonymous',
    type: boolean(),
    default: undefined,
    defaultText: 'false with a password file, true without',
    example: false,
    description:
      'Let clients without a user name connect. Refused ones get Not authorized (v5 0x87, 3.1.1 code 5).',
  }),
  setting<number>({
    path: 'sys.interval',
    type: integer(0, 86_400),
    default: 10,
    description:
      'Seconds between updates of the retained $SYS/broker/... topics (Mosquitto-style); 0 = none.',
  }),
  setting<number>({
    path: 'metrics.port',
    type: integer(0, 65_535),
    default: undefined,
    defaultText: 'none (endpoint off)',
    example: 9234,
    description:
      'Port of the HTTP endpoint serving GET /metrics (Prometheus) and GET /health; 0 picks a free one.',
    flag: '--metrics-port',
  }),
  setting<string>({
    path: 'metrics.host',
    type: text('a host name or IP address'),
    default: '127.0.0.1',
    description: 'Address the metrics endpoint binds; 0.0.0.0 to let other machines scrape it.',
  }),
];

/** Sections of the config file, with what each holds (for `--help` and the sample config). */
export const SECTIONS: Readonly<Record<string, string>> = {
  listeners: 'Where clients connect: a list of listeners, each with its own protocol, address and port.',
  limits: 'Limits and capabilities, enforced by the broker and advertised to MQTT 5.0 clients in CONNACK.',
  log: 'Logging: structured (pino) lines on stdout.',
  auth: 'Authentication and authorisation: the password and ACL files, both reloaded on SIGHUP.',
  sys: 'The $SYS topic tree, published by the broker itself as retained messages.',
  metrics: 'The HTTP endpoint with Prometheus metrics and a health check.',
};

/** The fields of one listener protocol and what it is. */
export interface ListenerProtocol {
  readonly description: string;
  /** Fields of a listener of this protocol; paths are relative to the listener (`port`, `host`). */
  readonly fields: readonly Setting[];
}

/**
 * Fields every listener has. `--host`/`--port` (and `MQTTKIT_HOST`/`MQTTKIT_PORT`) set them on the
 * first tcp listener, which is what someone typing `--port 1884` means.
 */
function commonListenerFields(defaultPort: number, protocol: ListenerConfig['protocol']): Setting[] {
  const shortcut = protocol === 'tcp';
  return [
    {
      path: 'id',
      type: text(),
      default: undefined,
      defaultText: '<protocol>:<port>',
      example: `${protocol}-main`,
      description: 'Name of the listener in logs and in hook events (client.listenerId); must be unique.',
    },
    {
      path: 'host',
      type: text('a host name or IP address'),
      default: '0.0.0.0',
      description: 'Address to bind; 0.0.0.0 accepts on every IPv4 interface, :: on every interface.',
      ...(shortcut ? { env: `${ENV_PREFIX}HOST`, flag: '--host' } : {}),
    },
    {
      path: 'port',
      type: integer(0, 65_535),
      default: defaultPort,
      description: 'Port to bind; 0 picks a free one (the bound port is logged).',
      ...(shortcut ? { env: `${ENV_PREFIX}PORT`, flag: '--port' } : {}),
    },
    LISTENER_LIMITS_FIELD,
  ];
}

/**
 * The type of a listener's `limits` mapping: only the connection-level limits (`LISTENER_LIMIT_KEYS`),
 * each with the type of the top-level limit of the same name. `validate-file.ts` reports a bad entry
 * under its own key (`listeners[1].limits.maximumPacketSize`).
 */
export const LISTENER_LIMIT_TYPES: Readonly<Record<string, ValueType<unknown>>> = Object.fromEntries(
  LISTENER_LIMIT_KEYS.map((key) => [key, LIMITS[key].type as ValueType<unknown>]),
);

const LISTENER_LIMITS_FIELD: Setting = {
  path: 'limits',
  type: {
    expected: 'a mapping of connection-level limits',
    check: (value): value is ListenerLimits =>
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      Object.entries(value).every(([key, item]) => LISTENER_LIMIT_TYPES[key]?.check(item) === true),
    fromText: (text) => text,
  },
  default: undefined,
  defaultText: 'the broker-wide limits',
  example: { maximumPacketSize: 65_536, maximumQoS: 1 } as ListenerLimits,
  description:
    "Limits for this listener's connections only, over the top-level ones. Connection-level limits " +
    `only: ${LISTENER_LIMIT_KEYS.join(', ')}.`,
};

const PATH_FIELD: Setting = {
  path: 'path',
  type: httpPath(),
  default: '/mqtt',
  description: 'HTTP path of the WebSocket endpoint; upgrade requests elsewhere get 404.',
};

/** Settings of TLS listeners (tls and wss). */
const TLS_FIELDS: readonly Setting[] = [
  {
    path: 'certFile',
    type: text('a file path'),
    default: undefined,
    defaultText: 'none (required)',
    example: '/etc/mqttkit/server.crt',
    description: 'PEM certificate (chain) the listener presents. Required.',
    required: true,
  },
  {
    path: 'keyFile',
    type: text('a file path'),
    default: undefined,
    defaultText: 'none (required)',
    example: '/etc/mqttkit/server.key',
    description: 'PEM private key of that certificate. Required.',
    required: true,
  },
  {
    path: 'caFile',
    type: text('a file path'),
    default: undefined,
    defaultText: "none (Node's CA list)",
    example: '/etc/mqttkit/clients-ca.crt',
    description: 'PEM CA certificates client certificates must chain to (mutual TLS).',
  },
  {
    path: 'requestCert',
    type: boolean(),
    default: false,
    description: 'Ask clients for a certificate (mutual TLS).',
  },
  {
    path: 'rejectUnauthorized',
    type: boolean(),
    default: true,
    description: 'With requestCert: refuse clients without a certificate that verifies against caFile.',
  },
  {
    path: 'minVersion',
    type: oneOf(TLS_VERSIONS),
    default: 'TLSv1.2',
    description: 'Oldest TLS version accepted.',
  },
  {
    path: 'ciphers',
    type: text('an OpenSSL cipher list'),
    default: undefined,
    defaultText: "Node's default",
    example: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256',
    description: 'TLS 1.2 cipher suites, in OpenSSL syntax.',
  },
  {
    path: 'usernameFromCertificate',
    type: oneOf(CERTIFICATE_USERNAME_SOURCES),
    default: undefined,
    defaultText: 'none',
    example: 'cn',
    description:
      "Use the verified client certificate's subject CN (cn) or first subject alternative name (san) as " +
      'the MQTT user name; such clients need no password.',
  },
];

/** Listener protocols by name. */
export const LISTENER_PROTOCOLS: Readonly<Record<ListenerConfig['protocol'], ListenerProtocol>> = {
  tcp: { description: 'Plain MQTT over TCP.', fields: commonListenerFields(1883, 'tcp') },
  tls: {
    description: 'MQTT over TLS (mqtts).',
    fields: [...commonListenerFields(8883, 'tls'), ...TLS_FIELDS],
  },
  ws: {
    description: 'MQTT over WebSocket (subprotocol mqtt).',
    fields: [...commonListenerFields(8080, 'ws'), PATH_FIELD],
  },
  wss: {
    description: 'MQTT over secure WebSocket.',
    fields: [...commonListenerFields(8443, 'wss'), PATH_FIELD, ...TLS_FIELDS],
  },
};

/** The protocol names a listener may have. */
export const PROTOCOL_NAMES = Object.keys(LISTENER_PROTOCOLS) as ListenerConfig['protocol'][];

/** The listener used when no file, flag or variable names one: tcp on 0.0.0.0:1883. */
export const DEFAULT_LISTENER: TcpListenerConfig = { protocol: 'tcp', host: '0.0.0.0', port: 1883 };
