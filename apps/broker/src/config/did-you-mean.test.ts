import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from './did-you-mean.js';

describe('did you mean', () => {
  it('measures edits case-insensitively', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('maximumQoS', 'maximumqos')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('suggests a close name and nothing for a distant one', () => {
    const keys = ['maximumPacketSize', 'maximumInflight', 'receiveMaximum'];
    expect(closest('maximumPaketSize', keys)).toBe('maximumPacketSize');
    expect(closest('maxInflight', keys)).toBe(undefined);
    expect(closest('colour', keys)).toBe(undefined);
    expect(didYouMean('--prot', ['--port', '--host'])).toBe('; did you mean --port?');
    expect(didYouMean('--zzzzzz', ['--port'])).toBe('');
  });
});
