/**
 * Turns a received message into output bytes the way mosquitto_sub prints it (payload, `-v`, `-F`),
 * or as mqttkit's `--json` line.
 */
import { type CompiledFormat, renderFormat } from './format.js';
import { messageToJson } from './json-message.js';
import { asBuffer, type MessageView } from './message-view.js';

/** How messages are printed. */
export type OutputMode =
  | { readonly kind: 'payload' }
  | { readonly kind: 'verbose' }
  | { readonly kind: 'format'; readonly format: CompiledFormat }
  | { readonly kind: 'json' };

/** Output settings from `-v`, `-F`, `-N`, `--json`, `--pretty`. */
export interface OutputOptions {
  readonly mode: OutputMode;
  /** False with `-N`: no end of line after each message (JSON lines always end with one). */
  readonly eol: boolean;
  /** `--pretty`: indented JSON. */
  readonly pretty: boolean;
}

const NEWLINE = Buffer.from('\n');
const SPACE = Buffer.from(' ');
// mosquitto_sub -v prints an empty payload as "(null)".
const NULL_PAYLOAD = Buffer.from('(null)');

/**
 * The bytes to print for `message`, or undefined when nothing is printed: an empty payload without
 * `-v`/`-F`, or a `%J` payload that is not JSON (`onError` gets the reason; mosquitto prints it to
 * stderr).
 */
export function renderMessage(
  message: MessageView,
  options: OutputOptions,
  onError: (reason: string) => void,
): Buffer | undefined {
  const { mode } = options;
  if (mode.kind === 'json') {
    const json = messageToJson(message);
    return Buffer.from(`${options.pretty ? JSON.stringify(json, null, 2) : JSON.stringify(json)}\n`, 'utf8');
  }
  let body: Buffer | undefined;
  if (mode.kind === 'payload') {
    // mosquitto_sub prints nothing at all (not even the newline) for an empty payload.
    if (message.payload.byteLength === 0) return undefined;
    body = asBuffer(message.payload);
  } else if (mode.kind === 'verbose') {
    const payload = message.payload.byteLength === 0 ? NULL_PAYLOAD : asBuffer(message.payload);
    body = Buffer.concat([Buffer.from(message.topic, 'utf8'), SPACE, payload]);
  } else body = renderFormat(mode.format, message, { pretty: options.pretty, onError });
  if (body === undefined) return undefined;
  return options.eol ? Buffer.concat([body, NEWLINE]) : body;
}
