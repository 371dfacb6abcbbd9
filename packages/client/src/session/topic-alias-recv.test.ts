import { describe, expect, it } from 'vitest';
import { TopicAliasRecv } from './topic-alias-recv.js';

describe('TopicAliasRecv', () => {
  it('binds an alias sent with a topic and resolves it later', () => {
    const aliases = new TopicAliasRecv(3);
    expect(aliases.resolve('x/y', 3)).toBe('x/y');
    expect(aliases.resolve('', 3)).toBe('x/y');
    expect(aliases.resolve('z', 3)).toBe('z');
    expect(aliases.resolve('', 3)).toBe('z');
  });

  it('[MQTT-3.3.2-9] refuses 0 and aliases above the maximum; an unbound alias is a protocol error', () => {
    const aliases = new TopicAliasRecv(2);
    expect(aliases.resolve('t', 0)).toMatchObject({ code: 'TOPIC_ALIAS_INVALID' });
    expect(aliases.resolve('t', 3)).toMatchObject({ code: 'TOPIC_ALIAS_INVALID' });
    expect(aliases.resolve('', 1)).toMatchObject({ code: 'PROTOCOL_ERROR' });
  });
});
