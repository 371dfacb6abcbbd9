import { describe, expect, it } from 'vitest';
import { boolean, describeValue, integer, oneOf, text } from './value-types.js';

describe('integer', () => {
  const port = integer(0, 65_535);
  it('accepts integers in range and rejects the rest', () => {
    expect(port.check(0)).toBe(true);
    expect(port.check(65_535)).toBe(true);
    expect(port.check(65_536)).toBe(false);
    expect(port.check(-1)).toBe(false);
    expect(port.check(1.5)).toBe(false);
    expect(port.check('1883')).toBe(false);
    expect(port.check(Number.NaN)).toBe(false);
  });
  it('reads decimal and hex text, and leaves other text for the error message', () => {
    expect(port.fromText('1883')).toBe(1883);
    expect(port.fromText(' 42 ')).toBe(42);
    expect(port.fromText('0xFF')).toBe(255);
    expect(port.fromText('-1')).toBe(-1);
    expect(port.fromText('12abc')).toBe('12abc');
    expect(port.fromText('1e3')).toBe('1e3');
    expect(port.fromText('')).toBe('');
  });
  it('describes itself for error messages', () => {
    expect(integer(16, 268_435_460).expected).toBe('an integer from 16 to 268435460');
  });
});

describe('boolean', () => {
  it('accepts only booleans from files, common words from text', () => {
    const flag = boolean();
    expect(flag.check(true)).toBe(true);
    expect(flag.check('true')).toBe(false);
    for (const word of ['true', 'YES', 'on', '1']) expect(flag.fromText(word)).toBe(true);
    for (const word of ['false', 'no', 'Off', '0']) expect(flag.fromText(word)).toBe(false);
    expect(flag.fromText('maybe')).toBe('maybe');
  });
});

describe('oneOf', () => {
  it('accepts the listed values and reads them from text', () => {
    const qos = oneOf([0, 1, 2]);
    expect(qos.expected).toBe('one of 0, 1 or 2');
    expect(qos.check(1)).toBe(true);
    expect(qos.check(3)).toBe(false);
    expect(qos.check('1')).toBe(false);
    expect(qos.fromText('2')).toBe(2);
    const pretty = oneOf([true, false, 'auto']);
    expect(pretty.fromText('auto')).toBe('auto');
    expect(pretty.fromText('yes')).toBe(true);
    expect(pretty.fromText('sometimes')).toBe('sometimes');
    expect(oneOf(['drop-new', 'drop-oldest']).expected).toBe('drop-new or drop-oldest');
  });
});

describe('text', () => {
  it('rejects empty strings, non-strings and control characters', () => {
    const name = text();
    expect(name.check('tcp-main')).toBe(true);
    expect(name.check('')).toBe(false);
    expect(name.check(5)).toBe(false);
    expect(name.check('a\nb')).toBe(false);
  });
});

describe('describeValue', () => {
  it('shows what was given', () => {
    expect(describeValue('big')).toBe('"big"');
    expect(describeValue(3.5)).toBe('3.5');
    expect(describeValue(null)).toBe('nothing');
    expect(describeValue([1])).toBe('a list');
    expect(describeValue({ a: 1 })).toBe('a mapping');
  });
});
