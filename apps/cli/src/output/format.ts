/**
 * mosquitto_sub's `-F` output format: `%` message fields (with `-`/`0` flags, width and `.max`), `@`
 * strftime letters, and `\` escapes. The format is compiled once, then rendered per message to bytes
 * (payloads may be binary, so output is bytes, not text).
 *
 * Supported `%` fields: %% %t %p %q %r %m %l %x %X %P %C %D %E %F %R %A %S %I %U %j %J (every field
 * mosquitto 2.0 documents). `@` letters: see `strftimeLetter` (Y y m d e H I M S p j a A b B h z s N F
 * T R D n t @). Escapes: \\ \0 \a \e \n \r \t \v.
 */

import { mosquittoJson } from './json-message.js';
import { asBuffer, type MessageView } from './message-view.js';
import { isoLocal, strftimeLetter, unixWithNanos } from './strftime.js';

/** A `%` field with its flags, width and maximum width. */
interface FieldToken {
  readonly kind: 'field';
  readonly letter: string;
  readonly leftAlign: boolean;
  readonly zeroPad: boolean;
  readonly width: number;
  readonly max: number | undefined;
}

type Token =
  | { readonly kind: 'literal'; readonly bytes: Buffer }
  | FieldToken
  | { readonly kind: 'time'; readonly letter: string };

/** A compiled `-F` format. */
export interface CompiledFormat {
  readonly tokens: readonly Token[];
  /** The format as given. */
  readonly source: string;
}

/** Fields that accept the zero flag, as mosquitto documents. */
const ZERO_PADDED = new Set(['A', 'E', 'F', 'l', 'm', 'S', 'X', 'x']);
/** Fields that accept a maximum width. */
const TRUNCATED = new Set(['C', 'I', 'R', 't']);
const FIELDS = new Set([
  't',
  'p',
  'q',
  'r',
  'm',
  'l',
  'x',
  'X',
  'P',
  'C',
  'D',
  'E',
  'F',
  'R',
  'A',
  'S',
  'I',
  'U',
  'j',
  'J',
]);
const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  '0': '\0',
  a: '\x07',
  e: '\x1b',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** Compiles a `-F` format string. Unknown sequences are kept literally, as text. */
export function compileFormat(source: string): CompiledFormat {
  const tokens: Token[] = [];
  let literal = '';
  const flush = () => {
    if (literal !== '') tokens.push({ kind: 'literal', bytes: Buffer.from(literal, 'utf8') });
    literal = '';
  };
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (char === '\\' && i + 1 < source.length) {
      const escaped = ESCAPES[source[i + 1]!];
      if (escaped !== undefined) {
        literal += escaped;
        i++;
        continue;
      }
    }
    if (char === '@' && i + 1 < source.length) {
      const letter = source[i + 1]!;
      if (letter === '@') literal += '@';
      else {
        flush();
        tokens.push({ kind: 'time', letter });
      }
      i++;
      continue;
    }
    if (char === '%') {
      const match = /^%([-0]*)(\d*)(?:\.(\d+))?([A-Za-z%])/.exec(source.slice(i));
      if (match !== null) {
        const [whole, flags = '', width = '', max, letter = ''] = match;
        if (letter === '%') literal += '%';
        else if (FIELDS.has(letter)) {
          flush();
          tokens.push({
            kind: 'field',
            letter,
            leftAlign: flags.includes('-'),
            zeroPad: flags.includes('0') && !flags.includes('-'),
            width: width === '' ? 0 : Number(width),
            max: max === undefined ? undefined : Number(max),
          });
        } else literal += whole;
        i += whole.length - 1;
        continue;
      }
    }
    literal += char;
  }
  flush();
  return { tokens, source };
}

/** What rendering needs besides the message. */
export interface RenderOptions {
  /** `--pretty` for %j / %J. */
  readonly pretty: boolean;
  /** Where %J reports a payload that is not JSON (the message is then skipped, as mosquitto does). */
  readonly onError: (message: string) => void;
}

function hex(bytes: Uint8Array, upper: boolean): string {
  const text = asBuffer(bytes).toString('hex');
  return upper ? text.toUpperCase() : text;
}

/** The value of a field for `message`: text, bytes (payload, correlation data), or an Error (%J). */
function fieldValue(
  letter: string,
  message: MessageView,
  options: RenderOptions,
): string | Uint8Array | Error {
  const p = message.properties;
  switch (letter) {
    case 't':
      return message.topic;
    case 'p':
      return message.payload;
    case 'q':
      return String(message.qos);
    case 'r':
      return message.retain ? '1' : '0';
    case 'm':
      return String(message.packetId ?? 0);
    case 'l':
      return String(message.payload.byteLength);
    case 'x':
      return hex(message.payload, false);
    case 'X':
      return hex(message.payload, true);
    case 'P':
      return (p?.userProperties ?? []).map(([name, value]) => `${name}:${value}`).join(' ');
    case 'C':
      return p?.contentType ?? '';
    case 'D':
      return p?.correlationData ?? '';
    case 'E':
      return p?.messageExpiryInterval === undefined ? '' : String(p.messageExpiryInterval);
    case 'F':
      return p?.payloadFormatIndicator === undefined ? '' : p.payloadFormatIndicator ? '1' : '0';
    case 'R':
      return p?.responseTopic ?? '';
    case 'A':
      return p?.topicAlias === undefined ? '' : String(p.topicAlias);
    case 'S':
      return (p?.subscriptionIdentifiers ?? []).join(',');
    case 'I':
      return isoLocal(message.receivedAt);
    case 'U':
      return unixWithNanos(message.receivedAt);
    case 'j':
    case 'J':
      return mosquittoJson(message, letter === 'J', options.pretty);
    default:
      return '';
  }
}

/** Applies maximum width, then padding to the minimum width. */
function shape(token: FieldToken, value: Buffer): Buffer {
  let bytes = value;
  if (token.max !== undefined && TRUNCATED.has(token.letter) && bytes.length > token.max) {
    bytes = bytes.subarray(0, token.max);
  }
  if (bytes.length >= token.width) return bytes;
  const fill = Buffer.alloc(
    token.width - bytes.length,
    token.zeroPad && ZERO_PADDED.has(token.letter) ? '0' : ' ',
  );
  return token.leftAlign ? Buffer.concat([bytes, fill]) : Buffer.concat([fill, bytes]);
}

/** Renders `message` with a compiled format (no end of line: the caller adds it unless `-N`). */
export function renderFormat(
  format: CompiledFormat,
  message: MessageView,
  options: RenderOptions,
): Buffer | undefined {
  const parts: Buffer[] = [];
  for (const token of format.tokens) {
    if (token.kind === 'literal') parts.push(token.bytes);
    else if (token.kind === 'time') {
      parts.push(Buffer.from(strftimeLetter(token.letter, message.receivedAt) ?? `@${token.letter}`, 'utf8'));
    } else {
      const value = fieldValue(token.letter, message, options);
      if (value instanceof Error) {
        options.onError(value.message);
        return undefined;
      }
      const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : asBuffer(value);
      parts.push(token.width > 0 || token.max !== undefined ? shape(token, bytes) : bytes);
    }
  }
  return Buffer.concat(parts);
}
