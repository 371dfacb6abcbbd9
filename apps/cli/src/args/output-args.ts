/**
 * Output options shared by `mqttkit sub` and `mqttkit pub -e`: `-v`, `-F`, `-N`, `--pretty` and
 * `--json` (read from the connection options).
 */
import { compileFormat } from '../output/format.js';
import type { OutputOptions } from '../output/message-printer.js';
import type { OptionSpec, ParsedArgs } from './parse-argv.js';

/** The options that choose how received messages are printed. */
export const OUTPUT_OPTIONS: readonly OptionSpec[] = [
  { key: 'verbose', short: 'v', long: ['verbose'], arity: 0 },
  { key: 'format', short: 'F', long: ['format'], arity: 1 },
  { key: 'noEol', short: 'N', long: ['no-eol'], arity: 0 },
  { key: 'pretty', long: ['pretty'], arity: 0 },
];

/** Resolves the output options: `--json` wins over `-F`, which wins over `-v` (as in mosquitto). */
export function resolveOutput(args: ParsedArgs, json: boolean): OutputOptions {
  const format = args.value('format');
  const mode = json
    ? ({ kind: 'json' } as const)
    : format !== undefined
      ? ({ kind: 'format', format: compileFormat(format) } as const)
      : args.has('verbose')
        ? ({ kind: 'verbose' } as const)
        : ({ kind: 'payload' } as const);
  return { mode, eol: !args.has('noEol'), pretty: args.has('pretty') };
}
