/**
 * The kinds of value a setting can hold. Each kind checks a value read from a file, converts the text
 * of a flag or environment variable, and describes itself in one phrase, so validation errors,
 * `--help` and the sample config all say the same thing.
 */

/** One kind of setting value: how it is checked, read from text and described. */
export interface ValueType<T> {
  /** What a valid value is, read after "must be": `an integer from 16 to 268435460`. */
  readonly expected: string;
  /** True when `value` (as parsed from YAML or JSON) is valid. */
  check(value: unknown): value is T;
  /**
   * Converts the text of a flag or environment variable into the value a file would hold; text that
   * does not convert is returned unchanged, so `check` rejects it and the error shows what was given.
   */
  fromText(text: string): unknown;
}

/** Integers written in decimal or `0x` hexadecimal, optionally signed. */
const INTEGER_TEXT = /^[+-]?(?:\d+|0x[0-9a-f]+)$/i;

/** An integer from `min` to `max` inclusive. */
export function integer(min: number, max: number): ValueType<number> {
  return {
    expected: `an integer from ${min} to ${max}`,
    check: (value): value is number =>
      typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max,
    fromText: (text) => {
      const trimmed = text.trim();
      if (!INTEGER_TEXT.test(trimmed)) return text;
      const negative = trimmed.startsWith('-');
      const digits = trimmed.replace(/^[+-]/, '');
      const magnitude = /^0x/i.test(digits) ? Number.parseInt(digits.slice(2), 16) : Number(digits);
      return negative ? -magnitude : magnitude;
    },
  };
}

/** The words a flag or environment variable may use for a boolean. */
const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

function booleanFromText(text: string): unknown {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return text;
}

/** `true` or `false`; text accepts true/false, yes/no, on/off and 1/0. */
export function boolean(): ValueType<boolean> {
  return {
    expected: 'true or false',
    check: (value): value is boolean => typeof value === 'boolean',
    fromText: booleanFromText,
  };
}

/** One of a fixed list of strings, numbers or booleans. */
export function oneOf<const T extends string | number | boolean>(choices: readonly T[]): ValueType<T> {
  const shown = choices.map((choice) => (typeof choice === 'string' ? choice : String(choice)));
  const expected =
    shown.length === 2
      ? `${shown[0]} or ${shown[1]}`
      : `one of ${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
  return {
    expected,
    check: (value): value is T => (choices as readonly unknown[]).includes(value),
    fromText: (text) => {
      const trimmed = text.trim();
      for (const choice of choices) {
        if (typeof choice === 'string' && choice === trimmed) return choice;
        if (typeof choice === 'number' && String(choice) === trimmed) return choice;
        if (typeof choice === 'boolean' && booleanFromText(trimmed) === choice) return choice;
      }
      return text;
    },
  };
}

/** A non-empty string without control characters. */
export function text(expected = 'a non-empty string'): ValueType<string> {
  return {
    expected,
    // Control characters in a name or address are always a mistake (a stray newline from a script).
    check: (value): value is string =>
      typeof value === 'string' && value !== '' && !hasControlCharacter(value),
    fromText: (input) => input,
  };
}

/** An HTTP path: starts with `/`, no spaces or control characters. */
export function httpPath(): ValueType<string> {
  return {
    expected: 'an HTTP path starting with /',
    check: (value): value is string =>
      typeof value === 'string' &&
      value.startsWith('/') &&
      !value.includes(' ') &&
      !hasControlCharacter(value),
    fromText: (input) => input,
  };
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) < 0x20) return true;
  return false;
}

/** Describes a value that failed a check, for the "got ..." part of an error. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
