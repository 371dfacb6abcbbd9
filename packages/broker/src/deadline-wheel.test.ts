import { describe, expect, it, vi } from 'vitest';
import { DeadlineWheel, type WheelEntry } from './deadline-wheel.js';

function entry(fired: number[], reschedule?: (e: WheelEntry, now: number) => void): WheelEntry {
  const e: WheelEntry = {
    wheelNext: undefined,
    wheelPrev: undefined,
    wheelSlot: -1,
    deadline: 0,
    onDeadline(now) {
      fired.push(now);
      reschedule?.(e, now);
    },
  };
  return e;
}

describe('DeadlineWheel', () => {
  it('fires each entry once, at or after its deadline, within one resolution step', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const clock = { now: () => Date.now() };
      const wheel = new DeadlineWheel(clock, 100, 16);
      // Wheel time counts from the wheel's creation, whatever the clock says.
      expect(wheel.now()).toBe(0);
      const fired: number[][] = [[], [], []];
      const entries = fired.map((list) => entry(list));
      wheel.schedule(entries[0]!, 250);
      wheel.schedule(entries[1]!, 900);
      // Beyond the 1.6 s span: parked and looked at again.
      wheel.schedule(entries[2]!, 5000);
      expect(wheel.size).toBe(3);
      vi.advanceTimersByTime(6000);
      expect(wheel.now()).toBe(6000);
      expect(fired[0]).toHaveLength(1);
      expect(fired[0]![0]).toBeGreaterThanOrEqual(250);
      expect(fired[0]![0]).toBeLessThanOrEqual(400);
      expect(fired[1]![0]).toBeGreaterThanOrEqual(900);
      expect(fired[1]![0]).toBeLessThanOrEqual(1100);
      expect(fired[2]![0]).toBeGreaterThanOrEqual(5000);
      expect(fired[2]![0]).toBeLessThanOrEqual(5200);
      expect(wheel.size).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('cancel and reschedule move an entry; a cancelled one never fires', () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const wheel = new DeadlineWheel({ now: () => Date.now() }, 100, 8);
      const a: number[] = [];
      const b: number[] = [];
      const ea = entry(a);
      const eb = entry(b);
      wheel.schedule(ea, 300);
      wheel.schedule(eb, 300);
      wheel.cancel(ea);
      wheel.schedule(eb, 2000);
      vi.advanceTimersByTime(1000);
      expect(a).toEqual([]);
      expect(b).toEqual([]);
      vi.advanceTimersByTime(1200);
      expect(b).toHaveLength(1);
      expect(wheel.size).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('an entry may schedule itself again from onDeadline, like a lazily re-armed keepalive', () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const wheel = new DeadlineWheel({ now: () => Date.now() }, 100, 8);
      const fired: number[] = [];
      const e = entry(fired, (self, now) => {
        if (fired.length < 3) wheel.schedule(self, now + 500);
      });
      wheel.schedule(e, 500);
      vi.advanceTimersByTime(5000);
      expect(fired).toHaveLength(3);
      expect(fired[2]!).toBeGreaterThanOrEqual(1500);
    } finally {
      vi.useRealTimers();
    }
  });
});
