import { describe, expect, it } from 'vitest';
import { OfflineQueue } from './offline-queue.js';

describe('OfflineQueue', () => {
  it('keeps order and refuses past its bound', () => {
    const queue = new OfflineQueue<number>(3);
    expect([queue.push(1), queue.push(2), queue.push(3), queue.push(4)]).toEqual([true, true, true, false]);
    expect(queue.peek()).toBe(1);
    expect(queue.shift()).toBe(1);
    expect(queue.push(5)).toBe(true);
    expect(queue.takeAll()).toEqual([2, 3, 5]);
    expect(queue.length).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });

  it('stays correct across compaction', () => {
    const queue = new OfflineQueue<number>(10_000);
    for (let i = 0; i < 5000; i++) queue.push(i);
    for (let i = 0; i < 3000; i++) expect(queue.shift()).toBe(i);
    for (let i = 5000; i < 6000; i++) queue.push(i);
    expect(queue.length).toBe(3000);
    expect(queue.takeAll()[0]).toBe(3000);
  });
});
