import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type StopSignal, watchReloadSignal, watchStopSignals } from './stop-signals.js';

describe('watchStopSignals', () => {
  it('resolves on the first signal and forces on the second', async () => {
    const source = new EventEmitter();
    const forced: StopSignal[] = [];
    const signals = watchStopSignals(source, (signal) => forced.push(signal));
    source.emit('SIGTERM');
    expect(await signals.stopped).toBe('SIGTERM');
    expect(forced).toEqual([]);
    source.emit('SIGINT');
    expect(forced).toEqual(['SIGINT']);
    signals.dispose();
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0);
  });
});

describe('watchReloadSignal', () => {
  it('calls back on every SIGHUP until disposed', () => {
    const source = new EventEmitter();
    let reloads = 0;
    const dispose = watchReloadSignal(source, () => reloads++);
    source.emit('SIGHUP');
    source.emit('SIGHUP');
    dispose();
    source.emit('SIGHUP');
    expect(reloads).toBe(2);
    expect(source.listenerCount('SIGHUP')).toBe(0);
  });
});
