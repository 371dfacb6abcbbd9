/**
 * `mqttkit sub` arguments: mosquitto_sub's options.
 */
import type { QoS } from '@mqttkit/types';
import { usageError } from '../cli-error.js';
import type { OutputOptions } from '../output/message-printer.js';
import { CONNECTION_OPTIONS, type ConnectionSettings, resolveConnection } from './connection-args.js';
import { OUTPUT_OPTIONS, resolveOutput } from './output-args.js';
import { type OptionSpec, parseArgv } from './parse-argv.js';
import { parseInteger, parseNumber, parseQos } from './values.js';

const COMMAND = 'sub';

/** Every option `mqttkit sub` accepts. */
export const SUB_OPTIONS: readonly OptionSpec[] = [
  ...CONNECTION_OPTIONS,
  ...OUTPUT_OPTIONS,
  { key: 'topic', short: 't', long: ['topic'], arity: 1 },
  { key: 'filterOut', short: 'T', long: ['filter-out'], arity: 1 },
  { key: 'unsubscribe', short: 'U', long: ['unsubscribe'], arity: 1 },
  { key: 'qos', short: 'q', long: ['qos'], arity: 1 },
  { key: 'count', short: 'C', long: ['count'], arity: 1 },
  { key: 'timeout', short: 'W', long: ['timeout'], arity: 1 },
  { key: 'noStale', short: 'R', long: ['no-stale'], arity: 0 },
  { key: 'retainedOnly', long: ['retained-only'], arity: 0 },
  { key: 'removeRetained', long: ['remove-retained'], arity: 0 },
  { key: 'retainAsPublished', long: ['retain-as-published'], arity: 0 },
  { key: 'exitAfterSubscribe', short: 'E', arity: 0 },
];

/** `mqttkit sub`'s arguments, checked. */
export interface SubArgs {
  readonly help: false;
  readonly connection: ConnectionSettings;
  /** Filters to subscribe to (`-t`, or the -L URL's topic). */
  readonly topics: readonly string[];
  /** `-T`: filters whose messages are not printed. */
  readonly filterOut: readonly string[];
  /** `-U`: filters to unsubscribe from after subscribing. */
  readonly unsubscribe: readonly string[];
  readonly qos: QoS;
  /** `-C`: exit after this many printed messages. */
  readonly count: number | undefined;
  /** `-W`, in milliseconds: exit (code 27) when it expires before `-C` is reached. */
  readonly timeoutMs: number | undefined;
  /** `-R`: skip retained (stale) messages. */
  readonly noStale: boolean;
  /** `--retained-only`: print retained messages, exit at the first fresh one. */
  readonly retainedOnly: boolean;
  /** `--remove-retained`: clear each retained message received. */
  readonly removeRetained: boolean;
  readonly retainAsPublished: boolean;
  /** `-E`: exit once the subscriptions are acknowledged. */
  readonly exitAfterSubscribe: boolean;
  readonly output: OutputOptions;
}

/** Parses `mqttkit sub` arguments; `{ help: true }` for `--help`. Throws a usage `CliError`. */
export function parseSubArgs(argv: readonly string[]): SubArgs | { help: true } {
  const args = parseArgv(argv, SUB_OPTIONS, COMMAND);
  if (args.has('help')) return { help: true };
  if (args.positionals.length > 0) {
    throw usageError(
      COMMAND,
      `unexpected argument '${args.positionals[0]}' (options take the form -x value)`,
    );
  }
  const connection = resolveConnection(COMMAND, args, [
    'connect',
    'subscribe',
    'unsubscribe',
    'disconnect',
    'will',
  ]);
  const topics = args.values('topic');
  if (topics.length === 0 && connection.urlTopic !== undefined) topics.push(connection.urlTopic);
  const unsubscribe = args.values('unsubscribe');
  if (topics.length === 0 && unsubscribe.length === 0) {
    throw usageError(COMMAND, 'give at least one topic filter with -t (or -U, or in the -L URL)');
  }
  const count = args.has('count')
    ? parseInteger(COMMAND, '-C', args.value('count')!, 1, 2 ** 31 - 1)
    : undefined;
  const timeoutMs = args.has('timeout')
    ? parseNumber(COMMAND, '-W', args.value('timeout')!, 0.001, 2_147_483) * 1000
    : undefined;
  if (args.has('noStale') && args.has('retainedOnly'))
    throw usageError(COMMAND, '-R and --retained-only cannot be used together');
  if (args.has('retainAsPublished') && connection.protocolVersion !== 5) {
    throw usageError(COMMAND, '--retain-as-published needs MQTT 5 (-V mqttv5)');
  }
  return {
    help: false,
    connection,
    topics,
    filterOut: args.values('filterOut'),
    unsubscribe,
    qos: args.has('qos') ? parseQos(COMMAND, args.last('qos')!.name, args.value('qos')!) : 0,
    count,
    timeoutMs,
    noStale: args.has('noStale'),
    retainedOnly: args.has('retainedOnly'),
    removeRetained: args.has('removeRetained'),
    retainAsPublished: args.has('retainAsPublished'),
    exitAfterSubscribe: args.has('exitAfterSubscribe'),
    output: resolveOutput(args, connection.json),
  };
}
