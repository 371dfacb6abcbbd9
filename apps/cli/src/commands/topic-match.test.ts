import { describe, expect, it } from 'vitest';
import { topicMatches } from './topic-match.js';

describe('topicMatches (for -T)', () => {
  it('follows the spec examples (section 4.7)', () => {
    const cases: [string, string, boolean][] = [
      ['sport/tennis/player1/#', 'sport/tennis/player1', true],
      ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
      ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
      ['sport/#', 'sport', true],
      ['#', 'anything/at/all', true],
      ['sport/tennis/+', 'sport/tennis/player1', true],
      ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
      ['sport/+', 'sport', false],
      ['sport/+', 'sport/', true],
      ['+/+', '/finance', true],
      ['/+', '/finance', true],
      ['+', '/finance', false],
      ['a/b', 'a/b', true],
      ['a/b', 'a/c', false],
      ['a/b', 'a/b/c', false],
      ['#', '$SYS/broker', false],
      ['+/monitor/Clients', '$SYS/monitor/Clients', false],
      ['$SYS/#', '$SYS/broker', true],
      ['$SYS/monitor/+', '$SYS/monitor/Clients', true],
    ];
    for (const [filter, topic, expected] of cases)
      expect(topicMatches(filter, topic), `${filter} vs ${topic}`).toBe(expected);
  });
});
