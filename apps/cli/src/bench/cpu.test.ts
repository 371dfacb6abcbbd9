import { describe, expect, it } from 'vitest';
import { CpuMeter, procCpuSeconds, selfCpuSeconds } from './cpu.js';

describe('CPU measurement', () => {
  it('reads this process from /proc like any broker pid, and agrees with process.cpuUsage', () => {
    let spin = 0;
    const until = performance.now() + 120;
    while (performance.now() < until) spin++;
    expect(spin).toBeGreaterThan(0);
    const fromProc = procCpuSeconds(process.pid);
    expect(fromProc).toBeDefined();
    // /proc counts in 10 ms ticks; both count user + system time of the whole process.
    expect(Math.abs(fromProc! - selfCpuSeconds())).toBeLessThan(0.1);
    expect(procCpuSeconds(2 ** 22 + 1)).toBeUndefined();
  });

  it('reports a busy loop as close to 100 % of one core', () => {
    const meter = new CpuMeter(process.pid);
    const until = performance.now() + 300;
    while (performance.now() < until) {
      // busy
    }
    const { self, broker } = meter.sample();
    expect(self).toBeGreaterThan(60);
    expect(self).toBeLessThan(140);
    expect(broker).toBeGreaterThan(40);
    expect(meter.total().self).toBeGreaterThan(60);
  });
});
