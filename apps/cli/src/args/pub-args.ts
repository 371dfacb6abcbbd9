/**
 * `mqttkit pub` arguments: mosquitto_pub's options (and mosquitto_rr's `-e` for a request that waits
 * for its response).
 */
import type { QoS } from '@mqttkit/types';
import { usageError } from '../cli-error.js';
import type { OutputOptions } from '../output/message-printer.js';
import { CONNECTION_OPTIONS, type ConnectionSettings, resolveConnection } from './connection-args.js';
import { OUTPUT_OPTIONS, resolveOutput } from './output-args.js';
import { type OptionSpec, type ParsedArgs, parseArgv } from './parse-argv.js';
import { parseInteger, parseNumber, parseQos } from './values.js';

const COMMAND = 'pub';

/** Every option `mqttkit pub` accepts. */
export const PUB_OPTIONS: readonly OptionSpec[] = [
  ...CONNECTION_OPTIONS,
  ...OUTPUT_OPTIONS,
  { key: 'topic', short: 't', long: ['topic'], arity: 1 },
  { key: 'message', short: 'm', long: ['message'], arity: 1 },
  { key: 'file', short: 'f', long: ['file'], arity: 1 },
  { key: 'stdinFile', short: 's', long: ['stdin-file'], arity: 0 },
  { key: 'stdinLine', short: 'l', long: ['stdin-line'], arity: 0 },
  { key: 'nullMessage', short: 'n', long: ['null-message'], arity: 0 },
  { key: 'qos', short: 'q', long: ['qos'], arity: 1 },
  { key: 'retain', short: 'r', long: ['retain'], arity: 0 },
  { key: 'repeat', long: ['repeat'], arity: 1 },
  { key: 'repeatDelay', long: ['repeat-delay'], arity: 1 },
  { key: 'responseTopic', short: 'e', long: ['response-topic'], arity: 1 },
  { key: 'timeout', short: 'W', long: ['timeout'], arity: 1 },
];

/** Where the message(s) come from. */
export type MessageSource =
  | { readonly kind: 'message'; readonly text: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'stdin' }
  | { readonly kind: 'lines' }
  | { readonly kind: 'null' };

/** `mqttkit pub`'s arguments, checked. */
export interface PubArgs {
  readonly help: false;
  readonly connection: ConnectionSettings;
  readonly topic: string;
  readonly source: MessageSource;
  readonly qos: QoS;
  readonly retain: boolean;
  /** `--repeat`: how many times a single message (-m, -f, -s, -n) is published. */
  readonly repeat: number;
  /** `--repeat-delay`, in milliseconds. */
  readonly repeatDelayMs: number;
  /** `-e`: wait for one response on this topic (the request carries it as Response Topic). */
  readonly responseTopic: string | undefined;
  /** `-W`, in milliseconds: how long `-e` waits for the response. */
  readonly timeoutMs: number | undefined;
  readonly output: OutputOptions;
}

/** Parses `mqttkit pub` arguments; `{ help: true }` for `--help`. Throws a usage `CliError`. */
export function parsePubArgs(argv: readonly string[]): PubArgs | { help: true } {
  const args = parseArgv(argv, PUB_OPTIONS, COMMAND);
  if (args.has('help')) return { help: true };
  if (args.positionals.length > 0) {
    throw usageError(
      COMMAND,
      `unexpected argument '${args.positionals[0]}' (options take the form -x value)`,
    );
  }
  const connection = resolveConnection(COMMAND, args, ['connect', 'publish', 'disconnect', 'will']);
  const topic = args.value('topic') ?? connection.urlTopic;
  if (topic === undefined) throw usageError(COMMAND, 'give a topic with -t (or in the -L URL)');
  if (topic.includes('+') || topic.includes('#')) {
    throw usageError(COMMAND, `invalid publish topic '${topic}': a topic name cannot contain + or #`);
  }
  const source = resolveSource(args);
  const qos = args.has('qos') ? parseQos(COMMAND, args.last('qos')!.name, args.value('qos')!) : 0;
  const repeat = args.has('repeat')
    ? parseInteger(COMMAND, '--repeat', args.value('repeat')!, 1, 2 ** 31 - 1)
    : 1;
  if (repeat > 1 && source.kind === 'lines') throw usageError(COMMAND, '--repeat does not apply to -l');
  const repeatDelayMs = args.has('repeatDelay')
    ? parseNumber(COMMAND, '--repeat-delay', args.value('repeatDelay')!, 0, 86_400) * 1000
    : 0;
  const responseTopic = args.value('responseTopic');
  if (responseTopic !== undefined && connection.protocolVersion !== 5) {
    throw usageError(COMMAND, '-e needs MQTT 5 (-V mqttv5): the response topic is a v5 property');
  }
  if (responseTopic !== undefined && source.kind === 'lines')
    throw usageError(COMMAND, '-e does not apply to -l');
  const timeoutMs = args.has('timeout')
    ? parseNumber(COMMAND, '-W', args.value('timeout')!, 0.001, 2_147_483) * 1000
    : undefined;
  return {
    help: false,
    connection,
    topic,
    source,
    qos,
    retain: args.has('retain'),
    repeat,
    repeatDelayMs,
    responseTopic,
    timeoutMs,
    output: resolveOutput(args, connection.json),
  };
}

function resolveSource(args: ParsedArgs): MessageSource {
  const given = (['message', 'file', 'stdinFile', 'stdinLine', 'nullMessage'] as const).filter((key) =>
    args.has(key),
  );
  if (given.length === 0) throw usageError(COMMAND, 'give the message with -m, -f, -s, -l or -n');
  if (given.length > 1 || args.all(given[0]!).length > 1) {
    throw usageError(COMMAND, 'give only one message: one of -m, -f, -s, -l, -n, once');
  }
  switch (given[0]!) {
    case 'message':
      return { kind: 'message', text: args.value('message')! };
    case 'file':
      return { kind: 'file', path: args.value('file')! };
    case 'stdinFile':
      return { kind: 'stdin' };
    case 'stdinLine':
      return { kind: 'lines' };
    case 'nullMessage':
      return { kind: 'null' };
  }
}
