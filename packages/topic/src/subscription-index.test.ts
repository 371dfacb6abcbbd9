import { describe, expect, it } from 'vitest';
import type { ShareContext } from './share-strategy.js';
import type { SubscriberMatch } from './subscriber-match.js';
import { SubscriptionIndex } from './subscription-index.js';

interface Session {
  readonly id: string;
}

function session(id: string): Session {
  return { id };
}

/** A plain, sorted copy of a match result, safe to keep after the next match. */
function snapshot(results: readonly SubscriberMatch<Session>[]) {
  return results
    .map((each) => ({
      id: each.subscriber.id,
      qos: each.qos,
      ids: [...each.subscriptionIdentifiers].sort((a, b) => a - b),
      rap: each.retainAsPublished,
      share: each.shareName,
      filter: each.topicFilter,
    }))
    .sort((a, b) => `${a.share ?? ''}|${a.id}`.localeCompare(`${b.share ?? ''}|${b.id}`));
}

function ids(results: readonly SubscriberMatch<Session>[]): string[] {
  return results.map((each) => each.subscriber.id).sort();
}

describe('SubscriptionIndex: add, replace, remove', () => {
  it('[MQTT-3.8.4-3] replaces the subscription on an identical filter and reports it', () => {
    const index = new SubscriptionIndex<Session>();
    const a = session('a');
    expect(index.add(a, 'sport/+', { qos: 0 })).toEqual({ isNew: true });
    const second = index.add(a, 'sport/+', { qos: 2, subscriptionIdentifier: 7 });
    expect(second.isNew).toBe(false);
    expect(second.previous).toEqual({ qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 });
    expect(index.get(a, 'sport/+')).toEqual({
      qos: 2,
      noLocal: false,
      retainAsPublished: false,
      retainHandling: 0,
      subscriptionIdentifier: 7,
    });
    expect(index.subscriptionCount).toBe(1);
    expect(snapshot(index.match('sport/x'))).toEqual([
      { id: 'a', qos: 2, ids: [7], rap: false, share: undefined, filter: undefined },
    ]);
  });

  it('keeps every option it was given', () => {
    const index = new SubscriptionIndex<Session>();
    const a = session('a');
    index.add(a, 'x', {
      qos: 1,
      noLocal: true,
      retainAsPublished: true,
      retainHandling: 2,
      subscriptionIdentifier: 268435455,
    });
    expect(index.get(a, 'x')).toEqual({
      qos: 1,
      noLocal: true,
      retainAsPublished: true,
      retainHandling: 2,
      subscriptionIdentifier: 268435455,
    });
    expect(index.get(a, 'y')).toBeUndefined();
    expect(index.get(session('a'), 'x')).toBeUndefined();
  });

  it('keys subscribers by identity, not by content', () => {
    const index = new SubscriptionIndex<Session>();
    const first = session('same');
    const second = session('same');
    index.add(first, 'a', { qos: 0 });
    index.add(second, 'a', { qos: 1 });
    expect(index.subscriberCount).toBe(2);
    expect(index.match('a').length).toBe(2);
  });

  it('removes one filter, then all, and counts', () => {
    const index = new SubscriptionIndex<Session>();
    const a = session('a');
    const b = session('b');
    index.add(a, 'x/y', { qos: 0 });
    index.add(a, 'x/+', { qos: 0 });
    index.add(a, '$share/g/x/y', { qos: 0 });
    index.add(b, 'x/y', { qos: 0 });
    expect(index.subscriptionCount).toBe(4);
    expect(index.filterCount).toBe(3);
    expect(index.sharedGroupCount).toBe(1);
    expect(index.subscriberCount).toBe(2);
    expect(index.remove(a, 'x/z')).toBe(false);
    expect(index.remove(session('a'), 'x/y')).toBe(false);
    expect(index.remove(a, 'x/y')).toBe(true);
    expect(index.remove(a, 'x/y')).toBe(false);
    expect(index.filterCount).toBe(3);
    expect(index.removeAll(a)).toBe(2);
    expect(index.removeAll(a)).toBe(0);
    expect(index.subscriptionCount).toBe(1);
    expect(index.filterCount).toBe(1);
    expect(index.sharedGroupCount).toBe(0);
    expect(index.subscriberCount).toBe(1);
    expect(ids(index.match('x/y'))).toEqual(['b']);
  });

  it('prunes emptied nodes, so churn does not grow memory', () => {
    const index = new SubscriptionIndex<Session>();
    const a = session('a');
    index.add(a, 'keep/me', { qos: 0 });
    const baseline = index.nodeCount;
    expect(baseline).toBe(2);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100; i++) {
        index.add(a, `churn/${i}/+/x/#`, { qos: 0 });
        index.add(a, `$share/g${i}/keep/me/${i}`, { qos: 0 });
      }
      expect(index.nodeCount).toBeGreaterThan(400);
      for (let i = 0; i < 100; i++) {
        index.remove(a, `churn/${i}/+/x/#`);
        index.remove(a, `$share/g${i}/keep/me/${i}`);
      }
      expect(index.nodeCount).toBe(baseline);
    }
    index.removeAll(a);
    expect(index.nodeCount).toBe(0);
    expect(index.filterCount).toBe(0);
  });

  it('lists a subscriber’s subscriptions, shared ones with their prefix', () => {
    const index = new SubscriptionIndex<Session>();
    const a = session('a');
    index.add(a, 'a/#', { qos: 1 });
    index.add(a, '$share/g/b', { qos: 2, subscriptionIdentifier: 3 });
    const list = index.subscriptionsOf(a).sort((x, y) => x.topicFilter.localeCompare(y.topicFilter));
    expect(list).toEqual([
      {
        topicFilter: '$share/g/b',
        options: {
          qos: 2,
          noLocal: false,
          retainAsPublished: false,
          retainHandling: 0,
          subscriptionIdentifier: 3,
        },
      },
      {
        topicFilter: 'a/#',
        options: { qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      },
    ]);
    expect(index.subscriptionsOf(session('z'))).toEqual([]);
    expect([...index.subscribers()]).toEqual([a]);
  });

  it('finds each of many filters of one subscriber (beyond the linear-scan threshold)', () => {
    const index = new SubscriptionIndex<Session>();
    const a = session('a');
    for (let i = 0; i < 50; i++) index.add(a, `t/${i}`, { qos: (i % 3) as 0 | 1 | 2 });
    for (let i = 0; i < 50; i++) expect(index.get(a, `t/${i}`)?.qos).toBe(i % 3);
    for (let i = 0; i < 50; i += 2) expect(index.remove(a, `t/${i}`)).toBe(true);
    for (let i = 0; i < 50; i++) expect(index.get(a, `t/${i}`) !== undefined).toBe(i % 2 === 1);
    expect(index.add(a, 't/1', { qos: 0 }).isNew).toBe(false);
    expect(index.subscriptionCount).toBe(25);
  });

  it('does not throw on very deep filters and topics (no recursion)', () => {
    const index = new SubscriptionIndex<Session>();
    const a = session('a');
    const deep = Array.from({ length: 30000 }, (_, i) => `l${i % 7}`).join('/');
    index.add(a, deep, { qos: 0 });
    index.add(a, `${deep.slice(0, 2000)}/#`, { qos: 1 });
    index.add(a, deep.replace(/l3/g, '+'), { qos: 2 });
    expect(snapshot(index.match(deep))[0]?.qos).toBe(2);
    expect(index.removeAll(a)).toBe(3);
    expect(index.nodeCount).toBe(0);
  });
});

describe('SubscriptionIndex: matching', () => {
  it('4.7.1.2: "sport/#" matches "sport" and everything below it', () => {
    const index = new SubscriptionIndex<Session>();
    index.add(session('a'), 'sport/#', { qos: 0 });
    expect(ids(index.match('sport'))).toEqual(['a']);
    expect(ids(index.match('sport/tennis/player1'))).toEqual(['a']);
    expect(ids(index.match('sport/'))).toEqual(['a']);
    expect(ids(index.match('sports'))).toEqual([]);
  });

  it('4.7.1.3: "+" matches one level, including an empty one', () => {
    const index = new SubscriptionIndex<Session>();
    index.add(session('plus'), 'sport/+', { qos: 0 });
    index.add(session('lead'), '/+', { qos: 0 });
    index.add(session('two'), '+/+', { qos: 0 });
    index.add(session('one'), '+', { qos: 0 });
    expect(ids(index.match('sport'))).toEqual(['one']);
    expect(ids(index.match('sport/'))).toEqual(['plus', 'two']);
    expect(ids(index.match('/finance'))).toEqual(['lead', 'two']);
  });

  it('[MQTT-4.7.2-1] filters starting with a wildcard do not match "$" topics', () => {
    const index = new SubscriptionIndex<Session>();
    index.add(session('hash'), '#', { qos: 0 });
    index.add(session('plus'), '+/monitor/Clients', { qos: 0 });
    index.add(session('sys'), '$SYS/#', { qos: 0 });
    index.add(session('mon'), '$SYS/monitor/+', { qos: 0 });
    index.add(session('shared'), '$share/g/#', { qos: 0 });
    expect(ids(index.match('$SYS/monitor/Clients'))).toEqual(['mon', 'sys']);
    expect(ids(index.match('$SYS'))).toEqual(['sys']);
    expect(ids(index.match('x/monitor/Clients'))).toEqual(['hash', 'plus', 'shared']);
  });

  it('[MQTT-3.3.5-1] [MQTT-3.3.4-2] merges overlapping subscriptions of one subscriber at the maximum QoS', () => {
    const index = new SubscriptionIndex<Session>();
    const a = session('a');
    index.add(a, 'a/b', { qos: 0 });
    index.add(a, 'a/+', { qos: 2 });
    index.add(a, '#', { qos: 1 });
    index.add(a, 'a/#', { qos: 0 });
    expect(snapshot(index.match('a/b'))).toEqual([
      { id: 'a', qos: 2, ids: [], rap: false, share: undefined, filter: undefined },
    ]);
    expect(snapshot(index.match('a'))).toEqual([
      { id: 'a', qos: 1, ids: [], rap: false, share: undefined, filter: undefined },
    ]);
  });

  it('[MQTT-3.3.4-3] [MQTT-3.3.4-4] sends every matching subscription’s identifier', () => {
    const index = new SubscriptionIndex<Session>();
    const a = session('a');
    const b = session('b');
    index.add(a, 'a/b', { qos: 0, subscriptionIdentifier: 1 });
    index.add(a, 'a/+', { qos: 0, subscriptionIdentifier: 2 });
    index.add(a, 'a/#', { qos: 0 });
    index.add(a, '+/b', { qos: 0, subscriptionIdentifier: 2 });
    index.add(b, '#', { qos: 1, subscriptionIdentifier: 9 });
    expect(snapshot(index.match('a/b'))).toEqual([
      { id: 'a', qos: 0, ids: [1, 2, 2], rap: false, share: undefined, filter: undefined },
      { id: 'b', qos: 1, ids: [9], rap: false, share: undefined, filter: undefined },
    ]);
    // Arrays are reused: a later match with fewer identifiers must not show stale ones.
    expect(snapshot(index.match('a/c'))).toEqual([
      { id: 'a', qos: 0, ids: [2], rap: false, share: undefined, filter: undefined },
      { id: 'b', qos: 1, ids: [9], rap: false, share: undefined, filter: undefined },
    ]);
    expect(snapshot(index.match('a'))).toEqual([
      { id: 'a', qos: 0, ids: [], rap: false, share: undefined, filter: undefined },
      { id: 'b', qos: 1, ids: [9], rap: false, share: undefined, filter: undefined },
    ]);
  });

  it('sets retainAsPublished when any merged subscription has it', () => {
    const index = new SubscriptionIndex<Session>();
    const a = session('a');
    index.add(a, 'a/b', { qos: 0 });
    index.add(a, 'a/+', { qos: 0, retainAsPublished: true });
    expect(index.match('a/b')[0]?.retainAsPublished).toBe(true);
    expect(index.match('a/c')[0]?.retainAsPublished).toBe(true);
    index.remove(a, 'a/+');
    expect(index.match('a/b')[0]?.retainAsPublished).toBe(false);
  });

  it('[MQTT-3.8.3-3] No Local skips only that subscription, only for the publisher', () => {
    const index = new SubscriptionIndex<Session>();
    const a = session('a');
    const b = session('b');
    index.add(a, 'chat/#', { qos: 1, noLocal: true, subscriptionIdentifier: 1 });
    index.add(b, 'chat/#', { qos: 1, noLocal: true });
    expect(ids(index.match('chat/room', a))).toEqual(['b']);
    expect(ids(index.match('chat/room', b))).toEqual(['a']);
    expect(ids(index.match('chat/room'))).toEqual(['a', 'b']);
    index.add(a, 'chat/+', { qos: 0, subscriptionIdentifier: 2 });
    expect(snapshot(index.match('chat/room', a))).toEqual([
      { id: 'a', qos: 0, ids: [2], rap: false, share: undefined, filter: undefined },
      { id: 'b', qos: 1, ids: [], rap: false, share: undefined, filter: undefined },
    ]);
  });

  it('returns one reused array, valid until the next match', () => {
    const index = new SubscriptionIndex<Session>();
    index.add(session('a'), 'x', { qos: 0 });
    index.add(session('b'), 'y', { qos: 0 });
    const first = index.match('x');
    expect(ids(first)).toEqual(['a']);
    const second = index.match('y');
    expect(second).toBe(first);
    expect(ids(second)).toEqual(['b']);
    expect(index.match('z')).toHaveLength(0);
  });
});

describe('SubscriptionIndex: shared subscriptions (4.8.2)', () => {
  it('4.8.2: one copy per group and one per non-shared subscriber', () => {
    const index = new SubscriptionIndex<Session>();
    const group1 = [session('c1a'), session('c1b')];
    const group2 = [session('c2a'), session('c2b'), session('c2c')];
    for (const each of group1) index.add(each, '$share/consumer1/sport/tennis/+', { qos: 1 });
    for (const each of group2) index.add(each, '$share/consumer2/sport/tennis/+', { qos: 2 });
    index.add(session('plain'), 'sport/tennis/+', { qos: 0 });
    const results = snapshot(index.match('sport/tennis/player1'));
    expect(results).toHaveLength(3);
    expect(results[0]).toEqual({
      id: 'plain',
      qos: 0,
      ids: [],
      rap: false,
      share: undefined,
      filter: undefined,
    });
    expect(results[1]?.share).toBe('consumer1');
    expect(group1.map((each) => each.id)).toContain(results[1]?.id);
    expect(results[1]?.filter).toBe('sport/tennis/+');
    expect(results[2]?.share).toBe('consumer2');
    expect(group2.map((each) => each.id)).toContain(results[2]?.id);
    expect(results[2]?.qos).toBe(2);
    expect(index.sharedGroupCount).toBe(2);
  });

  it('4.8.2: "$share/consumer1//finance" matches what "/finance" matches', () => {
    const index = new SubscriptionIndex<Session>();
    index.add(session('a'), '$share/consumer1//finance', { qos: 0 });
    expect(snapshot(index.match('/finance'))).toEqual([
      { id: 'a', qos: 0, ids: [], rap: false, share: 'consumer1', filter: '/finance' },
    ]);
    expect(index.match('finance')).toHaveLength(0);
  });

  it('4.8.2: same ShareName on different filters makes different groups; overlapping groups each deliver', () => {
    const index = new SubscriptionIndex<Session>();
    index.add(session('a'), '$share/g/sport/#', { qos: 0 });
    index.add(session('b'), '$share/g/sport/tennis/+', { qos: 0 });
    expect(index.sharedGroupCount).toBe(2);
    expect(ids(index.match('sport/tennis/x'))).toEqual(['a', 'b']);
  });

  it('4.8.2: a subscriber with a shared and a non-shared subscription gets both entries', () => {
    const index = new SubscriptionIndex<Session>();
    const a = session('a');
    index.add(a, '$share/g/x', { qos: 1, subscriptionIdentifier: 5 });
    index.add(a, 'x', { qos: 0, subscriptionIdentifier: 6 });
    expect(snapshot(index.match('x'))).toEqual([
      { id: 'a', qos: 0, ids: [6], rap: false, share: undefined, filter: undefined },
      { id: 'a', qos: 1, ids: [5], rap: false, share: 'g', filter: 'x' },
    ]);
  });

  it('4.8.2: subscribing twice does not add a second membership; the first unsubscribe leaves', () => {
    const index = new SubscriptionIndex<Session>();
    const a = session('a');
    const b = session('b');
    index.add(a, '$share/g/x', { qos: 0 });
    expect(index.add(a, '$share/g/x', { qos: 2 }).isNew).toBe(false);
    index.add(b, '$share/g/x', { qos: 0 });
    expect(index.subscriptionCount).toBe(2);
    const seen = new Map<string, number>();
    for (let i = 0; i < 4; i++) {
      const only = snapshot(index.match('x'));
      expect(only).toHaveLength(1);
      seen.set(only[0]!.id, only[0]!.qos);
    }
    expect(seen).toEqual(
      new Map([
        ['a', 2],
        ['b', 0],
      ]),
    );
    expect(index.remove(a, '$share/g/x')).toBe(true);
    for (let i = 0; i < 3; i++) expect(ids(index.match('x'))).toEqual(['b']);
  });

  it('round-robin hands n consecutive messages to n members once each', () => {
    const index = new SubscriptionIndex<Session>();
    const members = Array.from({ length: 5 }, (_, i) => session(`m${i}`));
    for (const each of members) index.add(each, '$share/g/t/+', { qos: 0 });
    for (let round = 0; round < 3; round++) {
      const got = Array.from({ length: 5 }, () => index.match('t/x')[0]!.subscriber.id);
      expect(got.sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    }
  });

  it('random picks members of the group', () => {
    const index = new SubscriptionIndex<Session>({ shareStrategy: 'random' });
    const members = Array.from({ length: 3 }, (_, i) => session(`m${i}`));
    for (const each of members) index.add(each, '$share/g/t', { qos: 0 });
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const results = index.match('t');
      expect(results).toHaveLength(1);
      seen.add(results[0]!.subscriber.id);
    }
    expect([...seen].sort()).toEqual(['m0', 'm1', 'm2']);
  });

  it('a selector callback chooses, sees the members and the context, and may choose none', () => {
    const calls: { members: string[]; context: { shareName: string; topicFilter: string; topic: string } }[] =
      [];
    let answer: 'last' | 'none' | 'stranger' = 'last';
    const stranger = session('stranger');
    const index = new SubscriptionIndex<Session>({
      shareStrategy: (members: readonly Session[], context: ShareContext) => {
        calls.push({
          members: members.map((each) => each.id),
          context: { shareName: context.shareName, topicFilter: context.topicFilter, topic: context.topic },
        });
        if (answer === 'none') return undefined;
        if (answer === 'stranger') return stranger;
        return members[members.length - 1];
      },
    });
    index.add(session('a'), '$share/grp/s/+', { qos: 1 });
    index.add(session('b'), '$share/grp/s/+', { qos: 2 });
    expect(snapshot(index.match('s/1'))).toEqual([
      { id: 'b', qos: 2, ids: [], rap: false, share: 'grp', filter: 's/+' },
    ]);
    expect(calls).toEqual([
      { members: ['a', 'b'], context: { shareName: 'grp', topicFilter: 's/+', topic: 's/1' } },
    ]);
    answer = 'none';
    expect(index.match('s/2')).toHaveLength(0);
    answer = 'stranger';
    expect(index.match('s/3')).toHaveLength(0);
  });

  it('indexes a malformed $share filter as an ordinary filter instead of throwing', () => {
    const index = new SubscriptionIndex<Session>();
    index.add(session('a'), '$share/g', { qos: 0 });
    expect(index.sharedGroupCount).toBe(0);
    expect(ids(index.match('$share/g'))).toEqual(['a']);
  });
});
