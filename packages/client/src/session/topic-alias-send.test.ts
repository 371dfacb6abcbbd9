import { describe, expect, it } from 'vitest';
import { TopicAliasSend } from './topic-alias-send.js';

describe('TopicAliasSend', () => {
  it('offers fresh aliases until the maximum, then replaces the oldest binding', () => {
    const aliases = new TopicAliasSend(2);
    expect(aliases.candidate()).toBe(1);
    aliases.bind('a', 1);
    expect(aliases.get('a')).toBe(1);
    expect(aliases.candidate()).toBe(2);
    aliases.bind('b', 2);
    expect(aliases.candidate()).toBe(1);
    aliases.bind('c', 1);
    expect(aliases.get('a')).toBeUndefined();
    expect(aliases.get('c')).toBe(1);
    expect(aliases.candidate()).toBe(2);
    expect(aliases.size).toBe(2);
  });

  it('offers nothing when the server allows no aliases', () => {
    expect(new TopicAliasSend(0).candidate()).toBe(0);
  });
});
