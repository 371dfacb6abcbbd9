import { describe, expect, it } from 'vitest';
import { KeepaliveMonitor } from './keepalive.js';

describe('KeepaliveMonitor', () => {
  it('[MQTT-3.1.2-23] pings when nothing was sent for the interval', () => {
    const monitor = new KeepaliveMonitor(10_000, 5_000, 0);
    expect(monitor.nextCheckAt).toBe(10_000);
    monitor.sent(4_000);
    monitor.received(9_000);
    expect(monitor.check(10_000)).toBe('wait');
    expect(monitor.nextCheckAt).toBe(14_000);
    expect(monitor.check(14_000)).toBe('ping');
    expect(monitor.isPinging).toBe(true);
    expect(monitor.nextCheckAt).toBe(19_000);
  });

  it('pings when nothing was received for the interval, even while sending', () => {
    const monitor = new KeepaliveMonitor(10_000, 5_000, 0);
    monitor.sent(9_999);
    expect(monitor.check(10_000)).toBe('ping');
  });

  it('waits while traffic flows both ways', () => {
    const monitor = new KeepaliveMonitor(10_000, 5_000, 0);
    monitor.sent(8_000);
    monitor.received(8_000);
    expect(monitor.check(10_000)).toBe('wait');
    expect(monitor.nextCheckAt).toBe(18_000);
  });

  it('declares the connection dead when no packet answers a PINGREQ in time', () => {
    const monitor = new KeepaliveMonitor(10_000, 5_000, 0);
    expect(monitor.check(10_000)).toBe('ping');
    expect(monitor.check(14_999)).toBe('wait');
    expect(monitor.check(15_000)).toBe('dead');
  });

  it('counts any packet after the PINGREQ as the answer', () => {
    const monitor = new KeepaliveMonitor(10_000, 5_000, 0);
    expect(monitor.check(10_000)).toBe('ping');
    monitor.received(12_000);
    expect(monitor.check(15_000)).toBe('wait');
    expect(monitor.isPinging).toBe(false);
  });

  it('does nothing when Keep Alive is 0', () => {
    const monitor = new KeepaliveMonitor(0, 0, 0);
    expect(monitor.isEnabled).toBe(false);
    expect(monitor.check(1e9)).toBe('wait');
    expect(monitor.nextCheckAt).toBe(Number.POSITIVE_INFINITY);
  });
});
