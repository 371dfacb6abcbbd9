import { describe, expect, it, vi } from 'vitest';
import { TypedEmitter } from './typed-emitter.js';

class Emitter extends TypedEmitter<{ tick: [n: number]; error: [error: Error] }> {
  fire(n: number): boolean {
    return this.emit('tick', n);
  }
  fail(error: Error): boolean {
    return this.emit('error', error);
  }
}

describe('TypedEmitter', () => {
  it('calls listeners in order, once-listeners once, and removes them', () => {
    const emitter = new Emitter();
    const seen: string[] = [];
    const a = (n: number) => seen.push(`a${n}`);
    emitter.on('tick', a).once('tick', (n) => seen.push(`once${n}`));
    emitter.fire(1);
    emitter.fire(2);
    emitter.off('tick', a);
    expect(emitter.fire(3)).toBe(false);
    expect(seen).toEqual(['a1', 'once1', 'a2']);
    expect(emitter.listenerCount('tick')).toBe(0);
  });

  it('lets a listener remove itself during emit without skipping the next one', () => {
    const emitter = new Emitter();
    const seen: string[] = [];
    const first = () => {
      seen.push('first');
      emitter.off('tick', first);
    };
    emitter.on('tick', first).on('tick', () => seen.push('second'));
    emitter.fire(1);
    expect(seen).toEqual(['first', 'second']);
  });

  it('does not throw for an error event nobody listens to', () => {
    expect(new Emitter().fail(new Error('x'))).toBe(false);
  });
});

describe('TypedEmitter listener errors', () => {
  it('keeps calling the other listeners and re-throws the error in a microtask', () => {
    const emitter = new Emitter();
    const seen: number[] = [];
    emitter.on('tick', () => {
      throw new Error('listener bug');
    });
    emitter.on('tick', (n) => seen.push(n));
    const deferred: (() => void)[] = [];
    vi.stubGlobal('queueMicrotask', (callback: () => void) => deferred.push(callback));
    try {
      expect(() => emitter.fire(1)).not.toThrow();
    } finally {
      vi.unstubAllGlobals();
    }
    expect(seen).toEqual([1]);
    expect(deferred).toHaveLength(1);
    expect(() => deferred[0]!()).toThrow('listener bug');
  });
});
