/**
 * The connection options `mqttkit pub` and `mqttkit sub` share with mosquitto_pub/sub: broker address,
 * credentials, client id, session, protocol version, will, TLS, `-L url` and `-D` properties.
 */
import { readFileSync } from 'node:fs';
import type { ConnectOptions, TlsOptions, WillOptions } from '@mqttkit/client';
import type { DisconnectProperties, ProtocolVersion } from '@mqttkit/types';
import { usageError } from '../cli-error.js';
import type { OptionSpec, ParsedArgs } from './parse-argv.js';
import { type PropertyCommand, type PropertySets, parseProperties } from './properties-arg.js';
import { parseInteger, parseProtocolVersion, parseQos } from './values.js';

/** Options every connecting command accepts. */
export const CONNECTION_OPTIONS: readonly OptionSpec[] = [
  { key: 'host', short: 'h', long: ['host'], arity: 1 },
  { key: 'port', short: 'p', long: ['port'], arity: 1 },
  { key: 'username', short: 'u', long: ['username'], arity: 1 },
  { key: 'password', short: 'P', long: ['pw', 'password'], arity: 1 },
  { key: 'id', short: 'i', long: ['id'], arity: 1 },
  { key: 'idPrefix', short: 'I', long: ['id-prefix'], arity: 1 },
  { key: 'keepalive', short: 'k', long: ['keepalive'], arity: 1 },
  { key: 'noClean', short: 'c', long: ['disable-clean-session'], arity: 0 },
  { key: 'sessionExpiry', short: 'x', long: ['session-expiry-interval'], arity: 1 },
  { key: 'version', short: 'V', long: ['protocol-version'], arity: 1 },
  { key: 'url', short: 'L', long: ['url'], arity: 1 },
  { key: 'property', short: 'D', long: ['property'], arity: 'property' },
  { key: 'willTopic', long: ['will-topic'], arity: 1 },
  { key: 'willPayload', long: ['will-payload'], arity: 1 },
  { key: 'willQos', long: ['will-qos'], arity: 1 },
  { key: 'willRetain', long: ['will-retain'], arity: 0 },
  { key: 'cafile', long: ['cafile'], arity: 1 },
  { key: 'cert', long: ['cert'], arity: 1 },
  { key: 'key', long: ['key'], arity: 1 },
  { key: 'insecure', long: ['insecure'], arity: 0 },
  { key: 'debug', short: 'd', long: ['debug'], arity: 0 },
  { key: 'quiet', long: ['quiet'], arity: 0 },
  { key: 'nodelay', long: ['nodelay'], arity: 0 },
  { key: 'json', long: ['json'], arity: 0 },
  { key: 'help', long: ['help'], arity: 0 },
];

/** Everything needed to connect, resolved from the options. */
export interface ConnectionSettings {
  /** `mqtt://host:port` or `mqtts://host:port`, without credentials (safe to print). */
  readonly url: string;
  readonly options: ConnectOptions;
  readonly protocolVersion: ProtocolVersion;
  /** Properties from `-D`, by packet. */
  readonly properties: PropertySets;
  /** v5 DISCONNECT properties (`-D disconnect ...`). */
  readonly disconnectProperties: DisconnectProperties | undefined;
  /** The topic from `-L mqtt://host/topic`, if any. */
  readonly urlTopic: string | undefined;
  readonly debug: boolean;
  readonly quiet: boolean;
  readonly json: boolean;
}

/** The "never expires" Session Expiry Interval. */
const NEVER_EXPIRES = 0xffff_ffff;

interface UrlParts {
  tls: boolean;
  host: string;
  port: number | undefined;
  username: string | undefined;
  password: string | undefined;
  topic: string | undefined;
}

function parseUrlOption(command: string, text: string): UrlParts {
  // The topic is everything after the authority, taken as written: WHATWG URL parsing would read a `#`
  // wildcard as a fragment. Only the authority goes through URL.
  const schemeEnd = text.indexOf('://');
  const afterScheme = schemeEnd === -1 ? '' : text.slice(schemeEnd + 3);
  const slash = afterScheme.indexOf('/');
  const authority = slash === -1 ? afterScheme : afterScheme.slice(0, slash);
  const rawTopic = slash === -1 ? '' : afterScheme.slice(slash + 1);
  let url: URL;
  try {
    url = new URL(`${text.slice(0, Math.max(0, schemeEnd))}://${authority}/`);
  } catch {
    throw usageError(
      command,
      `-L: not a URL: '${text}' (expected mqtt(s)://[user[:password]@]host[:port]/topic)`,
    );
  }
  if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:') {
    throw usageError(command, `-L: the URL must start with mqtt:// or mqtts://, got '${url.protocol}//'`);
  }
  let topic = rawTopic;
  try {
    topic = decodeURIComponent(rawTopic);
  } catch {
    // Not percent-encoded after all: keep it as written.
  }
  return {
    tls: url.protocol === 'mqtts:',
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? undefined : Number(url.port),
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    topic: topic === '' ? undefined : topic,
  };
}

function readPem(command: string, option: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw usageError(command, `${option}: cannot read '${path}' (${reason})`);
  }
}

/** Parses `-x`: 0..4294967294 seconds, or -1 / 4294967295 / ∞ for a session that never expires. */
function parseSessionExpiry(command: string, text: string): number {
  if (text === '-1' || text === '∞' || text === String(NEVER_EXPIRES)) return NEVER_EXPIRES;
  return parseInteger(command, '-x', text, 0, NEVER_EXPIRES - 1);
}

/**
 * Resolves the shared connection options of `args`. `sends` lists the packets the command sends, for
 * `-D` checks. Throws a usage error for bad values and bad combinations.
 */
export function resolveConnection(
  command: string,
  args: ParsedArgs,
  sends: readonly PropertyCommand[],
): ConnectionSettings {
  const fromUrl = args.has('url') ? parseUrlOption(command, args.value('url')!) : undefined;
  const propertyArgs = args.all('property');
  // mosquitto: "-D ... the client will be set to be an MQTT v5 client".
  const explicitVersion = args.has('version')
    ? parseProtocolVersion(command, args.last('version')!.name, args.value('version')!)
    : undefined;
  const protocolVersion = explicitVersion ?? (propertyArgs.length > 0 ? 5 : 4);
  if (propertyArgs.length > 0 && protocolVersion !== 5) {
    throw usageError(command, '-D properties need MQTT 5 (-V mqttv5)');
  }
  const properties = parseProperties(command, propertyArgs, sends);

  const cafile = args.value('cafile');
  const cert = args.value('cert');
  const key = args.value('key');
  if ((cert === undefined) !== (key === undefined)) throw usageError(command, '--cert and --key go together');
  const port = args.has('port')
    ? parseInteger(command, args.last('port')!.name, args.value('port')!, 1, 65535)
    : fromUrl?.port;
  const tls = fromUrl?.tls === true || cafile !== undefined || cert !== undefined || port === 8883;
  const host = args.value('host') ?? fromUrl?.host ?? 'localhost';
  const scheme = tls ? 'mqtts' : 'mqtt';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const url = `${scheme}://${hostPart}:${port ?? (tls ? 8883 : 1883)}`;

  const username = args.value('username') ?? fromUrl?.username;
  const password = args.value('password') ?? fromUrl?.password;
  if (password !== undefined && username === undefined && protocolVersion !== 5) {
    throw usageError(command, '-P needs -u before MQTT 5 (3.x sends a password only with a user name)');
  }

  if (args.has('id') && args.has('idPrefix')) throw usageError(command, '-i and -I cannot be used together');
  const clientId = args.has('idPrefix')
    ? `${args.value('idPrefix')}${process.pid}`
    : (args.value('id') ?? (protocolVersion === 5 ? '' : undefined));
  const persistent = args.has('noClean');
  if (persistent && (clientId === undefined || clientId === '')) {
    throw usageError(command, '-c needs a client id (-i or -I)');
  }
  let sessionExpiry = args.has('sessionExpiry')
    ? parseSessionExpiry(command, args.value('sessionExpiry')!)
    : undefined;
  if (sessionExpiry !== undefined && protocolVersion !== 5)
    throw usageError(command, '-x needs MQTT 5 (-V mqttv5)');
  if (sessionExpiry === undefined && persistent && protocolVersion === 5) sessionExpiry = NEVER_EXPIRES;
  if (sessionExpiry !== undefined && sessionExpiry > 0 && clientId === '') {
    throw usageError(command, '-x with a session that outlives the connection needs a client id (-i or -I)');
  }

  const keepAlive = args.has('keepalive')
    ? parseInteger(command, args.last('keepalive')!.name, args.value('keepalive')!, 0, 65535)
    : 60;

  const connectProperties =
    sessionExpiry === undefined || sessionExpiry === 0
      ? properties.connect
      : { ...properties.connect, sessionExpiryInterval: sessionExpiry };

  const tlsOptions: TlsOptions = {
    ...(cafile === undefined ? {} : { ca: readPem(command, '--cafile', cafile) }),
    ...(cert === undefined ? {} : { cert: readPem(command, '--cert', cert) }),
    ...(key === undefined ? {} : { key: readPem(command, '--key', key) }),
    // As mosquitto's: the chain is still verified against --cafile, only the host name is not checked.
    ...(args.has('insecure') ? { checkServerName: false } : {}),
  };

  const options: ConnectOptions = {
    protocolVersion,
    keepAlive,
    clean: !persistent,
    ...(clientId === undefined ? {} : { clientId }),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    ...(connectProperties === undefined ? {} : { properties: connectProperties }),
    ...(tls ? { tls: tlsOptions } : {}),
    ...resolveWill(command, args, properties),
  };

  return {
    url,
    options,
    protocolVersion,
    properties,
    disconnectProperties: properties.disconnect,
    urlTopic: fromUrl?.topic,
    debug: args.has('debug'),
    quiet: args.has('quiet'),
    json: args.has('json'),
  };
}

function resolveWill(command: string, args: ParsedArgs, properties: PropertySets): { will?: WillOptions } {
  const topic = args.value('willTopic');
  if (topic === undefined) {
    for (const key of ['willPayload', 'willQos', 'willRetain'] as const) {
      if (args.has(key)) throw usageError(command, `${args.last(key)!.name} needs --will-topic`);
    }
    if (properties.will !== undefined) throw usageError(command, '-D will ... needs --will-topic');
    return {};
  }
  const will: WillOptions = {
    topic,
    payload: args.value('willPayload') ?? '',
    qos: args.has('willQos') ? parseQos(command, '--will-qos', args.value('willQos')!) : 0,
    retain: args.has('willRetain'),
    ...(properties.will === undefined ? {} : { properties: properties.will }),
  };
  return { will };
}
