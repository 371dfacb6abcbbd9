import { describe, expect, it } from 'vitest';
import { RetainedIndex } from './retained-index.js';

const TOPICS = [
  'sport',
  'sport/',
  'sport/tennis',
  'sport/tennis/player1',
  'sport/tennis/player1/ranking',
  'sport/tennis/player1/score/wimbledon',
  'sport/tennis/player2',
  '/finance',
  'finance',
  '/',
  'a//b',
  '$SYS/monitor/Clients',
  '$SYS',
  'x/$y',
];

function indexOf(topics: readonly string[]): RetainedIndex<string> {
  const index = new RetainedIndex<string>();
  for (const topic of topics) index.set(topic, `v:${topic}`);
  return index;
}

function matched(index: RetainedIndex<string>, filter: string): string[] {
  const topics: string[] = [];
  index.forEachMatch(filter, (value, topic) => {
    expect(value).toBe(`v:${topic}`);
    topics.push(topic);
  });
  return topics.sort();
}

describe('RetainedIndex', () => {
  it('stores, replaces, reads and deletes by exact topic', () => {
    const index = new RetainedIndex<number>();
    expect(index.size).toBe(0);
    index.set('a/b', 1);
    index.set('a/b', 2);
    index.set('a', 3);
    expect(index.size).toBe(2);
    expect(index.get('a/b')).toBe(2);
    expect(index.has('a')).toBe(true);
    expect(index.get('a/c')).toBeUndefined();
    expect(index.delete('a/c')).toBe(false);
    expect(index.delete('a/b')).toBe(true);
    expect(index.has('a/b')).toBe(false);
    expect(index.match('a/#')).toEqual([3]);
    expect([...index]).toEqual([['a', 3]]);
  });

  it('4.7.1.2: "sport/tennis/player1/#" matches player1 itself and everything below it', () => {
    expect(matched(indexOf(TOPICS), 'sport/tennis/player1/#')).toEqual([
      'sport/tennis/player1',
      'sport/tennis/player1/ranking',
      'sport/tennis/player1/score/wimbledon',
    ]);
  });

  it('4.7.1.2: "sport/#" matches "sport" too', () => {
    expect(matched(indexOf(TOPICS), 'sport/#')).toEqual(TOPICS.filter((t) => t.startsWith('sport')).sort());
  });

  it('4.7.1.3: "+" matches exactly one level, including an empty one', () => {
    const index = indexOf(TOPICS);
    expect(matched(index, 'sport/tennis/+')).toEqual(['sport/tennis/player1', 'sport/tennis/player2']);
    expect(matched(index, 'sport/+')).toEqual(['sport/', 'sport/tennis']);
    expect(matched(index, '+/+')).toEqual(['/', '/finance', 'sport/', 'sport/tennis', 'x/$y']);
    expect(matched(index, '/+')).toEqual(['/', '/finance']);
    expect(matched(index, '+')).toEqual(['finance', 'sport']);
    expect(matched(index, 'a/+/b')).toEqual(['a//b']);
  });

  it('[MQTT-4.7.2-1] "#" and "+" at the first level do not return "$" topics', () => {
    const index = indexOf(TOPICS);
    expect(matched(index, '#')).toEqual(TOPICS.filter((t) => !t.startsWith('$')).sort());
    expect(matched(index, '+/monitor/Clients')).toEqual([]);
    expect(matched(index, '+/+')).not.toContain('$SYS/monitor/Clients');
    expect(matched(index, '$SYS/#')).toEqual(['$SYS', '$SYS/monitor/Clients']);
    expect(matched(index, '$SYS/monitor/+')).toEqual(['$SYS/monitor/Clients']);
    expect(matched(index, 'x/+')).toEqual(['x/$y']);
  });

  it('matches exact filters, and nothing for unknown ones', () => {
    const index = indexOf(TOPICS);
    expect(matched(index, '/finance')).toEqual(['/finance']);
    expect(matched(index, 'finance')).toEqual(['finance']);
    expect(matched(index, 'Finance')).toEqual([]);
    expect(matched(index, 'sport/tennis/player3/#')).toEqual([]);
    expect(matched(index, '')).toEqual([]);
  });

  it('prunes emptied nodes: deleting a leaf keeps its stored ancestors', () => {
    const index = indexOf(['a', 'a/b/c']);
    index.delete('a/b/c');
    expect(matched(index, '#')).toEqual(['a']);
    expect(matched(index, 'a/+')).toEqual([]);
    index.set('a/b/c', 'v:a/b/c');
    index.delete('a');
    expect(matched(index, '#')).toEqual(['a/b/c']);
    index.clear();
    expect(index.size).toBe(0);
    expect(matched(index, '#')).toEqual([]);
  });

  it('lets the callback delete entries while walking', () => {
    const index = indexOf(['k/1', 'k/2', 'k/3']);
    const seen: string[] = [];
    index.forEachMatch('k/+', (_value, topic) => {
      seen.push(topic);
      index.delete(topic);
    });
    expect(seen.sort()).toEqual(['k/1', 'k/2', 'k/3']);
    expect(index.size).toBe(0);
  });

  it('iterates all entries in insertion order', () => {
    const index = indexOf(['b', 'a', '$SYS/x']);
    expect([...index.entries()].map(([topic]) => topic)).toEqual(['b', 'a', '$SYS/x']);
  });

  it('handles very deep topics without recursion', () => {
    const index = new RetainedIndex<number>();
    const deep = Array.from({ length: 20000 }, (_, i) => `l${i % 5}`).join('/');
    index.set(deep, 1);
    expect(index.match('#')).toEqual([1]);
    expect(index.match(deep.replace(/l2/g, '+'))).toEqual([1]);
    expect(index.delete(deep)).toBe(true);
    expect(index.match('#')).toEqual([]);
  });
});
