/**
 * `mqttkit bench conn|pub|sub` arguments, named after emqtt-bench's where it has them.
 */
import type { ProtocolVersion, QoS } from '@mqttkit/types';
import { type OptionSpec, parseArgv } from '../args/parse-argv.js';
import { parseInteger, parseNumber, parseProtocolVersion, parseQos } from '../args/values.js';
import { usageError } from '../cli-error.js';

/** The three bench modes. */
export type BenchMode = 'conn' | 'pub' | 'sub';

const BENCH_OPTIONS: readonly OptionSpec[] = [
  { key: 'host', short: 'h', long: ['host'], arity: 1 },
  { key: 'port', short: 'p', long: ['port'], arity: 1 },
  { key: 'username', short: 'u', long: ['username'], arity: 1 },
  { key: 'password', short: 'P', long: ['password'], arity: 1 },
  { key: 'version', short: 'V', long: ['version'], arity: 1 },
  { key: 'clients', short: 'c', long: ['count'], arity: 1 },
  { key: 'connRate', short: 'R', long: ['connrate'], arity: 1 },
  { key: 'connInterval', short: 'i', long: ['interval'], arity: 1 },
  { key: 'msgInterval', short: 'I', long: ['interval_of_msg', 'interval-of-msg'], arity: 1 },
  { key: 'rate', long: ['rate'], arity: 1 },
  { key: 'qos', short: 'q', long: ['qos'], arity: 1 },
  { key: 'size', short: 's', long: ['size'], arity: 1 },
  { key: 'topic', short: 't', long: ['topic'], arity: 1 },
  { key: 'retain', short: 'r', long: ['retain'], arity: 0 },
  { key: 'limit', short: 'L', long: ['limit'], arity: 1 },
  { key: 'duration', short: 'd', long: ['duration'], arity: 1 },
  { key: 'inflight', short: 'F', long: ['inflight'], arity: 1 },
  { key: 'keepalive', short: 'k', long: ['keepalive'], arity: 1 },
  { key: 'prefix', long: ['prefix'], arity: 1 },
  { key: 'startNumber', short: 'n', long: ['startnumber', 'start-number'], arity: 1 },
  { key: 'brokerPid', long: ['broker-pid'], arity: 1 },
  { key: 'json', long: ['json'], arity: 0 },
  { key: 'quiet', long: ['quiet'], arity: 0 },
  { key: 'help', long: ['help'], arity: 0 },
];

/** A bench run's settings, checked. */
export interface BenchArgs {
  readonly help: false;
  readonly mode: BenchMode;
  readonly host: string;
  readonly port: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly protocolVersion: ProtocolVersion;
  /** Number of clients. */
  readonly clients: number;
  /** New connections per second (0: as fast as the connect window allows). */
  readonly connRate: number;
  /** Messages per second per client for `pub` (0: as fast as possible). */
  readonly ratePerClient: number;
  readonly qos: QoS;
  /** Payload bytes for `pub`. */
  readonly size: number;
  /** Topic pattern: `%i` the client index, `%c` the client id. */
  readonly topic: string;
  readonly retain: boolean;
  /** Total messages to publish (`pub`) or receive (`sub`); 0 for no limit. */
  readonly limit: number;
  /** Run time in milliseconds (0: until the limit or Ctrl-C). */
  readonly durationMs: number;
  /** Unacknowledged QoS 1/2 messages per `pub` client. */
  readonly inflight: number;
  readonly keepAlive: number;
  /** Client id prefix; ids are prefix + mode + '-' + index. */
  readonly prefix: string;
  /** Index of the first client (`%i`). */
  readonly startNumber: number;
  readonly brokerPid: number | undefined;
  readonly json: boolean;
  readonly quiet: boolean;
}

function parseVersion(command: string, text: string): ProtocolVersion {
  // emqtt-bench takes the protocol level (3, 4, 5); -V mqttv311 etc. work too.
  if (text === '3' || text === '4') return Number(text) as ProtocolVersion;
  return parseProtocolVersion(command, '-V', text);
}

/** Parses `mqttkit bench <mode>` arguments; `{ help: true }` for `--help`. Throws a usage `CliError`. */
export function parseBenchArgs(mode: BenchMode, argv: readonly string[]): BenchArgs | { help: true } {
  const command = `bench ${mode}`;
  const args = parseArgv(argv, BENCH_OPTIONS, command);
  if (args.has('help')) return { help: true };
  if (args.positionals.length > 0) throw usageError(command, `unexpected argument '${args.positionals[0]}'`);
  const int = (key: string, name: string, min: number, max: number, fallback: number) =>
    args.has(key) ? parseInteger(command, name, args.value(key)!, min, max) : fallback;
  const num = (key: string, name: string, min: number, max: number, fallback: number) =>
    args.has(key) ? parseNumber(command, name, args.value(key)!, min, max) : fallback;

  if (args.has('connRate') && args.has('connInterval'))
    throw usageError(command, '-R and -i cannot be used together');
  const connInterval = num('connInterval', '-i', 0, 60_000, 0);
  const connRate = args.has('connInterval')
    ? connInterval === 0
      ? 0
      : 1000 / connInterval
    : num('connRate', '-R', 0, 1_000_000, 1000);

  if (
    mode !== 'pub' &&
    (args.has('msgInterval') ||
      args.has('rate') ||
      args.has('size') ||
      args.has('inflight') ||
      args.has('retain'))
  ) {
    const option = ['msgInterval', 'rate', 'size', 'inflight', 'retain'].find((key) => args.has(key))!;
    throw usageError(command, `${args.last(option)!.name} applies to bench pub only`);
  }
  if (mode === 'conn' && (args.has('topic') || args.has('qos') || args.has('limit'))) {
    const option = ['topic', 'qos', 'limit'].find((key) => args.has(key))!;
    throw usageError(command, `${args.last(option)!.name} does not apply to bench conn`);
  }
  if (args.has('msgInterval') && args.has('rate'))
    throw usageError(command, '-I and --rate cannot be used together');
  const interval = num('msgInterval', '-I', 0, 3_600_000, 1000);
  const ratePerClient = args.has('rate')
    ? num('rate', '--rate', 0, 10_000_000, 1)
    : interval === 0
      ? 0
      : 1000 / interval;

  const brokerPid = args.has('brokerPid')
    ? parseInteger(command, '--broker-pid', args.value('brokerPid')!, 1, 2 ** 22)
    : undefined;
  const qos = args.has('qos') ? parseQos(command, args.last('qos')!.name, args.value('qos')!) : 0;
  const topic = args.value('topic') ?? 'mqttkit/bench/%i';
  if (mode === 'pub' && (topic.includes('+') || topic.includes('#'))) {
    throw usageError(command, `-t '${topic}': a publish topic cannot contain + or #`);
  }
  return {
    help: false,
    mode,
    host: args.value('host') ?? 'localhost',
    port: int('port', '-p', 1, 65535, 1883),
    username: args.value('username'),
    password: args.value('password'),
    protocolVersion: args.has('version') ? parseVersion(command, args.value('version')!) : 4,
    clients: int('clients', '-c', 1, 1_000_000, 1),
    connRate,
    ratePerClient,
    qos,
    size: int('size', '-s', 0, 16 * 1024 * 1024, 256),
    topic,
    retain: args.has('retain'),
    limit: int('limit', '-L', 0, Number.MAX_SAFE_INTEGER, 0),
    durationMs: num('duration', '--duration', 0, 31_536_000, 0) * 1000,
    inflight: int('inflight', '--inflight', 1, 65_535, 64),
    keepAlive: int('keepalive', '-k', 0, 65_535, 300),
    prefix: args.value('prefix') ?? `mqttkit-bench-${process.pid}-`,
    startNumber: int('startNumber', '-n', 0, Number.MAX_SAFE_INTEGER, 1),
    brokerPid,
    json: args.has('json'),
    quiet: args.has('quiet'),
  };
}

/** The client id of client `index`. */
export function clientIdOf(args: BenchArgs, index: number): string {
  return `${args.prefix}${args.mode}-${index}`;
}

/** The topic of client `index`: `%i` → index, `%c` → client id, `%%` → `%`. */
export function topicOf(args: BenchArgs, index: number): string {
  return args.topic.replace(/%([ic%])/g, (_, letter: string) =>
    letter === 'i' ? String(index) : letter === 'c' ? clientIdOf(args, index) : '%',
  );
}
