import { describe, expect, it } from 'vitest';
import { isWildcardFilter, matches } from './matches.js';

// [filter, topic, expected]
type Case = readonly [string, string, boolean];

const multiLevel: Case[] = [
  ['sport/tennis/player1/#', 'sport/tennis/player1', true],
  ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
  ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
  ['sport/tennis/player1/#', 'sport/tennis/player2', false],
  ['sport/#', 'sport', true],
  ['sport/#', 'sport/', true],
  ['sport/#', 'sports', false],
  ['#', 'sport/tennis', true],
  ['#', '/', true],
  ['sport/tennis/#', 'sport/tennis/x/y', true],
];

const singleLevel: Case[] = [
  ['sport/tennis/+', 'sport/tennis/player1', true],
  ['sport/tennis/+', 'sport/tennis/player2', true],
  ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
  ['sport/+', 'sport', false],
  ['sport/+', 'sport/', true],
  ['+', 'sport', true],
  ['+/tennis/#', 'sport/tennis/player1', true],
  ['+/tennis/#', 'sport/tennis', true],
  ['sport/+/player1', 'sport/tennis/player1', true],
  ['+/+', '/finance', true],
  ['/+', '/finance', true],
  ['+', '/finance', false],
  ['a/+/b', 'a//b', true],
  ['+/+/+', '//', true],
];

const dollar: Case[] = [
  ['#', '$SYS/monitor/Clients', false],
  ['+/monitor/Clients', '$SYS/monitor/Clients', false],
  ['$SYS/#', '$SYS/monitor/Clients', true],
  ['$SYS/monitor/+', '$SYS/monitor/Clients', true],
  ['$SYS/#', '$SYS', true],
  ['#', '$', false],
  ['+', '$x', false],
  ['a/#', 'a/$x', true],
  ['a/+', 'a/$x', true],
  ['#', 'x$', true],
];

const semantics: Case[] = [
  ['ACCOUNTS', 'Accounts', false],
  ['Accounts payable', 'Accounts payable', true],
  ['/finance', 'finance', false],
  ['finance', '/finance', false],
  ['/', '/', true],
  ['a/b', 'a/b/', false],
  ['a/b/', 'a/b', false],
  ['a/b', 'a/bc', false],
  ['a/bc', 'a/b', false],
  ['température/€', 'température/€', true],
  ['😀/+', '😀/x', true],
];

describe('matches', () => {
  it.each(multiLevel)('4.7.1.2 multi-level wildcard: %j matches %j is %s', (filter, topic, expected) => {
    expect(matches(filter, topic)).toBe(expected);
  });

  it.each(singleLevel)('4.7.1.3 single-level wildcard: %j matches %j is %s', (filter, topic, expected) => {
    expect(matches(filter, topic)).toBe(expected);
  });

  it.each(dollar)(
    '[MQTT-4.7.2-1] topics starting with "$": %j matches %j is %s',
    (filter, topic, expected) => {
      expect(matches(filter, topic)).toBe(expected);
    },
  );

  it.each(semantics)(
    '[MQTT-4.7.3-4] no normalisation, case-sensitive: %j matches %j is %s',
    (filter, topic, expected) => {
      expect(matches(filter, topic)).toBe(expected);
    },
  );

  it('never matches an empty filter or topic', () => {
    expect(matches('', 'a')).toBe(false);
    expect(matches('#', '')).toBe(false);
  });
});

describe('isWildcardFilter', () => {
  it('finds "+" and "#"', () => {
    expect(isWildcardFilter('a/+/b')).toBe(true);
    expect(isWildcardFilter('#')).toBe(true);
    expect(isWildcardFilter('a/b')).toBe(false);
    expect(isWildcardFilter('$share/g/a')).toBe(false);
  });
});
