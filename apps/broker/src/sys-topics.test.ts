import { BrokerStats, type DropReason } from '@mqttkit/broker';
import { describe, expect, it } from 'vitest';
import {
  dampedLoad,
  LoadAverages,
  type LoadCounters,
  loadCounters,
  type SysSource,
  SysTopics,
} from './sys-topics.js';

const ZERO: LoadCounters = {
  messagesReceived: 0,
  messagesSent: 0,
  publishReceived: 0,
  publishSent: 0,
  publishDropped: 0,
  bytesReceived: 0,
  bytesSent: 0,
  connections: 0,
  sockets: 0,
};

describe('dampedLoad (Mosquitto load averages)', () => {
  it('is the per-minute rate damped by exp(-elapsed/window)', () => {
    // 60 messages in one minute from an idle broker: 60 * (1 - e^-1) on the 1-minute average.
    expect(dampedLoad(0, 60, 60, 60)).toBeCloseTo(60 * (1 - Math.exp(-1)), 10);
    expect(dampedLoad(0, 60, 60, 300)).toBeCloseTo(60 * (1 - Math.exp(-0.2)), 10);
    // 10 events in 10 seconds is 60 per minute.
    expect(dampedLoad(0, 10, 10, 60)).toBeCloseTo(60 * (1 - Math.exp(-10 / 60)), 10);
    expect(dampedLoad(5, 0, 0, 60)).toBe(5);
  });

  it('converges to a steady rate and decays when idle', () => {
    let load = 0;
    for (let i = 0; i < 200; i++) load = dampedLoad(load, 100, 10, 60); // 600 per minute
    expect(load).toBeCloseTo(600, 6);
    for (let i = 0; i < 6; i++) load = dampedLoad(load, 0, 10, 60);
    expect(load).toBeCloseTo(600 * Math.exp(-1), 6);
  });

  it('LoadAverages turns counter deltas into the three windows per topic', () => {
    const loads = new LoadAverages(ZERO);
    const out = loads.update({ ...ZERO, publishReceived: 120, bytesSent: 6000 }, 60);
    expect(out.get('$SYS/broker/load/publish/received/1min')).toBeCloseTo(120 * (1 - Math.exp(-1)), 10);
    expect(out.get('$SYS/broker/load/publish/received/15min')).toBeCloseTo(
      120 * (1 - Math.exp(-60 / 900)),
      10,
    );
    expect(out.get('$SYS/broker/load/bytes/sent/5min')).toBeCloseTo(6000 * (1 - Math.exp(-0.2)), 10);
    expect(out.get('$SYS/broker/load/messages/received/1min')).toBe(0);
    expect(out.size).toBe(9 * 3);
  });

  it('load/sockets counts network connections opened, CONNECT or not (as Mosquitto)', () => {
    const stats = new BrokerStats();
    const loads = new LoadAverages(loadCounters(stats));
    stats.connectionsTotal = 30;
    stats.clientsTotal = 20;
    const out = loads.update(loadCounters(stats), 60);
    expect(out.get('$SYS/broker/load/sockets/1min')).toBeCloseTo(30 * (1 - Math.exp(-1)), 10);
    expect(out.get('$SYS/broker/load/connections/1min')).toBeCloseTo(20 * (1 - Math.exp(-1)), 10);
  });
});

function fakeSource(): SysSource & { stats: BrokerStats } {
  const stats = new BrokerStats();
  const drops: Record<DropReason, number> = {
    'queue-full': 0,
    congested: 0,
    expired: 0,
    'packet-too-large': 0,
    'retained-store-full': 0,
    'offline-qos0': 0,
    'subscription-revoked': 0,
  };
  return {
    stats,
    version: '1.2.3',
    sessionCount: () => 3,
    counts: () => ({ subscriptions: 7, retained: 2 }),
    dropsByReason: drops,
    sessionsExpired: () => 4,
  };
}

describe('SysTopics', () => {
  it('publishes every value at the first update, then only what changed', () => {
    const source = fakeSource();
    let now = source.stats.startedAt;
    const published: [string, string][] = [];
    const sys = new SysTopics(source, (topic, payload) => published.push([topic, payload]), {
      intervalSeconds: 10,
      now: () => now,
      heapUsed: () => 1000,
    });
    source.stats.clientConnected();
    source.stats.clientConnected();
    sys.update();
    const first = new Map(published);
    expect(first.get('$SYS/broker/version')).toBe('mqttkit-broker version 1.2.3');
    expect(first.get('$SYS/broker/uptime')).toBe('0 seconds');
    expect(first.get('$SYS/broker/clients/connected')).toBe('2');
    expect(first.get('$SYS/broker/clients/total')).toBe('3');
    expect(first.get('$SYS/broker/clients/disconnected')).toBe('1');
    expect(first.get('$SYS/broker/clients/maximum')).toBe('2');
    expect(first.get('$SYS/broker/clients/expired')).toBe('4');
    expect(first.get('$SYS/broker/subscriptions/count')).toBe('7');
    expect(first.get('$SYS/broker/retained messages/count')).toBe('2');
    expect(first.get('$SYS/broker/load/messages/received/1min')).toBe('0.00');

    published.length = 0;
    now += 10_000;
    source.stats.messagesReceived += 10;
    source.stats.packetsReceived += 12;
    sys.update();
    const second = new Map(published);
    expect(second.get('$SYS/broker/uptime')).toBe('10 seconds');
    expect(second.get('$SYS/broker/publish/messages/received')).toBe('10');
    expect(second.get('$SYS/broker/messages/received')).toBe('12');
    expect(second.get('$SYS/broker/load/publish/received/1min')).toBe(
      (60 * (1 - Math.exp(-10 / 60))).toFixed(2),
    );
    // Unchanged values are not published again.
    expect(second.has('$SYS/broker/version')).toBe(false);
    expect(second.has('$SYS/broker/clients/connected')).toBe(false);
    expect(second.has('$SYS/broker/load/bytes/sent/1min')).toBe(false);
  });

  it('an interval of 0 publishes nothing', () => {
    const published: string[] = [];
    const sys = new SysTopics(fakeSource(), (topic) => published.push(topic), { intervalSeconds: 0 });
    sys.start();
    sys.stop();
    expect(published).toEqual([]);
  });
});
